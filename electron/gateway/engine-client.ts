import type { JobInfo } from '../../shared/bridge/contract.ts';
import { BridgeError, type BridgeErrorInfo } from '../../shared/bridge/protocol.ts';
import type { Progress } from '../../shared/progress.ts';
import type { HostInbound, HostOutbound } from '../engine/host/main.ts';

/** A running engine host, whatever started it (a Node child process, an Electron utilityProcess). */
export interface HostProcess {
  /** The OS process id, where there is one (for logs and for the crash tests). */
  readonly pid?: number | undefined;
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number | null, signal?: string | null) => void): void;
  kill(): void;
}

export type HostSpawner = () => HostProcess;

interface Pending {
  name: string;
  resolve: (output: unknown) => void;
  reject: (error: BridgeError) => void;
}

/** More crashes than this within a minute and the host is not started again: something is wrong at start. */
const MAX_RESTARTS_PER_MINUTE = 5;

/**
 * Finished jobs (done, failed, cancelled) the table keeps, the most recently finished; queued and running ones
 * are always kept. This table answers jobs.list, which a page reads when it loads: its views show the results
 * of these (a long session's evaluations and rankings), and the page keeps every job it saw live itself.
 * Results are a few kB to a few hundred kB (a ResNet's filter orders), so this is at most tens of MB.
 */
export const MAX_FINISHED_JOBS = 100;

/**
 * The gateway's handle on the engine host: forwards requests, keeps the table of jobs from the host's events,
 * and when the host dies (a crash, an out-of-memory kill) fails what it was doing with a message that says
 * so, then starts a new one, so the app and the other jobs' records live on. Job ids pass unchanged: the host
 * makes them unique across its restarts.
 */
export class EngineClient {
  private host!: HostProcess;
  private generation = 0;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly jobs = new Map<string, JobInfo>();
  /** The latest progress of the jobs in the table that reported any. */
  private readonly progress = new Map<string, Progress>();
  /** Ids of finished jobs in the order they finished, for dropping the oldest. */
  private readonly finished: string[] = [];
  private readonly listeners = new Set<(job: JobInfo) => void>();
  private readonly progressListeners = new Set<(jobId: string, progress: Progress) => void>();
  private readonly crashes: number[] = [];
  private closing = false;
  private stopped: BridgeError | undefined;
  private readyResolve!: () => void;
  /** Resolves once the current host has chosen its backend. */
  ready!: Promise<void>;

  constructor(
    private readonly spawn: HostSpawner,
    private readonly log: (line: string) => void,
    private readonly keepFinished = MAX_FINISHED_JOBS,
  ) {
    this.start();
  }

  request(name: string, input: unknown): Promise<unknown> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    const message: HostInbound = { kind: 'request', id, name, input };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { name, resolve, reject });
      this.host.postMessage(message);
    });
  }

  /** The current host's process id (tests kill it to check recovery). */
  get hostPid(): number | undefined {
    return this.host.pid;
  }

  jobList(): JobInfo[] {
    return [...this.jobs.values()];
  }

  /** The latest progress of the jobs in the table, by id. */
  jobProgress(): Record<string, Progress> {
    return Object.fromEntries(this.progress);
  }

  /** Job records as they change (queued, started, ended). */
  onJob(listener: (job: JobInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Running jobs' progress, apart from their records. */
  onProgress(listener: (jobId: string, progress: Progress) => void): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
  }

  /** Asks the host to stop, and kills it if it has not within two seconds. */
  async close(): Promise<void> {
    this.closing = true;
    const host = this.host;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        host.kill();
        resolve();
      }, 2000);
      host.onExit(() => {
        clearTimeout(timer);
        resolve();
      });
      host.postMessage({ kind: 'shutdown' } satisfies HostInbound);
    });
  }

  private start(): void {
    this.generation++;
    const generation = this.generation;
    this.ready = new Promise((resolve) => (this.readyResolve = resolve));
    this.host = this.spawn();
    this.host.onMessage((raw) => {
      if (generation === this.generation) this.receive(raw as HostOutbound);
    });
    this.host.onExit((code, signal) => {
      if (generation === this.generation) this.exited(code, signal ?? null);
    });
  }

  private receive(message: HostOutbound): void {
    switch (message.kind) {
      case 'ready':
        this.log(`engine host ready on the ${message.backend} backend`);
        this.readyResolve();
        return;
      case 'log':
        this.log(`engine: ${message.line}`);
        return;
      case 'job':
        this.record(message.job);
        return;
      case 'progress':
        if (!this.jobs.has(message.jobId)) return;
        this.progress.set(message.jobId, message.progress);
        for (const l of this.progressListeners) l(message.jobId, message.progress);
        return;
      case 'reply': {
        const p = this.pending.get(message.id);
        if (p === undefined) return;
        this.pending.delete(message.id);
        if (message.ok) p.resolve(message.output);
        else p.reject(toError(message.error));
      }
    }
  }

  private exited(code: number | null, signal: string | null): void {
    if (this.closing) return;
    const why = signal ? `killed by ${signal}` : `exit code ${code}`;
    this.log(`engine host stopped (${why})`);
    for (const p of this.pending.values()) {
      p.reject(
        new BridgeError(
          'host-crashed',
          `the engine stopped (${why}) while answering ${p.name}; it was restarted, try again`,
        ),
      );
    }
    this.pending.clear();
    for (const job of this.jobs.values()) {
      if (job.status === 'queued' || job.status === 'running') {
        this.record({
          ...job,
          status: 'failed',
          errorCode: 'host-crashed',
          error: `the engine stopped (${why}) while this job ${job.status === 'running' ? 'ran' : 'waited'} (out of memory?); it was restarted: run the job again`,
          endedAt: Date.now(),
        });
      }
    }
    const now = Date.now();
    this.crashes.push(now);
    while (this.crashes.length > 0 && (this.crashes[0] as number) < now - 60_000) this.crashes.shift();
    if (this.crashes.length > MAX_RESTARTS_PER_MINUTE) {
      this.stopped = new BridgeError(
        'host-crashed',
        `the engine stopped ${this.crashes.length} times in a minute (last: ${why}); see the log`,
      );
      this.log(this.stopped.message);
      return;
    }
    this.start();
  }

  private record(job: JobInfo): void {
    const before = this.jobs.get(job.id);
    this.jobs.set(job.id, job);
    if (!isActive(job) && (before === undefined || isActive(before))) {
      this.finished.push(job.id);
      if (this.finished.length > this.keepFinished)
        for (const id of this.finished.splice(0, this.finished.length - this.keepFinished)) {
          this.jobs.delete(id);
          this.progress.delete(id);
        }
    }
    for (const l of this.listeners) l(job);
  }
}

const isActive = (job: JobInfo): boolean => job.status === 'queued' || job.status === 'running';

function toError(info: BridgeErrorInfo): BridgeError {
  return new BridgeError(info.code, info.message);
}
