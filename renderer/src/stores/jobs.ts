/**
 * Every job the engine runs this session, kept current from the bridge's job events: the records (status,
 * input, result), and apart from them each running job's progress and the history of its figures for live
 * charts. A progress tick changes only the progress, so what reads records (the stores of rankings,
 * evaluations, studies, and every list of jobs) is not recomputed ten times a second.
 */
import { defineStore } from 'pinia';
import { computed, reactive, shallowReactive } from 'vue';
import {
  isJobOf,
  type JobInfo,
  type JobName,
  type JobOf,
  type RequestInput,
} from '../../../shared/bridge/contract.ts';
import { jobError } from '../../../shared/bridge/client.ts';
import type { Progress } from '../../../shared/progress.ts';
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
  // Shallow: a record is a snapshot, replaced whole when the job changes, and a result can be large.
  const byId = shallowReactive(new Map<string, JobInfo>());
  const progress = shallowReactive(new Map<string, Progress>());
  const histories = reactive(new Map<string, ProgressPoint[]>());
  let stop: (() => void) | undefined;

  /** Oldest first, the order the engine queued them. */
  const all = computed(() => [...byId.values()].sort((a, b) => a.queuedAt - b.queuedAt));
  const active = computed(() => all.value.filter(isActive));

  function upsert(job: JobInfo, announce: boolean): void {
    const before = byId.get(job.id);
    // Events travel in order, but a terminal status must never be undone by a stale snapshot.
    if (before !== undefined && TERMINAL.has(before.status) && !TERMINAL.has(job.status)) return;
    byId.set(job.id, job);
    if (announce && job.status === 'failed' && (before === undefined || !TERMINAL.has(before.status)))
      toasts.error(jobError(job), `The job “${job.title}”`);
  }

  function advance(id: string, p: Progress, chart: boolean): void {
    progress.set(id, p);
    if (!chart || p.metrics === undefined) return;
    let points = histories.get(id);
    if (points === undefined) {
      points = [];
      histories.set(id, points);
    }
    points.push({ fraction: p.fraction, metrics: { ...p.metrics } });
    if (points.length > MAX_POINTS)
      histories.set(
        id,
        points.filter((_, i) => i % 2 === 0),
      );
  }

  /** Subscribes to job events, then fetches the jobs that started before this page did. */
  async function start(): Promise<void> {
    if (stop !== undefined) return;
    const stopJobs = client.onJob((job) => upsert(job, true));
    const stopProgress = client.onProgress((id, p) => advance(id, p, true));
    stop = () => {
      stopJobs();
      stopProgress();
    };
    try {
      const list = await client.request('jobs.list', {});
      // The list answers after every event sent before it, so it is at least as new as what came first.
      for (const job of list.jobs) upsert(job, false);
      for (const [id, p] of Object.entries(list.progress)) advance(id, p, byId.get(id)?.status === 'running');
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

  /** A job by id; given a request name, only a job of that request, with its input and result typed. */
  function get(id: string): JobInfo | undefined;
  function get<N extends JobName>(id: string, name: N): JobOf<N> | undefined;
  function get(id: string, name?: JobName): JobInfo | undefined {
    const job = byId.get(id);
    return name === undefined || job?.name === name ? job : undefined;
  }

  /** The jobs of one request, oldest first, with their inputs and results typed. */
  function ofKind<N extends JobName>(name: N): JobOf<N>[] {
    return all.value.filter((j) => isJobOf(j, name));
  }

  /** The most recently queued job of a request. */
  function latest<N extends JobName>(name: N): JobOf<N> | undefined {
    return ofKind(name).at(-1);
  }

  /** A job's latest progress (kept once it ended, where it stopped). */
  function progressOf(id: string): Progress | undefined {
    return progress.get(id);
  }

  function history(id: string): readonly ProgressPoint[] {
    return histories.get(id) ?? [];
  }

  return { all, active, start, startJob, cancel, get, ofKind, latest, progressOf, history };
});
