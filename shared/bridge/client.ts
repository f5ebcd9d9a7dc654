/**
 * The renderer's side of the bridge, over either transport: the preload's IPC API in the desktop app, or a
 * WebSocket in browser mode. Requests get typed replies; job events fan out to listeners.
 */
import type { Progress } from '../progress.ts';
import type { JobInfo, JobName, QuickName, RequestInput, RequestOutput } from './contract.ts';
import {
  BRIDGE_ERROR_CODES,
  BridgeError,
  type BridgeErrorCode,
  type ClientMessage,
  type JobStarted,
  type ReplyMessage,
  type ServerMessage,
} from './protocol.ts';

export interface BridgeCapabilities {
  mode: 'desktop' | 'browser';
  /** Native open/save dialogs (desktop only; browser mode asks for a typed path). */
  dialogs: boolean;
}

/** What a transport offers; the preload exposes exactly this shape on `window.deepcorrect`. */
export interface BridgeTransport {
  readonly capabilities: BridgeCapabilities;
  send(message: ClientMessage): void;
  onMessage(listener: (message: ServerMessage) => void): () => void;
  /** Desktop only: a native folder or file picker; undefined when the user cancels. */
  pickPath?(
    kind: 'dataset-folder' | 'dataset-file' | 'model-folder' | 'study-folder' | 'output-folder',
  ): Promise<string | undefined>;
}

/**
 * How long a request waits for its reply by default. Generous: a quick request can queue behind others in the
 * engine (opening a large folder dataset, checking a big workspace's checksums), and a false timeout is worse
 * than a late one; it is there so that a lost request, or one refused under another id, ends at all.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;

export interface BridgeClientOptions {
  /**
   * Milliseconds a request waits for its reply before it fails with a 'transport' BridgeError. A job request
   * waits only for its job's id this long; the job itself runs as long as it needs.
   */
  timeoutMs?: number;
  /** Told of replies that match no waiting request (refused under id -1, late after a timeout, or unknown). */
  onStray?: (message: ReplyMessage) => void;
}

interface Pending {
  resolve: (output: unknown) => void;
  reject: (error: BridgeError) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class BridgeClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly jobListeners = new Set<(job: JobInfo) => void>();
  private readonly progressListeners = new Set<(jobId: string, progress: Progress) => void>();
  private readonly timeoutMs: number;

  constructor(
    readonly transport: BridgeTransport,
    private readonly options: BridgeClientOptions = {},
  ) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    if (!(timeoutMs > 0)) throw new RangeError(`a request timeout must be positive, not ${timeoutMs}`);
    this.timeoutMs = timeoutMs;
    transport.onMessage((message) => this.receive(message));
  }

  get capabilities(): BridgeCapabilities {
    return this.transport.capabilities;
  }

  request<N extends QuickName>(name: N, input: RequestInput<N>): Promise<RequestOutput<N>> {
    return this.send(name, input) as Promise<RequestOutput<N>>;
  }

  /** Queues a job; resolves with its id as soon as the engine has accepted it. */
  async startJob<N extends JobName>(name: N, input: RequestInput<N>): Promise<string> {
    return ((await this.send(name, input)) as JobStarted).jobId;
  }

  /** Resolves with a job's result when it is done; rejects when it fails or is cancelled. */
  waitForJob<N extends JobName>(jobId: string): Promise<RequestOutput<N>> {
    return new Promise((resolve, reject) => {
      const stop = this.onJob((job) => {
        if (job.id !== jobId) return;
        // The id is this job's, which the engine queued as a request N.
        if (job.status === 'done') resolve(job.result as RequestOutput<N>);
        else if (job.status === 'failed') reject(jobError(job));
        else if (job.status === 'cancelled') reject(new BridgeError('cancelled', 'the job was cancelled'));
        else return;
        stop();
      });
    });
  }

  /** Job records as they change (queued, started, ended). */
  onJob(listener: (job: JobInfo) => void): () => void {
    this.jobListeners.add(listener);
    return () => this.jobListeners.delete(listener);
  }

  /** Running jobs' progress, apart from their records. */
  onProgress(listener: (jobId: string, progress: Progress) => void): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
  }

  cancel(jobId: string): Promise<RequestOutput<'jobs.cancel'>> {
    return this.request('jobs.cancel', { jobId });
  }

  /** Fails every request still waiting, e.g. when the connection is lost. */
  failAll(error: BridgeError): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this.pending.clear();
  }

  private send(name: string, input: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.pending.delete(id)) return;
        reject(
          new BridgeError(
            'transport',
            `${name} (request ${id}) had no answer after ${formatMs(this.timeoutMs)}: the engine may be stuck, or the request was lost`,
          ),
        );
      }, this.timeoutMs);
      // Under Node (tests, tools) a request still waiting must not keep the process alive on its own.
      (timer as { unref?: () => void }).unref?.();
      this.pending.set(id, { resolve, reject, timer });
      try {
        this.transport.send({ kind: 'request', id, name, input });
      } catch (error) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new BridgeError('transport', error instanceof Error ? error.message : String(error)));
      }
    });
  }

  private receive(message: ServerMessage): void {
    if (message.kind === 'job') {
      for (const l of this.jobListeners) l(message.job);
      return;
    }
    if (message.kind === 'progress') {
      for (const l of this.progressListeners) l(message.jobId, message.progress);
      return;
    }
    const p = this.pending.get(message.id);
    if (p === undefined) {
      this.options.onStray?.(message);
      return;
    }
    this.pending.delete(message.id);
    clearTimeout(p.timer);
    if (message.ok) p.resolve(message.output);
    else p.reject(refusalOf(message));
  }
}

/** A failed job's error, its code saying what kind of trouble it was ('engine' from an engine without codes). */
export function jobError(job: JobInfo): BridgeError {
  return new BridgeError(job.errorCode ?? 'engine', job.error ?? 'the job failed without a message');
}

/** The error a refusal carries; a refusal without a well-formed one still fails its request, typed. */
function refusalOf(message: ReplyMessage & { ok: false }): BridgeError {
  const error: unknown = message.error;
  const { code, message: text } = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    message?: unknown;
  };
  const known = (BRIDGE_ERROR_CODES as readonly unknown[]).includes(code);
  return new BridgeError(
    known ? (code as BridgeErrorCode) : 'transport',
    typeof text === 'string' ? text : 'the request was refused without a reason',
  );
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}
