/**
 * Accuracy evaluations (models.evaluate jobs) of this session, and evaluations saved in a workspace opened
 * again, by model: the Evaluation view starts and plots them, the Models view's card shows a model's clean
 * accuracy from them. An evaluation started while a workspace is open is saved into it.
 */
import { defineStore } from 'pinia';
import { computed, markRaw, shallowRef } from 'vue';
import type { JobOf, RequestInput, RequestOutput } from '../../../shared/bridge/contract.ts';
import type { DistortionKind } from '../../../shared/distortions.ts';
import { useBridge } from '../bridge/inject.ts';
import {
  SAVED_JOB_PREFIX,
  jobThatSaved,
  savedEvaluationRun,
  withSaved,
  type SavedEvaluationRun,
} from '../lib/saved-results.ts';
import { useJobs } from './jobs.ts';
import { useKeptJobs } from './keep-results.ts';
import { useModels } from './models.ts';
import { useToasts } from './toasts.ts';

export type EvaluateInput = RequestInput<'models.evaluate'>;
export type Evaluation = RequestOutput<'models.evaluate'>;

export interface EvaluationRun {
  job: JobOf<'models.evaluate'>;
  input: EvaluateInput;
  result?: Evaluation;
  /** A saved evaluation's model name, for a model that is not open (its modelId is a stand-in). */
  label?: string;
}

export const useEvaluations = defineStore('evaluations', () => {
  const jobs = useJobs();
  const client = useBridge();
  const toasts = useToasts();
  const startKept = useKeptJobs();

  /** Evaluations opened from a workspace, oldest first. */
  const saved = shallowRef<SavedEvaluationRun[]>([]);

  /** Every evaluation job of the session, then the saved ones opened, oldest first. */
  const runs = computed<EvaluationRun[]>(() => [
    ...jobs.ofKind('models.evaluate').map((job) => ({
      job,
      input: job.input,
      ...(job.status === 'done' && job.result !== undefined ? { result: job.result } : {}),
    })),
    ...saved.value,
  ]);

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

  /** Queues an evaluation, saved into the open workspace when there is one. */
  function evaluate(input: EvaluateInput): Promise<string | undefined> {
    return startKept('models.evaluate', input);
  }

  /**
   * Shows a saved evaluation (a workspace's evaluations/<id>.json) again: its model is opened from the folder
   * it recorded when that still exists, so that the run sits beside the model's other runs; otherwise it is
   * shown under the name it was saved with. Resolves to the run, or undefined when the file could not be read.
   */
  async function openSaved(path: string): Promise<EvaluationRun | undefined> {
    const job = jobThatSaved(jobs.all, path);
    if (job !== undefined) return byId(job.id);
    try {
      const opened = await client.request('result.open', { path });
      const model = opened.modelPath === null ? undefined : await useModels().open(opened.modelPath, false);
      const run = savedEvaluationRun(
        { ...opened, saved: markRaw(opened.saved) },
        model?.modelId ?? `${SAVED_JOB_PREFIX}${opened.path}`,
        Date.now(),
      );
      if (run === undefined) throw new Error(`${path} is not a saved evaluation`);
      saved.value = withSaved(saved.value, run);
      return run;
    } catch (error) {
      toasts.error(error, `Opening the evaluation ${path}`);
      return undefined;
    }
  }

  return { runs, finished, saved, byId, latestFor, cleanAccuracyFor, activeFor, evaluate, openSaved };
});
