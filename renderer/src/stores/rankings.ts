/**
 * Filter rankings (rank.filters jobs, and ranking files opened with rank.open) and oracle experiments
 * (rank.experiment jobs) of this session, by model: the Ranking view starts and shows them, the Correction view
 * takes its filter orders from them, and the Inspector steps through filters in their order. An opened file
 * counts for a model once attached to it (a file names its model only by name).
 */
import { defineStore } from 'pinia';
import { computed, markRaw, shallowRef } from 'vue';
import type { JobOf, RequestInput, RequestOutput } from '../../../shared/bridge/contract.ts';
import type { DistortionKind } from '../../../shared/distortions.ts';
import { useBridge } from '../bridge/inject.ts';
import {
  attachOpened,
  finishedFor,
  openedRun,
  withOpened,
  type OpenedRanking,
  type RankingRunShape,
} from '../lib/opened-rankings.ts';
import {
  SAVED_JOB_PREFIX,
  jobThatSaved,
  savedExperimentRun,
  withSaved,
  type SavedExperimentRun,
} from '../lib/saved-results.ts';
import { useJobs } from './jobs.ts';
import { useKeptJobs } from './keep-results.ts';
import { useModels } from './models.ts';
import { useToasts } from './toasts.ts';

export type RankInput = RequestInput<'rank.filters'>;
export type Ranking = RequestOutput<'rank.filters'>;
export type ExperimentInput = RequestInput<'rank.experiment'>;
export type Experiment = RequestOutput<'rank.experiment'>;

/** A job's ranking, or an attached ranking file's (with a stand-in job, status 'done', and its `path`). */
export type RankingRun = RankingRunShape;
export type { OpenedRanking };

export interface ExperimentRun {
  job: JobOf<'rank.experiment'>;
  input: ExperimentInput;
  result?: Experiment;
}

export const useRankings = defineStore('rankings', () => {
  const jobs = useJobs();
  const client = useBridge();
  const toasts = useToasts();
  const startKept = useKeptJobs();

  /** Every ranking job of the session, oldest first (their inputs and, once done, results). */
  const runs = computed<RankingRun[]>(() =>
    jobs.ofKind('rank.filters').map((job) => ({
      job,
      input: job.input,
      ...(job.status === 'done' && job.result !== undefined ? { result: job.result } : {}),
    })),
  );

  /** Oracle experiments opened from a workspace (experiments/<id>.json), oldest first. */
  const savedExperiments = shallowRef<SavedExperimentRun[]>([]);

  /** The experiment jobs of the session, then the saved ones opened. */
  const experiments = computed<ExperimentRun[]>(() => [
    ...jobs.ofKind('rank.experiment').map((job) => ({
      job,
      input: job.input,
      ...(job.status === 'done' && job.result !== undefined ? { result: job.result } : {}),
    })),
    ...savedExperiments.value,
  ]);

  /** Ranking files opened this session, oldest first (attached to a model or not). */
  const opened = shallowRef<OpenedRanking[]>([]);

  /** The opened files attached to a model, as runs. */
  const openedRuns = computed<RankingRun[]>(() =>
    opened.value.flatMap((o) => (o.modelId === undefined ? [] : [openedRun({ ...o, modelId: o.modelId })])),
  );

  /** The finished rankings of a model (for a distortion kind, when given), jobs' and files', oldest first. */
  function finishedRunsFor(modelId: string, kind?: DistortionKind): RankingRun[] {
    return finishedFor(runs.value, openedRuns.value, modelId, kind);
  }

  /** The newest finished ranking of a model (for a distortion kind, when given), a job's or an attached file's. */
  function latestFor(modelId: string, kind?: DistortionKind): RankingRun | undefined {
    return finishedRunsFor(modelId, kind).at(-1);
  }

  /** A layer's filter order (most important first) from the newest finished ranking of the model. */
  function orderFor(modelId: string, layer: string, kind?: DistortionKind): number[] | undefined {
    return latestFor(modelId, kind)?.result?.layers.find((l) => l.layer === layer)?.order;
  }

  /**
   * Opens a ranking file (rank.open) and attaches it to `modelId` when given; a file opened again replaces its
   * earlier entry. Errors are shown as toasts; resolves to the entry, or undefined when it failed.
   */
  async function openFile(path: string, modelId?: string): Promise<OpenedRanking | undefined> {
    try {
      const out = await client.request('rank.open', { path });
      const entry: OpenedRanking = {
        source: 'file',
        path: out.path,
        ranking: markRaw(out.ranking),
        ...(out.experiment === undefined ? {} : { experiment: markRaw(out.experiment) }),
        openedAt: Date.now(),
        ...(modelId === undefined ? {} : { modelId }),
      };
      opened.value = withOpened(opened.value, entry);
      return entry;
    } catch (error) {
      toasts.error(error, `Opening the ranking ${path}`);
      return undefined;
    }
  }

  /** Attaches an opened file to another open model (undefined: to none). */
  function attach(path: string, modelId: string | undefined): void {
    opened.value = attachOpened(opened.value, path, modelId);
  }

  function latestExperimentFor(modelId: string): ExperimentRun | undefined {
    return experiments.value.filter((r) => r.result !== undefined && r.input.modelId === modelId).at(-1);
  }

  /** Queues a ranking, saved into the open workspace when there is one. */
  function rank(input: RankInput): Promise<string | undefined> {
    return startKept('rank.filters', input);
  }

  /** Queues an oracle experiment, saved into the open workspace when there is one. */
  function experiment(input: ExperimentInput): Promise<string | undefined> {
    return startKept('rank.experiment', input);
  }

  /**
   * Shows a saved oracle experiment again, under its model opened from the folder it recorded (or the model
   * given, when that folder is gone). Resolves to the run and the model it is shown under.
   */
  async function openSavedExperiment(
    path: string,
    fallbackModelId?: string,
  ): Promise<{ run: ExperimentRun; modelId: string } | undefined> {
    const job = jobThatSaved(jobs.all, path);
    const own = experiments.value.find((e) => e.job.id === job?.id);
    if (own !== undefined) return { run: own, modelId: own.input.modelId };
    try {
      const opened = await client.request('result.open', { path });
      const model = opened.modelPath === null ? undefined : await useModels().open(opened.modelPath, false);
      const modelId = model?.modelId ?? fallbackModelId ?? `${SAVED_JOB_PREFIX}${opened.path}`;
      const run = savedExperimentRun({ ...opened, saved: markRaw(opened.saved) }, modelId, Date.now());
      if (run === undefined) throw new Error(`${path} is not a saved oracle experiment`);
      savedExperiments.value = withSaved(savedExperiments.value, run);
      return { run, modelId };
    } catch (error) {
      toasts.error(error, `Opening the oracle experiment ${path}`);
      return undefined;
    }
  }

  return {
    runs,
    experiments,
    opened,
    openedRuns,
    finishedRunsFor,
    latestFor,
    orderFor,
    latestExperimentFor,
    rank,
    experiment,
    savedExperiments,
    openSavedExperiment,
    openFile,
    attach,
  };
});
