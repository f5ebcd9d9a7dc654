/**
 * Baseline training runs started from this window, with what they were asked to do: a job event carries the
 * job's result but not its input, and the accuracy chart needs the distortion kind for its axis.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { RequestInput } from '../../../shared/bridge/contract.ts';
import { useJobs } from './jobs.ts';

export type TrainInput = RequestInput<'demo.train'>;

export const useTraining = defineStore('training', () => {
  const jobs = useJobs();
  const inputs = ref(new Map<string, TrainInput>());
  const lastStarted = ref<string | null>(null);

  /** The run the Models view shows: the last one started here, else the engine's latest. */
  const current = computed(() => {
    const mine = lastStarted.value === null ? undefined : jobs.get(lastStarted.value);
    return mine ?? jobs.latest('demo.train');
  });

  async function start(input: TrainInput): Promise<void> {
    const id = await jobs.startJob('demo.train', input);
    if (id === undefined) return;
    inputs.value.set(id, input);
    lastStarted.value = id;
  }

  function inputOf(id: string): TrainInput | undefined {
    return inputs.value.get(id);
  }

  return { current, start, inputOf };
});
