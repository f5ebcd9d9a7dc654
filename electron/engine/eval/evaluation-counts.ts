import { DISTORTIONS, type DistortionKind } from '../../../shared/distortions.ts';

/** What one condition (clean, or one level) counted: sums, so counts of disjoint image sets add up exactly. */
export interface ConditionCounts {
  level?: number;
  /** Images whose top-1 prediction was right. */
  top1: number;
  /** Images whose true class was among the top five predictions. */
  top5: number;
  /** confusion[true][predicted] counts. */
  confusion: number[][];
  /** With per-image records: 1 where the top-1 prediction was right, in the order of `imageIndices`. */
  correct?: Uint8Array;
}

/** An evaluation before its figures are worked out: what evaluate() tallies, and what shards of one add up to. */
export interface EvaluationCounts {
  kind: DistortionKind;
  classes: string[];
  /** Images evaluated (each under every condition). */
  images: number;
  /** Clean first, then each level in order. */
  conditions: ConditionCounts[];
  /** With per-image records: the split index of each image, in the order the conditions' `correct` follow. */
  imageIndices?: Uint32Array;
}

/** One condition's figures. */
export interface ConditionResult {
  level?: number;
  top1: number;
  top5: number;
  /** Top-1 accuracy per true class (NaN for a class with no images). */
  perClass: number[];
  /** confusion[true][predicted] counts. */
  confusion: number[][];
  /** With `perImage`: 1 where the top-1 prediction was right, per image in the order of `imageIndices`. */
  correct?: Uint8Array;
}

export interface EvaluationResult {
  kind: DistortionKind;
  /** The level's parameter and unit, e.g. "sigma (px)", for tables and axes. */
  parameter: string;
  images: number;
  /** With `perImage`: the split index of each evaluated image, in the order of the conditions' `correct`. */
  imageIndices?: Uint32Array;
  classes: string[];
  conditions: ConditionResult[];
  /** Mean top-1 over clean plus every level: the paper's tables. */
  meanWithClean: number;
  /** Mean top-1 over the distorted levels alone. */
  meanLevels: number;
  seconds: number;
}

/** Nothing counted yet: the start of a tally, and what a shard with no images holds. */
export function emptyCounts(
  kind: DistortionKind,
  classes: string[],
  levels: readonly number[],
  perImage = false,
): EvaluationCounts {
  const conditions: (number | undefined)[] = [undefined, ...levels];
  return {
    kind,
    classes,
    images: 0,
    conditions: conditions.map((level) => ({
      ...(level === undefined ? {} : { level }),
      top1: 0,
      top5: 0,
      confusion: classes.map(() => new Array<number>(classes.length).fill(0)),
      ...(perImage ? { correct: new Uint8Array(0) } : {}),
    })),
    ...(perImage ? { imageIndices: new Uint32Array(0) } : {}),
  };
}

const mean = (v: readonly number[]): number =>
  v.length === 0 ? Number.NaN : v.reduce((a, b) => a + b, 0) / v.length;

/**
 * The figures of an evaluation from its counts: the one way both a whole evaluation and a merge of shards get
 * theirs, so the two agree to the last bit.
 */
export function evaluationFromCounts(counts: EvaluationCounts, seconds: number): EvaluationResult {
  const { images } = counts;
  const conditions: ConditionResult[] = counts.conditions.map((c) => ({
    ...(c.level === undefined ? {} : { level: c.level }),
    top1: images === 0 ? 0 : c.top1 / images,
    top5: images === 0 ? 0 : c.top5 / images,
    perClass: c.confusion.map((row, truth) => {
      const count = row.reduce((a, b) => a + b, 0);
      return count === 0 ? Number.NaN : (row[truth] as number) / count;
    }),
    confusion: c.confusion,
    ...(c.correct === undefined ? {} : { correct: c.correct }),
  }));
  const top1 = conditions.map((r) => r.top1);
  return {
    kind: counts.kind,
    parameter: DISTORTIONS[counts.kind].parameter,
    images,
    ...(counts.imageIndices === undefined ? {} : { imageIndices: counts.imageIndices }),
    classes: counts.classes,
    conditions,
    meanWithClean: mean(top1),
    meanLevels: mean(top1.slice(1)),
    seconds,
  };
}

/** Typed-array chunks copied end to end into `into` (sized to hold them all). */
export function joined<T extends Uint8Array | Uint32Array>(chunks: readonly T[], into: T): T {
  let at = 0;
  for (const chunk of chunks) {
    into.set(chunk, at);
    at += chunk.length;
  }
  return into;
}

/** Why counts cannot be added: they are not of one evaluation's conditions and classes. */
function mismatch(first: EvaluationCounts, other: EvaluationCounts): string | undefined {
  if (other.kind !== first.kind) return `distortion ${other.kind}, not ${first.kind}`;
  if (other.classes.join('\n') !== first.classes.join('\n')) return 'other classes';
  const levels = (c: EvaluationCounts): string => c.conditions.map((x) => x.level ?? 'clean').join(', ');
  if (levels(other) !== levels(first)) return `conditions ${levels(other)}, not ${levels(first)}`;
  if ((other.imageIndices === undefined) !== (first.imageIndices === undefined))
    return 'per-image records in some counts only';
  return undefined;
}

/**
 * Counts of disjoint image sets of one evaluation added up: the counts of all their images, with per-image
 * records joined in the order given (shards in index order give the whole evaluation's image order).
 */
export function addCounts(parts: readonly EvaluationCounts[]): EvaluationCounts {
  const [first] = parts;
  if (first === undefined) throw new RangeError('no counts to add');
  for (const [i, p] of parts.entries()) {
    const problem = mismatch(first, p);
    if (problem !== undefined)
      throw new RangeError(`counts ${i} are not of the same evaluation as counts 0: ${problem}`);
  }
  const images = parts.reduce((s, p) => s + p.images, 0);
  const perImage = first.imageIndices !== undefined;
  return {
    kind: first.kind,
    classes: first.classes,
    images,
    conditions: first.conditions.map((c, k) => {
      const all = parts.map((p) => p.conditions[k] as ConditionCounts);
      return {
        ...(c.level === undefined ? {} : { level: c.level }),
        top1: all.reduce((s, x) => s + x.top1, 0),
        top5: all.reduce((s, x) => s + x.top5, 0),
        confusion: c.confusion.map((row, t) =>
          row.map((_, p) => all.reduce((s, x) => s + (x.confusion[t]?.[p] ?? 0), 0)),
        ),
        ...(perImage
          ? {
              correct: joined(
                all.map((x) => x.correct ?? new Uint8Array(0)),
                new Uint8Array(images),
              ),
            }
          : {}),
      };
    }),
    ...(perImage
      ? {
          imageIndices: joined(
            parts.map((p) => p.imageIndices ?? new Uint32Array(0)),
            new Uint32Array(images),
          ),
        }
      : {}),
  };
}
