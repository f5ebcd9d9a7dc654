/**
 * Rankings opened from files (rank.open: a workspace's rankings/<id>.json, a study's ranking.json, the file of
 * `deepcorrect rank --out`) beside the rankings of this session's rank.filters jobs. A file names its model only
 * by name, so the user attaches it to an open model; attached, it is shown and used like a job's ranking.
 */
import type { JobOf, RequestInput, RequestOutput } from '../../../shared/bridge/contract.ts';

export type SavedRanking = RequestOutput<'rank.open'>['ranking'];
export type SavedExperiment = NonNullable<RequestOutput<'rank.open'>['experiment']>;
export type RankInput = RequestInput<'rank.filters'>;

export interface OpenedRanking {
  source: 'file';
  /** The file's absolute path (as the engine resolved it). */
  path: string;
  ranking: SavedRanking;
  /** The oracle experiment saved with the ranking, if any. */
  experiment?: SavedExperiment;
  /** The open model it belongs to, once attached. */
  modelId?: string;
  /** When it was opened (ms since the epoch): opened rankings and job rankings are ordered by time. */
  openedAt: number;
}

/** A ranking as the views use it: a job's, or a file's with a stand-in job (status 'done') and `path`. */
export interface RankingRunShape {
  job: JobOf<'rank.filters'>;
  input: RankInput;
  result?: SavedRanking;
  /** Set for a ranking opened from a file. */
  path?: string;
  /** The oracle experiment saved in that file, if any. */
  experiment?: SavedExperiment;
}

/** The prefix of the stand-in job ids of opened rankings (never an engine job id). */
export const OPENED_JOB_PREFIX = 'file:';

/** The last part of a path, for either separator. */
export function rankingFileName(path: string): string {
  const parts = path.split(/[\\/]/).filter((p) => p !== '');
  return parts.at(-1) ?? path;
}

/** The list with `entry` added; a file opened again replaces its earlier entry (and moves to the end). */
export function withOpened(list: readonly OpenedRanking[], entry: OpenedRanking): OpenedRanking[] {
  return [...list.filter((o) => o.path !== entry.path), entry];
}

/** The list with the file at `path` attached to `modelId` (or detached with undefined). */
export function attachOpened(
  list: readonly OpenedRanking[],
  path: string,
  modelId: string | undefined,
): OpenedRanking[] {
  return list.map((o) => {
    if (o.path !== path) return o;
    const { modelId: _old, ...rest } = o;
    return modelId === undefined ? rest : { ...rest, modelId };
  });
}

/**
 * An attached opened ranking as a run: the input a rank.filters job would have had (its distortion kind without
 * kind-specific options, which the file does not keep; datasetId '' as the file names its dataset only by name).
 */
export function openedRun(opened: OpenedRanking & { modelId: string }): RankingRunShape {
  const r = opened.ranking;
  const name = rankingFileName(opened.path);
  const input: RankInput = {
    modelId: opened.modelId,
    datasetId: '',
    layers: r.layers.map((l) => l.layer),
    spec: { kind: r.kind },
    levels: [...r.levels],
    seed: r.seed,
    ...(r.rankImages === undefined ? {} : { images: r.rankImages }),
    ...(r.perClass === undefined ? {} : { perClass: r.perClass }),
    method: r.method,
    ...(r.tauKind === undefined ? {} : { tau: r.tauKind }),
  };
  return {
    job: {
      id: `${OPENED_JOB_PREFIX}${opened.path}`,
      name: 'rank.filters',
      title: `Ranking file ${name}`,
      status: 'done',
      input,
      result: r,
      queuedAt: opened.openedAt,
      endedAt: opened.openedAt,
    },
    input,
    result: r,
    path: opened.path,
    ...(opened.experiment === undefined ? {} : { experiment: opened.experiment }),
  };
}

/** When a run's ranking became available: a job's end (else its queueing), a file's opening. */
function runTime(run: RankingRunShape): number {
  return run.job.endedAt ?? run.job.queuedAt;
}

/**
 * The finished rankings of a model (of a distortion kind, when given), jobs and attached files together,
 * oldest first (a stable sort: equal times keep jobs before files, each in its own order).
 */
export function finishedFor<T extends RankingRunShape>(
  jobRuns: readonly T[],
  fileRuns: readonly T[],
  modelId: string,
  kind?: string,
): T[] {
  return [...jobRuns, ...fileRuns]
    .filter((r) => r.result !== undefined && r.input.modelId === modelId)
    .filter((r) => kind === undefined || r.input.spec.kind === kind)
    .map((run, i) => ({ run, i }))
    .sort((a, b) => runTime(a.run) - runTime(b.run) || a.i - b.i)
    .map((x) => x.run);
}
