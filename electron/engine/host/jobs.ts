import { randomUUID } from 'node:crypto';
import type { JobInfo, JobName } from '../../../shared/bridge/contract.ts';
import type { Progress } from '../../../shared/progress.ts';
import { gpuJobError, onGpuFault } from '../backend/gpu-errors.ts';
import { recoverFromGpuFault } from '../backend/probes.ts';
import { errorCode } from '../errors/error-code.ts';

export interface JobContext {
  signal: AbortSignal;
  progress: (p: Progress) => void;
}

export type JobRun = (context: JobContext) => Promise<unknown>;

interface Entry {
  info: JobInfo;
  run: JobRun;
  abort: AbortController;
}

/** How a job ended; the result is its request's output (see submit). */
interface JobEnd {
  status: JobInfo['status'];
  result?: unknown;
  error?: string;
  errorCode?: JobInfo['errorCode'];
}

/** Progress events are sent at most this often per job: enough for a smooth bar, cheap for the bridge. */
const PROGRESS_INTERVAL_MS = 100;

/**
 * Finished jobs (done, failed, cancelled) kept, the most recently finished; older ones are dropped, queued and
 * running ones never. The gateway keeps its own table of the same size and answers jobs.list from it
 * (engine-client.ts): it outlives a crashed host. This one is the host's own record (list, activeInputs).
 */
export const MAX_FINISHED_JOBS = 100;

/**
 * Long jobs, one at a time (each uses every core), in the order they came. A job's state changes are
 * published as whole JobInfo records, its progress apart (at most every PROGRESS_INTERVAL_MS); cancelling a
 * queued job ends it at once, a running one through its AbortSignal, which every engine operation checks at
 * least once a batch.
 */
export class JobQueue {
  private readonly entries = new Map<string, Entry>();
  /** Ids of finished jobs, in the order they finished. */
  private readonly finished: string[] = [];
  private readonly waiting: Entry[] = [];
  private running: Entry | undefined;
  private nextId = 1;
  /** Ids are `job-<tag>-<n>`: a restarted host counts from 1 again, under another tag. */
  private readonly tag = randomUUID().slice(0, 8);

  constructor(
    private readonly publish: (job: JobInfo) => void,
    private readonly publishProgress: (jobId: string, progress: Progress) => void = () => undefined,
    private readonly keepFinished = MAX_FINISHED_JOBS,
  ) {}

  /**
   * Queues a job of request `name`. The input was checked against the request's schema by the gateway, and the
   * run returns the request's output (the use case is typed so), so the record is that request's JobInfo.
   */
  submit(name: JobName, title: string, input: unknown, run: JobRun): string {
    const id = `job-${this.tag}-${this.nextId++}`;
    const info = { id, name, title, input, status: 'queued', queuedAt: Date.now() } as JobInfo;
    const entry: Entry = { info, run, abort: new AbortController() };
    this.entries.set(id, entry);
    this.waiting.push(entry);
    this.publish({ ...entry.info });
    void this.pump();
    return id;
  }

  list(): JobInfo[] {
    return [...this.entries.values()].map((e) => ({ ...e.info }));
  }

  /** The inputs of queued and running jobs (the models and datasets they name must stay open). */
  activeInputs(): unknown[] {
    const inputs: unknown[] = [];
    for (const { info } of this.entries.values())
      if (info.status === 'queued' || info.status === 'running') inputs.push(info.input);
    return inputs;
  }

  cancel(id: string): boolean {
    const entry = this.entries.get(id);
    if (entry === undefined) return false;
    const { status } = entry.info;
    if (status === 'queued') {
      this.waiting.splice(this.waiting.indexOf(entry), 1);
      this.finish(entry, { status: 'cancelled' });
      return true;
    }
    if (status === 'running') {
      entry.abort.abort();
      return true;
    }
    return false;
  }

  private async pump(): Promise<void> {
    if (this.running !== undefined) return;
    const entry = this.waiting.shift();
    if (entry === undefined) return;
    this.running = entry;
    entry.info = { ...entry.info, status: 'running', startedAt: Date.now() };
    this.publish({ ...entry.info });
    let last = 0;
    let stage = 'start';
    const context: JobContext = {
      signal: entry.abort.signal,
      progress: (p) => {
        stage = p.stage;
        const now = Date.now();
        if (now - last < PROGRESS_INTERVAL_MS && p.fraction < 1) return;
        last = now;
        this.publishProgress(entry.info.id, p);
      },
    };
    // A GPU failure (lost device, out of memory) stops the job at its next batch like a cancel, then fails it.
    const stopWatching = onGpuFault(() => entry.abort.abort());
    const step = (): string => `job "${entry.info.title}", step "${stage}"`;
    const failed = async (error: unknown): Promise<JobEnd> => {
      const gpu = gpuJobError(error, { step: step() });
      if (gpu !== undefined)
        return { status: 'failed', error: `${gpu.message}${await recovered()}`, errorCode: errorCode(gpu) };
      if (entry.abort.signal.aborted) return { status: 'cancelled' };
      const message = error instanceof Error ? error.message : String(error);
      return { status: 'failed', error: message, errorCode: errorCode(error) };
    };
    try {
      const result = await entry.run(context);
      const gpu = gpuJobError(undefined, { step: step() });
      this.finish(entry, gpu === undefined ? { status: 'done', result } : await failed(gpu));
    } catch (error) {
      this.finish(entry, await failed(error));
    } finally {
      stopWatching();
      this.running = undefined;
      void this.pump();
    }
  }

  private finish(entry: Entry, end: JobEnd): void {
    entry.info = { ...entry.info, ...end, endedAt: Date.now() } as JobInfo;
    this.publish({ ...entry.info });
    this.finished.push(entry.info.id);
    if (this.finished.length > this.keepFinished)
      for (const id of this.finished.splice(0, this.finished.length - this.keepFinished))
        this.entries.delete(id);
  }
}

/** Makes the engine usable again after a GPU failure; what it did, as a sentence to append to the job's error. */
async function recovered(): Promise<string> {
  const done = await recoverFromGpuFault();
  return done === undefined ? '' : `. Then ${done}`;
}
