/**
 * Property-based fuzzing of the bridge's input side (issue 16): the frame codec and the gate against random
 * and mutated frames and messages. What must hold for every input: decodeFrame returns or throws a FrameError,
 * never anything else; a decoded value has only plain objects, no prototype-reaching keys, and each blob once;
 * the gate answers every message exactly once, with a typed code when it refuses; and the (fake, recording)
 * engine never receives an input that fails its request's schema. A failure prints fast-check's seed and
 * path: pass them to fc.assert (`{ seed, path, endOnFailure: true }`) to replay it.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decodeFrame, encodeFrame, FrameError } from '../../shared/bridge/codec.ts';
import { CONTRACT, isRequestName, REQUEST_NAMES } from '../../shared/bridge/contract.ts';
import { BRIDGE_ERROR_CODES, type ServerMessage } from '../../shared/bridge/protocol.ts';
import { startServer, type RunningServer } from '../../electron/serve/server.ts';
import { frameOf, recordingGate, type RecordingGate } from './recording-gate.ts';

let dir: string;

/** Valid requests of many kinds, the starting points of the mutations (checked against the contract below). */
function seeds(): { name: string; input: Record<string, unknown> }[] {
  const adam = { kind: 'adam', learningRate: 0.001 };
  return [
    { name: 'engine.info', input: {} },
    { name: 'jobs.list', input: {} },
    { name: 'models.list', input: {} },
    { name: 'dataset.open', input: {} },
    { name: 'dataset.open', input: { path: path.join(dir, 'data'), skipBad: true, channels: 1 } },
    { name: 'dataset.images', input: { datasetId: 'ds-1', split: 'train', indices: [0, 5, 9] } },
    { name: 'dataset.classIndices', input: { datasetId: 'ds-1', split: 'test', classIndex: 3 } },
    {
      name: 'distort.sample',
      input: { datasetId: 'ds-1', split: 'test', index: 7, spec: { kind: 'noise', level: 20 }, seed: 3 },
    },
    {
      name: 'distort.write',
      input: {
        datasetId: 'ds-1',
        spec: { kind: 'blur', level: 2 },
        seed: 1,
        outDir: path.join(dir, 'out', 'distorted'),
      },
    },
    { name: 'models.open', input: { path: path.join(dir, 'model') } },
    {
      name: 'models.evaluate',
      input: {
        modelId: 'm-1',
        datasetId: 'ds-1',
        split: 'test',
        perClass: 5,
        spec: { kind: 'blur' },
        levels: [1, 2],
        seed: 1,
      },
    },
    {
      name: 'rank.experiment',
      input: {
        modelId: 'm-1',
        datasetId: 'ds-1',
        spec: { kind: 'noise' },
        levels: [10],
        seed: 2,
        orders: { conv1: [2, 0, 1] },
      },
    },
    {
      name: 'correct.train',
      input: {
        datasetId: 'ds-1',
        modelId: 'm-1',
        spec: { kind: 'blur' },
        levels: [2],
        epochs: 1,
        batchSize: 32,
        seed: 1,
        layers: ['conv1'],
        beta: 0.5,
        optimizer: adam,
        outDir: path.join(dir, 'out', 'units'),
      },
    },
    { name: 'workspace.check', input: { path: path.join(dir, 'ws') } },
    { name: 'workspace.discard', input: { path: path.join(dir, 'ws'), artefactId: 'a1' } },
    { name: 'jobs.cancel', input: { jobId: '1:2' } },
  ];
}

/** A gate whose engine answers everything and records each call, with whether its input met the schema. */
function fuzzGate(): RecordingGate {
  return recordingGate(dir);
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Hands one message to the gate as a transport would and checks the outcome: no throw, exactly one reply
 * (waiting a few turns for a late second one), a refusal typed and with no engine call, a success only for a
 * known request whose input reached the engine valid.
 */
async function checkGate(g: ReturnType<typeof fuzzGate>, raw: unknown, size?: number): Promise<void> {
  const before = g.calls.length;
  const replies: ServerMessage[] = [];
  expect(() => g.gate.handle(raw, (m) => replies.push(m), size)).not.toThrow();
  for (let i = 0; i < 50 && replies.length === 0; i++) await tick();
  for (let i = 0; i < 3; i++) await tick();
  expect(replies).toHaveLength(1);
  const reply = replies[0] as ServerMessage;
  if (reply.kind !== 'reply') throw new Error(`the gate answered with ${reply.kind}`);
  const calls = g.calls.slice(before);
  for (const call of calls) expect(call.valid, `${call.name} reached the engine invalid`).toBe(true);
  if (!reply.ok) {
    expect(BRIDGE_ERROR_CODES).toContain(reply.error.code);
    expect(typeof reply.error.message).toBe('string');
    expect(calls).toEqual([]);
    return;
  }
  const m = raw as { id: number; name: string };
  expect(reply.id).toBe(m.id);
  expect(isRequestName(m.name)).toBe(true);
  expect(calls.map((c) => c.name)).toEqual(m.name === 'jobs.list' ? [] : [m.name]);
}

/** Byte edits: flip a bit, overwrite, insert or delete a byte, at positions taken modulo the length. */
const byteEdit = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte: fc.nat(255) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), byte: fc.nat(255) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
);
type ByteEdit = typeof byteEdit extends fc.Arbitrary<infer T> ? T : never;

