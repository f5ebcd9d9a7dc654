/**
 * The bridge client's request timeout (issue 16, finding 7): a request whose reply never comes (lost, or
 * refused under id -1 because its envelope could not be read) fails with a typed 'transport' error instead of
 * leaving its caller waiting forever; replies that match nothing are dropped without harm.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BridgeClient,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type BridgeTransport,
} from '../../shared/bridge/client.ts';
import type { JobInfo, RequestInput, RequestOutput } from '../../shared/bridge/contract.ts';
import {
  BridgeError,
  type ClientMessage,
  type ReplyMessage,
  type ServerMessage,
} from '../../shared/bridge/protocol.ts';

/** A transport that records what the client sends and delivers what the test says the server answered. */
class Loopback implements BridgeTransport {
  readonly capabilities = { mode: 'browser', dialogs: false } as const;
  readonly sent: ClientMessage[] = [];
  private readonly listeners = new Set<(message: ServerMessage) => void>();
  send(message: ClientMessage): void {
    this.sent.push(message);
  }
  onMessage(listener: (message: ServerMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  deliver(message: unknown): void {
    for (const l of this.listeners) l(message as ServerMessage);
  }
  lastId(): number {
    return this.sent.at(-1)?.id ?? -1;
  }
}

/** How a promise stands after `ms` of real time: settled with a value or an error, or still waiting. */
async function after<T>(
  promise: Promise<T>,
  ms: number,
): Promise<{ value: T } | { error: unknown } | 'waiting'> {
  const timer = new Promise<'waiting'>((r) => setTimeout(() => r('waiting'), ms));
  return Promise.race([
    promise.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    timer,
  ]);
}

const DEMO_INPUT: RequestInput<'demo.train'> = {
  trainPerClass: 1,
  testPerClass: 1,
  epochs: 1,
  seed: 1,
  spec: { kind: 'blur' },
  levels: [1],
};
const job = (id: string, status: JobInfo['status'], result?: RequestOutput<'demo.train'>): ServerMessage => ({
  kind: 'job',
  job: { id, name: 'demo.train', title: 't', status, input: DEMO_INPUT, queuedAt: 1, result },
});

afterEach(() => {
  vi.useRealTimers();
});

describe('bridge client: request timeout', () => {
  it('fails a request that gets no answer with a transport error naming it and the time waited', async () => {
    const transport = new Loopback();
    const client = new BridgeClient(transport, { timeoutMs: 50 });
    const outcome = await after(client.request('engine.info', {}), 2000);
    expect(outcome).not.toBe('waiting');
    const error = (outcome as { error: unknown }).error;
    expect(error).toBeInstanceOf(BridgeError);
    expect(error).toMatchObject({ code: 'transport' });
    expect((error as Error).message).toMatch(/engine\.info \(request 1\) had no answer after 50 ms/);
  });

  it('fails a request refused under id -1 at its timeout, and tells of the stray refusal', async () => {
    const transport = new Loopback();
    const strays: ReplyMessage[] = [];
    const client = new BridgeClient(transport, { timeoutMs: 80, onStray: (m) => strays.push(m) });
    const waiting = client.request('jobs.list', {});
    transport.deliver({
      kind: 'reply',
      id: -1,
      ok: false,
      error: { code: 'invalid-message', message: 'a request needs a name' },
    });
    expect(strays.map((m) => m.id)).toEqual([-1]);
    await expect(waiting).rejects.toMatchObject({ code: 'transport' });
  });

  it('waits the default time when no timeout is given, then fails', async () => {
    vi.useFakeTimers();
    const client = new BridgeClient(new Loopback());
    let settled: unknown = 'waiting';
    client.request('engine.info', {}).catch((e: unknown) => (settled = e));
    await vi.advanceTimersByTimeAsync(DEFAULT_REQUEST_TIMEOUT_MS - 1);
    expect(settled).toBe('waiting');
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toBeInstanceOf(BridgeError);
    expect(DEFAULT_REQUEST_TIMEOUT_MS).toBeGreaterThanOrEqual(30_000);
  });

  it('answers in time: the reply wins and no timeout fires afterwards', async () => {
    const transport = new Loopback();
    const strays: ReplyMessage[] = [];
    const client = new BridgeClient(transport, { timeoutMs: 60, onStray: (m) => strays.push(m) });
    const answer = client.request('jobs.cancel', { jobId: 'j' });
    transport.deliver({ kind: 'reply', id: transport.lastId(), ok: true, output: { cancelled: true } });
    expect(await answer).toEqual({ cancelled: true });
    await new Promise((r) => setTimeout(r, 120));
    expect(strays).toEqual([]);
  });

  it('a job request waits only for its job id; the job itself may run far longer', async () => {
    const transport = new Loopback();
    const client = new BridgeClient(transport, { timeoutMs: 50 });
    const started = client.startJob('demo.train', {
      trainPerClass: 1,
      testPerClass: 1,
      epochs: 1,
      seed: 1,
      spec: { kind: 'blur' },
      levels: [1],
    });
    transport.deliver({ kind: 'reply', id: transport.lastId(), ok: true, output: { jobId: 'j1' } });
    const jobId = await started;
    const done = client.waitForJob<'demo.train'>(jobId);
    await new Promise((r) => setTimeout(r, 200));
    transport.deliver(job('j1', 'done', { rows: [], epochs: [], testImages: 0 }));
    expect(await done).toEqual({ rows: [], epochs: [], testImages: 0 });

    const lost = client.startJob('demo.train', {
      trainPerClass: 1,
      testPerClass: 1,
      epochs: 1,
      seed: 1,
      spec: { kind: 'blur' },
      levels: [1],
    });
    await expect(lost).rejects.toThrow(/demo\.train \(request 2\) had no answer after 50 ms/);
  });

  it('drops a reply for an unknown id, or one that comes after its timeout, without harm', async () => {
    const transport = new Loopback();
    const strays: ReplyMessage[] = [];
    const client = new BridgeClient(transport, { timeoutMs: 50, onStray: (m) => strays.push(m) });
    const late = client.request('engine.info', {});
    await expect(late).rejects.toMatchObject({ code: 'transport' });
    const lateId = transport.lastId();
    const next = client.request('jobs.list', {});
    expect(() => {
      transport.deliver({ kind: 'reply', id: lateId, ok: true, output: {} });
      transport.deliver({ kind: 'reply', id: 999, ok: false, error: { code: 'engine', message: 'x' } });
    }).not.toThrow();
    expect(strays.map((m) => m.id)).toEqual([lateId, 999]);
    transport.deliver({ kind: 'reply', id: transport.lastId(), ok: true, output: { jobs: [] } });
    expect(await next).toEqual({ jobs: [] });
  });

  it('turns a refusal without a well-formed error into a typed failure, not a crash', async () => {
    const transport = new Loopback();
    const client = new BridgeClient(transport, { timeoutMs: 1000 });
    const a = client.request('engine.info', {});
    expect(() => transport.deliver({ kind: 'reply', id: transport.lastId(), ok: false })).not.toThrow();
    await expect(a).rejects.toMatchObject({ name: 'BridgeError', code: 'transport' });
    const b = client.request('engine.info', {});
    transport.deliver({
      kind: 'reply',
      id: transport.lastId(),
      ok: false,
      error: { code: 'no-such-code', message: 'odd' },
    });
    await expect(b).rejects.toMatchObject({ code: 'transport', message: 'odd' });
  });

  it('failAll ends waiting requests at once, before their timeout', async () => {
    const client = new BridgeClient(new Loopback(), { timeoutMs: 60_000 });
    const waiting = client.request('engine.info', {});
    client.failAll(new BridgeError('transport', 'the connection to the engine was lost'));
    const outcome = await after(waiting, 500);
    expect(outcome).not.toBe('waiting');
    const error = (outcome as { error: unknown }).error;
    expect(error).toMatchObject({ code: 'transport' });
    expect((error as Error).message).toMatch(/was lost/);
  });

  it('refuses a timeout that is not a positive number', () => {
    expect(() => new BridgeClient(new Loopback(), { timeoutMs: 0 })).toThrow(RangeError);
    expect(() => new BridgeClient(new Loopback(), { timeoutMs: Number.NaN })).toThrow(RangeError);
  });
});
