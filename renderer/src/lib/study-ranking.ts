/**
 * A study that follows a saved ranking (study.run's `ranking`, `deepcorrect study --ranking FILE`) instead of
 * ranking in every seed: for instance one ranked on a cluster and merged, then opened in the app. The engine
 * can only read a ranking that is a file, so the choices are the opened ranking files and the rankings this
 * session's jobs kept in a workspace. The form says what would not fit before the study starts; the engine
 * checks the rest (the split, the filter counts, the weights' hash) and refuses in words.
 */
import type { DistortionKind } from '../../../shared/distortions.ts';
import { rankingFileName, type RankingRunShape, type SavedRanking } from './opened-rankings.ts';

export interface RankingChoice {
  /** The file as the engine will read it. */
  path: string;
  /** What the user picks from: name, method, layers and levels. */
  label: string;
  ranking: SavedRanking;
}

/** The file a finished ranking lives in: an opened file's path, or where its job kept it in a workspace. */
export function rankingFile(run: RankingRunShape): string | undefined {
  if (run.path !== undefined) return run.path;
  const saved = run.job.result?.saved;
  if (saved === undefined) return undefined;
  // The workspace is absolute as the engine wrote it; the artefact's path is relative, with '/'.
  const sep = saved.workspace.includes('\\') && !saved.workspace.includes('/') ? '\\' : '/';
  return `${saved.workspace.replace(/[\\/]+$/, '')}${sep}${saved.path.split('/').join(sep)}`;
}

/** The rankings a study of this model can follow (oldest first, a file once), from its finished rankings. */
export function rankingChoices(runs: readonly RankingRunShape[]): RankingChoice[] {
  const byPath = new Map<string, RankingChoice>();
  for (const run of runs) {
    const path = rankingFile(run);
    const ranking = run.result;
    if (path === undefined || ranking === undefined) continue;
    const layers = ranking.layers.map((l) => l.layer).join(', ');
    const label = `${rankingFileName(path)}: ${ranking.method}, ${layers}, levels ${ranking.levels.join(', ')}`;
    byPath.delete(path);
    byPath.set(path, { path, label, ranking });
  }
  return [...byPath.values()];
}

/**
 * What keeps a study from following `ranking`, in words, or null: another distortion, other levels, or a layer
 * the study corrects (its own layers, and with `ablation` its variants' too) that the ranking does not rank.
 */
export function followProblem(
  ranking: SavedRanking,
  study: { kind: DistortionKind; levels: readonly number[]; layers: readonly string[]; ablation?: boolean },
): string | null {
  if (ranking.kind !== study.kind)
    return `The ranking file is a ${ranking.kind} ranking; the study is of ${study.kind}.`;
  const same =
    ranking.levels.length === study.levels.length && ranking.levels.every((l, i) => l === study.levels[i]);
  if (!same)
    return `The ranking file ranked at levels ${ranking.levels.join(', ')}; the study’s are ${study.levels.join(', ')}.`;
  const ranked = new Set(ranking.layers.map((l) => l.layer));
  const missing = [...new Set(study.layers)].filter((l) => !ranked.has(l));
  if (missing.length > 0)
    return `The ranking file does not rank ${missing.join(', ')}, which the study${study.ablation === true ? ' or its ablation' : ''} corrects.`;
  return null;
}
