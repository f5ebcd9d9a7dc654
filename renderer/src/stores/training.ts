/**
 * Baseline training runs (models.train jobs): the form's settings (kept while the user moves between views),
 * the run the Models view shows, and the model each finished run made, opened and selected once it is done.
 */
import { defineStore } from 'pinia';
import { computed, reactive, ref, watch } from 'vue';
import type { RequestOutput } from '../../../shared/bridge/contract.ts';
import { defaultTrainForm, type TrainBaselineInput } from '../lib/train-baseline.ts';
import { useJobs } from './jobs.ts';
import { useKeptJobs } from './keep-results.ts';
import { useModels } from './models.ts';

export type TrainInput = TrainBaselineInput;
export type TrainOutput = RequestOutput<'models.train'>;

export const useTraining = defineStore('training', () => {
  const jobs = useJobs();
  const models = useModels();
  const startKept = useKeptJobs();
  const form = reactive(defaultTrainForm());
  const lastStarted = ref<string | null>(null);
  /** Runs started from this page whose model is opened (or being opened) already. */
  const opened = new Set<string>();

  /** The run the Models view shows: the last one started here, else the engine's latest. */
  const current = computed(() => {
    const mine = lastStarted.value === null ? undefined : jobs.get(lastStarted.value, 'models.train');
    return mine ?? jobs.latest('models.train');
  });

  async function start(input: TrainInput): Promise<string | undefined> {
    // Trained into the form's folder; a copy of the model is kept in the open workspace, if any.
    const id = await startKept('models.train', input);
    if (id !== undefined) lastStarted.value = id;
    return id;
  }

  /** A run's input, carried by its job events (the engine validated it against the contract). */
  function inputOf(id: string): TrainInput | undefined {
    return jobs.get(id, 'models.train')?.input;
  }

  // A run started here opens its model when it finishes, and selects it.
  watch(
    () => {
      const id = lastStarted.value;
      const job = id === null ? undefined : jobs.get(id, 'models.train');
      return job?.status === 'done' ? job : undefined;
    },
    (job) => {
      if (job === undefined || opened.has(job.id)) return;
      opened.add(job.id);
      if (job.result !== undefined) void models.open(job.result.modelDir);
    },
  );

  return { form, current, start, inputOf };
});