function applyEdits(bytes: Uint8Array, edits: ByteEdit[]): Uint8Array {
  const out = [...bytes];
  for (const e of edits) {
    const at = out.length === 0 ? 0 : e.at % out.length;
    if (e.op === 'flip') out[at] = (out[at] ?? 0) ^ (1 << e.bit);
    else if (e.op === 'set') out[at] = e.byte;
    else if (e.op === 'insert') out.splice(at, 0, e.byte);
    else out.splice(at, 1);
  }
  return new Uint8Array(out);
}

/** Edits of a header's JSON text: characters that matter to JSON and to the codec's `$bytes` references. */
const textEdit = fc.record({
  at: fc.nat(),
  remove: fc.nat(3),
  insert: fc.oneof(
    fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '-1', '0', '1.5', '"length"', 'null', '\\u0000'),
    fc.constantFrom('{"$bytes":0}', '{"$bytes":"0"}', '"__proto__":{}', '"constructor":1', '"prototype":[]'),
    fc.string({ maxLength: 4 }),
  ),
});
type TextEdit = typeof textEdit extends fc.Arbitrary<infer T> ? T : never;

function headerText(frame: Uint8Array): string {
  const length = new DataView(frame.buffer, frame.byteOffset).getUint32(0, true);
  return new TextDecoder().decode(frame.subarray(4, 4 + length));
}

function editText(text: string, edits: TextEdit[]): string {
  let out = text;
  for (const e of edits) {
    const at = e.at % (out.length + 1);
    out = out.slice(0, at) + e.insert + out.slice(at + e.remove);
  }
  return out;
}

const REFUSED_KEYS = ['__proto__', 'constructor', 'prototype'];

