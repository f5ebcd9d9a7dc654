/**
 * Filter rankings (rank.filters jobs) and oracle experiments (rank.experiment jobs) of this session, by model:
 * the Ranking view starts and shows them, the Correction view takes its filter orders from them, and the
 * Inspector steps through filters in their order.
 */
import { defineStore } from 'pinia';
import { computed } from 'vue';
import type { JobInfo, RequestInput, RequestOutput } from '../../../shared/bridge/contract.ts';
import type { DistortionKind } from '../../../shared/distortions.ts';
import { useJobs } from './jobs.ts';

export type RankInput = RequestInput<'rank.filters'>;
export type Ranking = RequestOutput<'rank.filters'>;
export type ExperimentInput = RequestInput<'rank.experiment'>;
export type Experiment = RequestOutput<'rank.experiment'>;

export interface RankingRun {
  job: JobInfo;
  input: RankInput;
  result?: Ranking;
}

export interface ExperimentRun {
  job: JobInfo;
  input: ExperimentInput;
  result?: Experiment;
}

export const useRankings = defineStore('rankings', () => {
  const jobs = useJobs();

  /** Every ranking job of the session, oldest first (their inputs and, once done, results). */
  const runs = computed<RankingRun[]>(() =>
    jobs.all
      .filter((j) => j.name === 'rank.filters')
      .map((job) => ({
        job,
        input: job.input as RankInput,
        ...(job.status === 'done' ? { result: job.result as Ranking } : {}),
      })),
  );

  const experiments = computed<ExperimentRun[]>(() =>
    jobs.all
      .filter((j) => j.name === 'rank.experiment')
      .map((job) => ({
        job,
        input: job.input as ExperimentInput,
        ...(job.status === 'done' ? { result: job.result as Experiment } : {}),
      })),
  );

  /** The newest finished ranking of a model (for a distortion kind, when given). */
  function latestFor(modelId: string, kind?: DistortionKind): RankingRun | undefined {
    return runs.value
      .filter((r) => r.result !== undefined && r.input.modelId === modelId)
      .filter((r) => kind === undefined || r.input.spec.kind === kind)
      .at(-1);
  }

  /** A layer's filter order (most important first) from the newest finished ranking of the model. */
  function orderFor(modelId: string, layer: string, kind?: DistortionKind): number[] | undefined {
    return latestFor(modelId, kind)?.result?.layers.find((l) => l.layer === layer)?.order;
  }

  function latestExperimentFor(modelId: string): ExperimentRun | undefined {
    return experiments.value.filter((r) => r.result !== undefined && r.input.modelId === modelId).at(-1);
  }

  function rank(input: RankInput): Promise<string | undefined> {
    return jobs.startJob('rank.filters', input);
  }

  function experiment(input: ExperimentInput): Promise<string | undefined> {
    return jobs.startJob('rank.experiment', input);
  }

  return { runs, experiments, latestFor, orderFor, latestExperimentFor, rank, experiment };
});
