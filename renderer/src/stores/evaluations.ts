/**
 * Accuracy evaluations (models.evaluate jobs) of this session, by model: the Evaluation view starts and plots
 * them, the Models view's card shows a model's clean accuracy from them.
 */
import { defineStore } from 'pinia';
import { computed } from 'vue';
import type { JobOf, RequestInput, RequestOutput } from '../../../shared/bridge/contract.ts';
import type { DistortionKind } from '../../../shared/distortions.ts';
import { useJobs } from './jobs.ts';

export type EvaluateInput = RequestInput<'models.evaluate'>;
export type Evaluation = RequestOutput<'models.evaluate'>;

export interface EvaluationRun {
  job: JobOf<'models.evaluate'>;
  input: EvaluateInput;
  result?: Evaluation;
}

export const useEvaluations = defineStore('evaluations', () => {
  const jobs = useJobs();

  /** Every evaluation job of the session, oldest first (their inputs and, once done, results). */
  const runs = computed<EvaluationRun[]>(() =>
    jobs.ofKind('models.evaluate').map((job) => ({
      job,
      input: job.input,
      ...(job.status === 'done' && job.result !== undefined ? { result: job.result } : {}),
    })),
  );

  const finished = computed(() => runs.value.filter((r) => r.result !== undefined));

  function byId(jobId: string): EvaluationRun | undefined {
    return runs.value.find((r) => r.job.id === jobId);
  }

  /** The newest finished evaluation of a model (of a distortion kind, when given). */
  function latestFor(modelId: string, kind?: DistortionKind): EvaluationRun | undefined {
    return finished.value
      .filter((r) => r.input.modelId === modelId && (kind === undefined || r.input.spec.kind === kind))
      .at(-1);
  }

  /**
   * A model's clean top-1 from its newest finished evaluation, preferring the whole test split (no
   * perClass subset) over a subset; with the split and the number of images it was measured on.
   */
  function cleanAccuracyFor(
    modelId: string,
  ): { top1: number; split: string; images: number; run: EvaluationRun } | undefined {
    const mine = finished.value.filter((r) => r.input.modelId === modelId);
    const run =
      mine.filter((r) => r.input.split === 'test' && r.input.perClass === undefined).at(-1) ?? mine.at(-1);
    const clean = run?.result?.conditions.find((c) => c.level === undefined);
    if (run === undefined || run.result === undefined || clean === undefined) return undefined;
    return { top1: clean.top1, split: run.input.split, images: run.result.images, run };
  }

  /** The model's evaluation still queued or running, if any. */
  function activeFor(modelId: string): EvaluationRun | undefined {
    return runs.value.find(
      (r) => r.input.modelId === modelId && (r.job.status === 'queued' || r.job.status === 'running'),
    );
  }

  function evaluate(input: EvaluateInput): Promise<string | undefined> {
    return jobs.startJob('models.evaluate', input);
  }

  return { runs, finished, byId, latestFor, cleanAccuracyFor, activeFor, evaluate };
});
