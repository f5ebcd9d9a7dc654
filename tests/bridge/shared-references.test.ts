/**
 * Issue 16, finding 5: a message whose input shares references (structured clone, which IPC uses, keeps them)
 * took time exponential in its depth: `{a: x, b: x}` 22 deep held the main process 0.7 s, doubling per level,
 * in the nesting check and again in the gate's size estimate. The gate now measures each object once, counts
 * a shared one wherever it appears against MAX_INPUT_NODES, and refuses cycles; real inputs, a benign shared
 * object included, still pass.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_CLIENT_MESSAGE_BYTES,
  MAX_INPUT_DEPTH,
  MAX_INPUT_NODES,
  type ServerMessage,
} from '../../shared/bridge/protocol.ts';
import { recordingGate, type RecordingGate } from './recording-gate.ts';

let allowed: string;
beforeAll(async () => {
  allowed = await mkdtemp(path.join(tmpdir(), 'dc-shared-refs-'));
});
afterAll(async () => {
  await rm(allowed, { recursive: true, force: true });
});

/** A gate whose engine answers anything and records what reached it. */
function fakeGate(): RecordingGate {
  return recordingGate(allowed, { mode: 'desktop', answer: () => ({ jobId: 'fake-1' }) });
}

/**
 * A request as the desktop app's IPC hands it to the gate: a structured clone, which keeps shared references
 * and cycles (the test builds them on purpose; the clone shows they survive the trip).
 */
async function overIpc(name: string, input: unknown): Promise<{ reply: ServerMessage; engineCalls: number }> {
  const { gate, calls } = fakeGate();
  const message = structuredClone({ kind: 'request', id: 42, name, input });
  const reply = await new Promise<ServerMessage>((resolve) => gate.handle(message, resolve));
  return { reply, engineCalls: calls.length };
}

async function refusal(name: string, input: unknown): Promise<{ code: string; message: string }> {
  const { reply, engineCalls } = await overIpc(name, input);
  if (reply.kind !== 'reply' || reply.ok) throw new Error(`not refused: ${JSON.stringify(reply)}`);
  expect(reply.id).toBe(42);
  expect(engineCalls).toBe(0);
  return reply.error;
}

/** `{a: x, b: x}` nested `depth` levels: depth + 1 objects, 2^(depth+1) - 1 values as a tree. */
function sharedTower(depth: number): Record<string, unknown> {
  let x: Record<string, unknown> = { leaf: 0 };
  for (let i = 0; i < depth; i++) x = { a: x, b: x };
  return x;
}

describe('shared references in a request input', () => {
  it('refuses the reported message, {a: x, b: x} 22 deep, for what it expands to', async () => {
    const tower = sharedTower(22);
    // The clone keeps the sharing: this is the very shape the main process receives.
    const cloned = structuredClone(tower);
    expect(cloned['a']).toBe(cloned['b']);
    const started = performance.now();
    const error = await refusal('distort.sample', tower);
    const ms = performance.now() - started;
    expect(error.code).toBe('invalid-message');
    expect(error.message).toBe(
      `a request's input repeats references to the same objects, and counted each time it appears (as the schema check and the engine walk it) holds over ${MAX_INPUT_NODES} values or ${MAX_CLIENT_MESSAGE_BYTES} bytes: send each object once`,
    );
    console.log(`22-deep shared input refused in ${ms.toFixed(2)} ms`);
  });

  it('refuses it 60 deep too (2^61 values as a tree: years of walking before the fix)', async () => {
    const error = await refusal('distort.sample', sharedTower(60));
    expect(error.code).toBe('invalid-message');
    expect(error.message).toMatch(/^a request's input repeats references to the same objects/);
  });

  it('refuses a shared object where it appears deepest, past the nesting limit', async () => {
    // 40 levels first met 1 level down (fine), then again under 30 more levels (too deep).
    let chain: unknown = 0;
    for (let i = 0; i < 40; i++) chain = [chain];
    let deep: unknown = chain;
    for (let i = 0; i < 30; i++) deep = { down: deep };
    const error = await refusal('distort.sample', { first: chain, second: deep });
    expect(error).toEqual({
      code: 'invalid-message',
      message: `a request's input must not nest deeper than ${MAX_INPUT_DEPTH} levels`,
    });
  });

  it('counts a shared object where it appears against the size limit', async () => {
    const text = { note: 'x'.repeat(100_000) };
    const error = await refusal('distort.sample', { a: text, b: text, c: text });
    expect(error.code).toBe('invalid-message');
    expect(error.message).toMatch(/repeats references .* over 262144 values or 262144 bytes/);
  });

  it('passes a benign shared object on (the study form sends one optimizer for both trainings)', async () => {
    const optimizer = { kind: 'sgd', learningRate: 0.01, momentum: 0.9, nesterov: true };
    const { gate, calls } = fakeGate();
    const message = structuredClone({
      kind: 'request',
      id: 5,
      name: 'study.run',
      input: {
        datasetId: 'd1',
        modelId: 'm1',
        spec: { kind: 'blur' },
        levels: [1, 2],
        epochs: 1,
        batchSize: 32,
        seed: 1,
        layers: ['conv1'],
        beta: 0.5,
        rankMethod: 'proxy',
        rankPerClass: 10,
        fineTuneLayers: 'all',
        unitOptimizer: optimizer,
        fineTuneOptimizer: optimizer,
        outDir: path.join(allowed, 'study'),
      },
    });
    const input = message.input as Record<string, unknown>;
    expect(input['unitOptimizer']).toBe(input['fineTuneOptimizer']);
    const reply = await new Promise<ServerMessage>((resolve) => gate.handle(message, resolve));
    expect(reply).toEqual({ kind: 'reply', id: 5, ok: true, output: { jobId: 'fake-1' } });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.input).toMatchObject({ unitOptimizer: optimizer, fineTuneOptimizer: optimizer });
  });
});

