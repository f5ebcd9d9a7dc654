/**
 * What the views open on when a workspace holding a finished study is opened and nothing else is open (the demo
 * workspace on first run): the newest complete study, its ranking, the corrected model of its first seed and,
 * for the Inspector, the filter whose correction recovers most, on a mid distortion level. Pure: the store
 * (stores/first-view.ts) asks the engine for what these name.
 */
import type { DistortionKind } from '../../../shared/distortions.ts';
import type { StudyReport } from '../../../shared/study.ts';
import type { Artefact } from '../../../shared/workspace.ts';

/** What the Inspector opens on (applied once by its form, then the user's). */
export interface InspectorPreset {
  modelId: string;
  correctedId: string;
  kind: DistortionKind;
  level: number;
  layer: string;
  /** The filter to select: the one whose correction recovers most. */
  filter: number;
}

/** The newest complete artefact of a kind (by creation time; the manifest's order breaks ties), if any. */
export function newestComplete(artefacts: readonly Artefact[], kind: Artefact['kind']): Artefact | undefined {
  let best: Artefact | undefined;
  for (const a of artefacts) {
    if (a.kind !== kind || a.status !== 'complete') continue;
    if (best === undefined || a.createdAt >= best.createdAt) best = a;
  }
  return best;
}

/** Whether a path is absolute on either system (POSIX, a drive letter, or a UNC share). */
export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

/** `relative` inside `folder` (a study records its own models relative to its folder). */
export function inside(folder: string, relative: string): string {
  const sep = folder.includes('\\') && !folder.includes('/') ? '\\' : '/';
  return `${folder.replace(/[\\/]+$/, '')}${sep}${relative.replace(/^\.[\\/]/, '')}`;
}

/** A study model's folder: absolute as recorded, or relative to the study folder. */
export function studyModelFolder(studyFolder: string, recorded: string): string {
  return isAbsolutePath(recorded) ? recorded : inside(studyFolder, recorded);
}

/** The last part of a path, for either separator. */
function lastPart(p: string): string {
  return (
    p
      .split(/[\\/]/)
      .filter((x) => x !== '')
      .at(-1) ?? p
  );
}

/**
 * Where a study's base model is, as the study recorded it (io/recorded-path.ts): an absolute path as it is; a
 * workspace-relative path, a bundled one (`resources/models/<name>`) or a folder name alone, the workspace's
 * complete model of that path or folder name (workspace-relative, for `location`); 'bundled' for a bundled
 * model the workspace does not hold (the engine opens the bundled demo model without a path); else undefined.
 */
export function baseModelLocation(
  recorded: string,
  artefacts: readonly Artefact[],
): { absolute: string } | { workspace: string } | 'bundled' | undefined {
  if (isAbsolutePath(recorded)) return { absolute: recorded };
  const name = lastPart(recorded);
  const models = artefacts.filter((a) => a.kind === 'model' && a.status === 'complete');
  const held =
    models.find((a) => a.path === recorded) ??
    models.find((a) => lastPart(a.path) === name || a.name === name);
  if (held !== undefined) return { workspace: held.path };
  return recorded.startsWith('resources/') ? 'bundled' : undefined;
}

/** The DeepCorrect model of the study's first seed (relative paths are the study folder's), if it has one. */
export function correctedModelFolder(studyFolder: string, report: StudyReport): string | undefined {
  const units = report.models.find((m) => m.role === 'deepcorrect');
  if (units === undefined) return undefined;
  const recorded = units.seeds?.[0]?.path ?? units.path;
  return recorded === '' ? undefined : studyModelFolder(studyFolder, recorded);
}

/** The study's ranking file: the first seed's ranking.json in a multi-seed study, else the folder's own. */
export function studyRankingFile(studyFolder: string, report: StudyReport): string {
  const seeds = report.config.seeds ?? [];
  const first = seeds[0];
  return seeds.length > 1 && first !== undefined
    ? inside(studyFolder, `seed-${first}/ranking.json`)
    : inside(studyFolder, 'ranking.json');
}

/** Whether a ranking can stand for the study's: the same distortion, and every layer the study corrects. */
export function rankingFits(
  ranking: { kind: string; layers: readonly { layer: string }[] },
  report: Pick<StudyReport, 'config'>,
): boolean {
  const layers = new Set(ranking.layers.map((l) => l.layer));
  return ranking.kind === report.config.kind && report.config.layers.every((l) => layers.has(l));
}

/** A mid level of the study's levels (the upper middle of an even count: sigma 2 of 0.5 ... 3). */
export function midLevel(levels: readonly number[]): number | undefined {
  const sorted = [...levels].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** A ranked layer, as a ranking file and a study report both give it. */
export interface RankedLayer {
  layer: string;
  /** Filters, most in need of correction first. */
  order: readonly number[];
  /** The oracle's tau per filter (by filter index), when ranked by the oracle. */
  tau?: readonly number[];
}

export interface TopFilter {
  layer: string;
  filter: number;
  /** The oracle's tau of the filter, when the ranking has it. */
  tau?: number;
}

/**
 * The filter whose correction recovers most: the largest tau among each layer's first filter (the oracle's
 * order), preferring layers the study corrected; without tau (a proxy ranking) the first corrected layer's
 * first filter.
 */
export function mostCorrectedFilter(
  ranking: { layers: readonly RankedLayer[] },
  correctedLayers: readonly string[] = [],
): TopFilter | undefined {
  const layers = ranking.layers.filter((l) => l.order.length > 0);
  const pool = layers.some((l) => correctedLayers.includes(l.layer))
    ? layers.filter((l) => correctedLayers.includes(l.layer))
    : layers;
  let best: TopFilter | undefined;
  for (const l of pool) {
    const filter = l.order[0];
    if (filter === undefined) continue;
    const tau = l.tau?.[filter];
    if (best === undefined) best = { layer: l.layer, filter, ...(tau === undefined ? {} : { tau }) };
    else if (tau !== undefined && (best.tau === undefined || tau > best.tau))
      best = { layer: l.layer, filter, tau };
  }
  return best;
}
