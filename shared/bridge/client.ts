/**
 * The renderer's side of the bridge, over either transport: the preload's IPC API in the desktop app, or a
 * WebSocket in browser mode. Requests get typed replies; job events fan out to listeners.
 */
import type { JobInfo, JobName, QuickName, RequestInput, RequestOutput } from './contract.ts';
import { BridgeError, type ClientMessage, type JobStarted, type ServerMessage } from './protocol.ts';

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

interface Pending {
  resolve: (output: unknown) => void;
  reject: (error: BridgeError) => void;
}

export class BridgeClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly jobListeners = new Set<(job: JobInfo) => void>();

  constructor(readonly transport: BridgeTransport) {
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
        if (job.status === 'done') resolve(job.result as RequestOutput<N>);
        else if (job.status === 'failed') reject(new BridgeError('engine', job.error ?? 'the job failed'));
        else if (job.status === 'cancelled') reject(new BridgeError('cancelled', 'the job was cancelled'));
        else return;
        stop();
      });
    });
  }

  onJob(listener: (job: JobInfo) => void): () => void {
    this.jobListeners.add(listener);
    return () => this.jobListeners.delete(listener);
  }

  cancel(jobId: string): Promise<RequestOutput<'jobs.cancel'>> {
    return this.request('jobs.cancel', { jobId });
  }

  /** Fails every request still waiting, e.g. when the connection is lost. */
  failAll(error: BridgeError): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  private send(name: string, input: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        this.transport.send({ kind: 'request', id, name, input });
      } catch (error) {
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
    const p = this.pending.get(message.id);
    if (p === undefined) return;
    this.pending.delete(message.id);
    if (message.ok) p.resolve(message.output);
    else p.reject(new BridgeError(message.error.code, message.error.message));
  }
}
