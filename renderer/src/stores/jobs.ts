/**
 * Every job the engine runs this session (training, distorting to disk, later ranking and correction), kept
 * current from the bridge's job events, with the history of each job's progress figures for live charts.
 */
import { defineStore } from 'pinia';
import { computed, reactive, ref } from 'vue';
import type { JobInfo, JobName, RequestInput } from '../../../shared/bridge/contract.ts';
import { BridgeError } from '../../../shared/bridge/protocol.ts';
import { useBridge } from '../bridge/inject.ts';
import { useToasts } from './toasts.ts';

/** One progress event's figures, for charts of a job's loss over its course. */
export interface ProgressPoint {
  fraction: number;
  metrics: Record<string, number>;
}

const TERMINAL = new Set<JobInfo['status']>(['done', 'failed', 'cancelled']);
/** Points kept per job; beyond that every other one is dropped, which keeps the curve's shape. */
const MAX_POINTS = 2000;

export function isActive(job: JobInfo): boolean {
  return !TERMINAL.has(job.status);
}

export const useJobs = defineStore('jobs', () => {
  const client = useBridge();
  const toasts = useToasts();
  const byId = ref(new Map<string, JobInfo>());
  const histories = reactive(new Map<string, ProgressPoint[]>());
  let stop: (() => void) | undefined;

  /** Oldest first, the order the engine queued them. */
  const all = computed(() => [...byId.value.values()].sort((a, b) => a.queuedAt - b.queuedAt));
  const active = computed(() => all.value.filter(isActive));

  function upsert(job: JobInfo, announce: boolean): void {
    const before = byId.value.get(job.id);
    // Events travel in order, but a terminal status must never be undone by a stale snapshot.
    if (before !== undefined && TERMINAL.has(before.status) && !TERMINAL.has(job.status)) return;
    byId.value.set(job.id, job);
    const metrics = job.progress?.metrics;
    if (metrics !== undefined && job.status === 'running')
      record(job.id, job.progress?.fraction ?? 0, metrics);
    if (announce && job.status === 'failed' && (before === undefined || !TERMINAL.has(before.status)))
      toasts.error(failure(job), `The job “${job.title}”`);
  }

  function record(id: string, fraction: number, metrics: Record<string, number>): void {
    let points = histories.get(id);
    if (points === undefined) {
      points = [];
      histories.set(id, points);
    }
    points.push({ fraction, metrics: { ...metrics } });
    if (points.length > MAX_POINTS)
      histories.set(
        id,
        points.filter((_, i) => i % 2 === 0),
      );
  }

  /** Subscribes to job events, then fetches the jobs that started before this page did. */
  async function start(): Promise<void> {
    if (stop !== undefined) return;
    stop = client.onJob((job) => upsert(job, true));
    try {
      const { jobs } = await client.request('jobs.list', {});
      // The list answers after every event sent before it, so it is at least as new as what came first.
      for (const job of jobs) upsert(job, false);
    } catch (error) {
      toasts.error(error, 'Listing the engine’s jobs');
    }
  }

  /** Queues a job; its id, or undefined when the engine refused it (the toast says why). */
  async function startJob<N extends JobName>(name: N, input: RequestInput<N>): Promise<string | undefined> {
    try {
      return await client.startJob(name, input);
    } catch (error) {
      toasts.error(error, 'Starting the job');
      return undefined;
    }
  }

  async function cancel(id: string): Promise<void> {
    try {
      await client.cancel(id);
    } catch (error) {
      toasts.error(error, 'Cancelling the job');
    }
  }

  function get(id: string): JobInfo | undefined {
    return byId.value.get(id);
  }

  /** The most recently queued job of a kind. */
  function latest(name: JobName): JobInfo | undefined {
    return all.value.filter((j) => j.name === name).at(-1);
  }

  function history(id: string): readonly ProgressPoint[] {
    return histories.get(id) ?? [];
  }

  return { all, active, start, startJob, cancel, get, latest, history };
});

/** A failed job's error as a BridgeError, its code telling a crashed engine from a failed computation. */
function failure(job: JobInfo): BridgeError {
  return new BridgeError(job.errorCode ?? 'engine', job.error ?? 'the job failed without a message');
}