describe('cycles', () => {
  it('refuses an object that holds itself', async () => {
    const input: Record<string, unknown> = { datasetId: 'd1' };
    input['self'] = input;
    const error = await refusal('distort.sample', input);
    expect(error.code).toBe('invalid-message');
    expect(error.message).toMatch(/must not contain itself .*a cycle/);
  });

  it('refuses a cycle through arrays and objects a few levels down', async () => {
    const spec: Record<string, unknown> = { kind: 'blur', level: 1 };
    const input = { datasetId: 'd1', split: 'test', index: 0, seed: 1, spec, extra: [{ back: [spec] }] };
    spec['loop'] = input.extra;
    const error = await refusal('distort.sample', input);
    expect(error.code).toBe('invalid-message');
    expect(error.message).toMatch(/a cycle/);
  });
});

describe('the node cap', () => {
  it('refuses an input of more values than MAX_INPUT_NODES', async () => {
    const error = await refusal('rank.experiment', {
      orders: { conv1: new Array<number>(MAX_INPUT_NODES).fill(0) },
    });
    expect(error).toEqual({
      code: 'invalid-message',
      message: `a request's input must hold at most ${MAX_INPUT_NODES} values`,
    });
  });

  it('refuses a sparse array of length 2^32 - 1 without visiting its slots', async () => {
    const sparse: unknown[] = [];
    sparse.length = 2 ** 32 - 1;
    const error = await refusal('distort.sample', { datasetId: 'd1', spec: sparse });
    expect(error).toEqual({
      code: 'invalid-message',
      message: `a request's input must hold at most ${MAX_INPUT_NODES} values`,
    });
  });

  it('passes the largest real input: filter orders of ten 4096-filter layers (about 200 KB)', async () => {
    const orders: Record<string, number[]> = {};
    for (let layer = 0; layer < 10; layer++)
      orders[`conv${layer}`] = Array.from({ length: 4096 }, (_, i) => (i * 2654435761 + layer) % 4096);
    const input = {
      modelId: 'm1',
      datasetId: 'd1',
      spec: { kind: 'noise' },
      levels: [10, 20, 30, 40, 50, 60],
      seed: 1,
      orders,
      fractions: [0.1, 0.25, 0.5, 1],
      evalPerClass: 100,
    };
    expect(JSON.stringify(input).length).toBeGreaterThan(190_000);
    const { reply, engineCalls } = await overIpc('rank.experiment', input);
    expect(reply).toMatchObject({ kind: 'reply', id: 42, ok: true });
    expect(engineCalls).toBe(1);
  });
});
