/**
 * The Evaluation view's numbers: the chart's series (accuracy against the
 * distortion's real parameter, clean placed at the parameter's identity value, where the image is
 * unchanged), the table's columns, and the shading of a confusion matrix. Pure, for unit tests.
 */
import { DISTORTIONS, type DistortionKind } from '../../../shared/distortions.ts';
import { levelsPreset } from '../../../shared/job-title.ts';

/** What a models.evaluate result carries that the plot needs. */
export interface EvalConditionLike {
  level?: number;
  top1: number;
}

export interface EvalRunLike {
  id: string;
  name: string;
  kind: DistortionKind;
  conditions: readonly EvalConditionLike[];
}

/** A row of the evaluation table: a finished run with its means and a line about what it measured. */
export interface TableRun extends EvalRunLike {
  meanWithClean: number;
  meanLevels: number;
  detail: string;
}

/** One plotted series, in the result's condition order (clean first): x is the parameter, y the top-1. */
export interface PlotSeries {
  id: string;
  name: string;
  x: number[];
  y: number[];
}

/** The x value of a condition: its level, or the kind's identity for clean (undefined level). */
export function conditionX(kind: DistortionKind, level: number | undefined): number {
  return level === undefined ? DISTORTIONS[kind].identity : level;
}

export function plotSeries(runs: readonly EvalRunLike[]): PlotSeries[] {
  return runs.map((r) => ({
    id: r.id,
    name: r.name,
    x: r.conditions.map((c) => conditionX(r.kind, c.level)),
    y: r.conditions.map((c) => c.top1),
  }));
}

/**
 * The points of a series for a line drawn left to right: [x, y, condition index], sorted by x (a custom
 * level list may be in any order); the condition index lets a click find the condition. `allX` (the x values
 * of every plotted series) adds a gap, [x, null, -1], where another series has a point inside this one's range
 * and this one has none: a line drawn straight across a level the run did not measure would invent its value
 * (ECharts breaks a line at a null with connectNulls false).
 */
export function linePoints(s: PlotSeries, allX: readonly number[] = []): [number, number | null, number][] {
  const own: [number, number | null, number][] = s.x.map((x, i) => [x, s.y[i] ?? NaN, i]);
  const have = new Set(s.x);
  const lo = Math.min(...s.x);
  const hi = Math.max(...s.x);
  const gaps = [...new Set(allX)]
    .filter((x) => !have.has(x) && x > lo && x < hi)
    .map((x): [number, null, number] => [x, null, -1]);
  return [...own, ...gaps].sort((a, b) => a[0] - b[0]);
}

/** Every x value of the series, each once, in increasing order. */
export function unionX(series: readonly PlotSeries[]): number[] {
  return [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b);
}

/** Runs that measured the same levels: their means compare; a table never mixes two such groups. */
export interface LevelGroup<T extends EvalRunLike> {
  /** The levels, in increasing order (without clean). */
  levels: number[];
  runs: T[];
}

/** The runs grouped by their set of levels, each group in the order of its first run, runs in their order. */
export function groupByLevels<T extends EvalRunLike>(runs: readonly T[]): LevelGroup<T>[] {
  const groups = new Map<string, LevelGroup<T>>();
  for (const r of runs) {
    const levels = [...new Set(r.conditions.flatMap((c) => (c.level === undefined ? [] : [c.level])))].sort(
      (a, b) => a - b,
    );
    const key = levels.join(',');
    const g = groups.get(key);
    if (g === undefined) groups.set(key, { levels, runs: [r] });
    else g.runs.push(r);
  }
  return [...groups.values()];
}

/** A level group's heading: its preset when it is one, and its levels from mild to severe. */
export function levelGroupTitle(kind: DistortionKind, levels: readonly number[]): string {
  const identity = DISTORTIONS[kind].identity;
  const ordered = [...levels].sort((a, b) => Math.abs(a - identity) - Math.abs(b - identity) || a - b);
  const preset = levelsPreset(kind, levels);
  const n = `${levels.length} level${levels.length === 1 ? '' : 's'}`;
  return `${preset === undefined ? n : `${preset}, ${n}`}: ${ordered.join(', ')}`;
}

/** A table column: clean, or one level (the union of the runs' levels, in increasing order of severity). */
export type EvalColumn = { kind: 'clean' } | { kind: 'level'; level: number };

/**
 * Columns for runs of one kind: clean, then every level any run has, ordered from the identity outward
 * (so JPEG quality runs 80, 65, 50 from mild to severe, and blur 0.5, 1, 2).
 */
export function tableColumns(kind: DistortionKind, runs: readonly EvalRunLike[]): EvalColumn[] {
  const levels = new Set<number>();
  for (const r of runs) for (const c of r.conditions) if (c.level !== undefined) levels.add(c.level);
  const identity = DISTORTIONS[kind].identity;
  const sorted = [...levels].sort((a, b) => Math.abs(a - identity) - Math.abs(b - identity) || a - b);
  return [{ kind: 'clean' }, ...sorted.map((level) => ({ kind: 'level' as const, level }))];
}

/** The condition index of a column in a run, or -1 when the run did not measure it. */
export function conditionIndex(run: EvalRunLike, column: EvalColumn): number {
  return run.conditions.findIndex((c) =>
    column.kind === 'clean' ? c.level === undefined : c.level === column.level,
  );
}

/** The mean of clean plus levels, and of levels alone (the paper's two numbers), from the conditions. */
export function means(conditions: readonly EvalConditionLike[]): { withClean: number; levels: number } {
  const all = conditions.map((c) => c.top1);
  const lv = conditions.filter((c) => c.level !== undefined).map((c) => c.top1);
  const mean = (a: number[]): number => (a.length === 0 ? NaN : a.reduce((s, v) => s + v, 0) / a.length);
  return { withClean: mean(all), levels: mean(lv) };
}

/** A confusion matrix's rows as fractions of the row total (0 for an empty row), for shading the cells. */
export function rowShares(confusion: readonly (readonly number[])[]): number[][] {
  return confusion.map((row) => {
    const total = row.reduce((s, v) => s + v, 0);
    return row.map((v) => (total === 0 ? 0 : v / total));
  });
}

/** A label for a condition: "clean" or "<parameter> = <level>". */
export function conditionLabel(kind: DistortionKind, level: number | undefined): string {
  return level === undefined ? 'clean' : `${DISTORTIONS[kind].parameter} = ${level}`;
}
