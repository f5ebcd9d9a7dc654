/** Baseline training runs: the one the Models view shows, and what it was asked to do (its job's input). */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { RequestInput } from '../../../shared/bridge/contract.ts';
import { useJobs } from './jobs.ts';

export type TrainInput = RequestInput<'demo.train'>;

export const useTraining = defineStore('training', () => {
  const jobs = useJobs();
  const lastStarted = ref<string | null>(null);

  /** The run the Models view shows: the last one started here, else the engine's latest. */
  const current = computed(() => {
    const mine = lastStarted.value === null ? undefined : jobs.get(lastStarted.value);
    return mine ?? jobs.latest('demo.train');
  });

  async function start(input: TrainInput): Promise<void> {
    const id = await jobs.startJob('demo.train', input);
    if (id !== undefined) lastStarted.value = id;
  }

  /** A run's input, carried by its job events (the engine validated it against the contract). */
  function inputOf(id: string): TrainInput | undefined {
    return jobs.get(id)?.input as TrainInput | undefined;
  }

  return { current, start, inputOf };
});