/** decodeFrame's contract: a FrameError or a value of plain objects and arrays, each blob placed once. */
function decodeChecked(frame: Uint8Array): { value: unknown } | undefined {
  let value: unknown;
  try {
    value = decodeFrame(frame);
  } catch (error) {
    expect(error).toBeInstanceOf(FrameError);
    return undefined;
  }
  let blobs = 0;
  const walk = (v: unknown): void => {
    if (v instanceof Uint8Array) {
      blobs++;
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    if (Array.isArray(v)) return v.forEach(walk);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    for (const k of Object.keys(v)) {
      expect(REFUSED_KEYS).not.toContain(k);
      walk((v as Record<string, unknown>)[k]);
    }
  };
  walk(value);
  const listed = (JSON.parse(headerText(frame)) as { b: unknown[] }).b.length;
  expect(blobs).toBe(listed);
  return { value };
}

/** Random header values as JSON text, with `$bytes` references of every shape and keys that matter. */
type Node =
  | { t: 'leaf'; json: string }
  | { t: 'bytes'; index: string }
  | { t: 'arr'; items: Node[] }
  | { t: 'obj'; entries: [string, Node][] };
const key = fc.oneof(
  fc.string({ maxLength: 5 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', '$bytes', 'kind', 'id', 'name', 'input', 'length'),
);
const bytesIndex = fc.oneof(
  fc.integer({ min: -2, max: 5 }).map(String),
  fc.constantFrom('"length"', '"0"', '0.5', '1e0', '-0', 'null', 'true', '[0]', '{}', '"__proto__"', '1e400'),
);
const { node } = fc.letrec<{ node: Node; arr: Node; obj: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.jsonValue({ maxDepth: 1 }).map((v): Node => ({ t: 'leaf', json: JSON.stringify(v) ?? 'null' })),
    bytesIndex.map((index): Node => ({ t: 'bytes', index })),
    tie('arr'),
    tie('obj'),
  ),
  arr: fc.array(tie('node'), { maxLength: 4 }).map((items): Node => ({ t: 'arr', items })),
  obj: fc.array(fc.tuple(key, tie('node')), { maxLength: 4 }).map((entries): Node => ({ t: 'obj', entries })),
}));
function json(n: Node): string {
  if (n.t === 'leaf') return n.json;
  if (n.t === 'bytes') return `{"$bytes":${n.index}}`;
  if (n.t === 'arr') return `[${n.items.map(json).join(',')}]`;
  return `{${n.entries.map(([k, v]) => `${JSON.stringify(k)}:${json(v)}`).join(',')}}`;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dc-bridge-fuzz-'));
  await mkdir(path.join(dir, 'data'));
  await mkdir(path.join(dir, 'ws'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fuzz: the frame codec', () => {
  it('the seed requests are valid, so the mutations start from real requests', () => {
    for (const s of seeds())
      expect(
        isRequestName(s.name) && CONTRACT[s.name].input.safeParse(s.input).success,
        `${s.name} ${JSON.stringify(s.input)}`,
      ).toBe(true);
  });

  it('decodes random bytes to a value or a FrameError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => void decodeChecked(bytes)),
      { numRuns: 2000 },
    );
  });

  it('decodes byte-mutated request frames to a value or a FrameError', () => {
    const frames = seeds().map((s, i) =>
      encodeFrame({ kind: 'request', id: i, name: s.name, input: { ...s.input, blob: new Uint8Array(3) } }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...frames),
        fc.array(byteEdit, { minLength: 1, maxLength: 6 }),
        (frame, edits) => void decodeChecked(applyEdits(frame, edits)),
      ),
      { numRuns: 2000 },
    );
  });

  it('decodes random headers with $bytes references of every shape to a value or a FrameError', () => {
    fc.assert(
      fc.property(node, fc.array(fc.nat(4), { maxLength: 4 }), (value, lengths) => {
        const header = `{"v":${json(value)},"b":[${lengths.join(',')}]}`;
        decodeChecked(
          frameOf(
            header,
            lengths.map((n) => new Uint8Array(n)),
          ),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('re-encodes what it decodes to the same bytes (well-formed frames still decode)', () => {
    const plainKey = fc.string({ maxLength: 5 }).filter((k) => !REFUSED_KEYS.includes(k) && k !== '$bytes');
    const { value } = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue({ maxDepth: 0 }),
        fc.uint8Array({ maxLength: 8 }),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(plainKey, tie('value'), { maxKeys: 4 }),
      ),
    }));
    fc.assert(
      fc.property(value, (v) => {
        const once = encodeFrame(v);
        const decoded = decodeChecked(once);
        expect(decoded).toBeDefined();
        expect(encodeFrame(decoded?.value)).toEqual(once);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('fuzz: the gate', () => {
  it('answers byte- and text-mutated request frames once, typed, and passes on only valid input', async () => {
    const g = fuzzGate();
    const frames = seeds().map((s, i) =>
      encodeFrame({ kind: 'request', id: i + 1, name: s.name, input: s.input }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...frames),
        fc.oneof(
          // Unmutated now and then: most mutants are refused (edits near the start break the length prefix),
          // and a run whose mutants all were must still show that valid requests go through.
          { arbitrary: fc.constant({ edits: [] as ByteEdit[], text: [] as TextEdit[] }), weight: 1 },
          {
            arbitrary: fc
              .array(byteEdit, { minLength: 1, maxLength: 4 })
              .map((edits) => ({ edits, text: [] as TextEdit[] })),
            weight: 3,
          },
          {
            arbitrary: fc
              .array(textEdit, { minLength: 1, maxLength: 4 })
              .map((text) => ({ edits: [] as ByteEdit[], text })),
            weight: 3,
          },
        ),
        async (frame, { edits, text }) => {
          const mutated =
            text.length > 0 ? frameOf(editText(headerText(frame), text), []) : applyEdits(frame, edits);
          const decoded = decodeChecked(mutated);
          // An undecodable frame is refused by the transport before the gate (serve-hardening covers that).
          if (decoded !== undefined) await checkGate(g, decoded.value, mutated.length);
        },
      ),
      { numRuns: 600 },
    );
    // Not vacuous: valid requests went through.
    expect(g.calls.length).toBeGreaterThan(0);
  });

  it('answers random messages (as IPC delivers them) once, typed, and passes on only valid input', async () => {
    const g = fuzzGate();
    const message = fc.record(
      {
        kind: fc.oneof(fc.constant('request'), fc.anything({ maxDepth: 1 })),
        id: fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.anything({ maxDepth: 1 })),
        name: fc.oneof(
          fc.constantFrom(...REQUEST_NAMES),
          fc.string({ maxLength: 20 }),
          fc.anything({ maxDepth: 1 }),
        ),
        input: fc.anything({
          maxDepth: 3,
          withTypedArray: true,
          withNullPrototype: true,
          withObjectString: true,
        }),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(message, fc.anything({ maxDepth: 2 })), (raw) => checkGate(g, raw)),
      { numRuns: 800 },
    );
  });

  it('answers valid requests with one field replaced, added or removed once, and passes on only valid input', async () => {
    const g = fuzzGate();
    const odd = fc.oneof(
      fc.constantFrom(
        Number.NaN,
        Number.POSITIVE_INFINITY,
        -1,
        0,
        1.5,
        2 ** 53,
        1e308,
        '',
        '..',
        '/etc',
        '../../..',
        'x'.repeat(5000),
        '\0',
        null,
        [],
        {},
        true,
      ),
      fc.anything({ maxDepth: 2, withTypedArray: true }),
    );
    /** The seed with the value at a random path (keys taken modulo) replaced, or a key added or removed. */
    const mutate = (value: unknown, steps: number[], replacement: unknown, how: number): unknown => {
      if (typeof value !== 'object' || value === null || steps.length === 0) return replacement;
      const [step = 0, ...rest] = steps;
      if (Array.isArray(value)) {
        if (value.length === 0) return [replacement];
        const i = step % value.length;
        return (value as unknown[]).map((v, j) => (j === i ? mutate(v, rest, replacement, how) : v));
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      if (keys.length === 0 || (rest.length === 0 && how === 1)) return { ...record, sneaky: replacement };
      const k = keys[step % keys.length] as string;
      if (rest.length === 0 && how === 2) {
        const { [k]: _gone, ...kept } = record;
        return kept;
      }
      return { ...record, [k]: mutate(record[k], rest, replacement, how) };
    };
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
        odd,
        fc.nat(2),
        async (which, steps, replacement, how) => {
          const all = seeds();
          const s = all[which % all.length] as { name: string; input: Record<string, unknown> };
          const input = mutate(s.input, steps, replacement, how);
          await checkGate(g, { kind: 'request', id: 7, name: s.name, input });
          const frame = encodeFrame({ kind: 'request', id: 8, name: s.name, input });
          const decoded = decodeChecked(frame);
          if (decoded !== undefined) await checkGate(g, decoded.value, frame.length);
        },
      ),
      { numRuns: 600 },
    );
    expect(g.calls.length).toBeGreaterThan(0);
  });
});

describe('fuzz: the bridge over a real WebSocket', () => {
  let server: RunningServer;
  let ws: WebSocket;
  const replies: ServerMessage[] = [];
  beforeAll(async () => {
    server = await startServer({
      gate: fuzzGate().gate,
      rendererDir: path.join(dir, 'data'),
      log: () => undefined,
    });
    ws = new WebSocket(`ws://127.0.0.1:${server.port}/bridge?token=${server.token}`);
    ws.on('message', (data: Buffer) => replies.push(decodeFrame(new Uint8Array(data)) as ServerMessage));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  });
  afterAll(async () => {
    ws.close();
    await server.close();
  });

  it('answers every mutated frame exactly once and keeps the connection', async () => {
    const frames = seeds().map((s, i) =>
      encodeFrame({ kind: 'request', id: i + 1, name: s.name, input: s.input }),
    );
    let sentinel = 1_000_000;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...frames),
        fc.array(byteEdit, { minLength: 1, maxLength: 4 }),
        async (frame, edits) => {
          replies.length = 0;
          ws.send(applyEdits(frame, edits));
          // A known request after it: every reply before the sentinel's answered the mutated frame.
          const id = ++sentinel;
          ws.send(encodeFrame({ kind: 'request', id, name: 'engine.info', input: {} }));
          const end = Date.now() + 5000;
          while (!replies.some((m) => m.kind === 'reply' && m.id === id)) {
            if (Date.now() > end) throw new Error('no answer to the sentinel within 5 s');
            await new Promise((r) => setTimeout(r, 1));
          }
          const before = replies.slice(
            0,
            replies.findIndex((m) => m.kind === 'reply' && m.id === id),
          );
          expect(before).toHaveLength(1);
          const reply = before[0] as ServerMessage;
          if (reply.kind === 'reply' && !reply.ok) expect(BRIDGE_ERROR_CODES).toContain(reply.error.code);
          expect(ws.readyState).toBe(WebSocket.OPEN);
        },
      ),
      { numRuns: 300 },
    );
  });
});
