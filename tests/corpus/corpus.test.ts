/**
 * The bad-input corpus: every case in cases.json is a real file (or folder) under tests/corpus/ handed to the
 * engine entry point that would read it in the app, and must end as the manifest says: refused with the
 * engine's typed error, whose message names the file and matches the expected problem, or accepted (the
 * controls, which prove the corpus's bad files fail for the stated reason and not because the harness is wrong).
 * Each case also must not leak tensors, must finish within CASE_MS, and, where marked huge, must not allocate
 * what the file's header claims. See README.md for adding a case.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodeFrame } from '../../shared/bridge/codec.ts';
import {
  BRIDGE_ERROR_CODES,
  BridgeError,
  MAX_CLIENT_MESSAGE_BYTES,
  type ServerMessage,
} from '../../shared/bridge/protocol.ts';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import { loadImages } from '../../electron/engine/data/load-images.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import { readImageFile } from '../../electron/engine/io/read-image.ts';
import { loadModel } from '../../electron/engine/models/model-io.ts';
import { recordingGate, type RecordingGate } from '../bridge/recording-gate.ts';

const CORPUS = path.dirname(fileURLToPath(import.meta.url));
/** Every case is small: one taking longer is hanging (or decoding what it should have refused). */
const CASE_MS = 10_000;
/** A 'huge' case claims gigabytes; refusing it from its header costs next to nothing. */
const HUGE_CASE_MAX_GROWTH = 256 * 1024 * 1024;

const Shape = z.tuple([z.number().int(), z.number().int(), z.number().int()]);

const OpenSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('readImage'),
    channels: z.union([z.literal(1), z.literal(3)]).optional(),
  }),
  z.strictObject({
    kind: z.literal('openDataset'),
    options: z
      .strictObject({
        skipBad: z.boolean().optional(),
        channels: z.union([z.literal(1), z.literal(3)]).optional(),
        size: z.tuple([z.number().int(), z.number().int()]).optional(),
      })
      .optional(),
    /** Also decode every image of every split (folder images are only decoded when read). */
    read: z.boolean().optional(),
  }),
  z.strictObject({
    kind: z.literal('loadModel'),
    expectInput: Shape.optional(),
    expectClasses: z.number().int().optional(),
  }),
  /** The file is a WebSocket frame: decodeFrame, then (with `gate`) the gate, as the browser-mode server does. */
  z.strictObject({ kind: z.literal('frame'), gate: z.boolean().optional() }),
  /** The file is a JSON message as IPC delivers it (structured clone, no size known): straight to the gate. */
  z.strictObject({ kind: z.literal('message') }),
  /** Made at test time rather than stored (a message over the size limit would be 256 KiB of corpus). */
  z.strictObject({ kind: z.literal('oversized'), transport: z.enum(['frame', 'ipc']) }),
]);

const ErrorExpect = z.strictObject({
  /** Regex the message must match: the problem in words. */
  error: z.string(),
  type: z.enum(['FileProblemError', 'DatasetError', 'ModelError', 'FrameError', 'BridgeError']),
  /** The corpus file (relative) the message must name; bridge messages name no file. */
  names: z.string().optional(),
  code: z.enum(BRIDGE_ERROR_CODES).optional(),
});

const OkExpect = z.strictObject({
  ok: z.literal(true),
  /** readImage: [height, width, channels]. */
  image: Shape.optional(),
  /** readImage: the first byte of the decoded pixels (to show how a 16-bit file was brought to 8 bits). */
  firstValue: z.number().int().optional(),
  /** openDataset: what the summary says. */
  dataset: z
    .strictObject({
      format: z.string(),
      classes: z.number().int(),
      images: z.number().int(),
      /** Regexes, one per skipped file, in order, each matched against `${file}: ${problem}`. */
      skipped: z.array(z.string()).optional(),
    })
    .optional(),
  /** loadModel: the model's input and class count. */
  model: z.strictObject({ input: Shape, classes: z.number().int() }).optional(),
  /** Bridge controls: the gate passed the request to the engine. */
  engineCalls: z.number().int().optional(),
});

const CaseSchema = z.strictObject({
  id: z.string(),
  category: z.enum(['image', 'idx', 'cifar', 'folder-dataset', 'model', 'bridge']),
  /** Relative to tests/corpus; absent for generated cases. */
  path: z.string().optional(),
  /** Why the case exists or what the engine decided, where the id does not say it. */
  note: z.string().optional(),
  huge: z.boolean().optional(),
  open: OpenSchema,
  expect: z.union([ErrorExpect, OkExpect]),
});
type Case = z.infer<typeof CaseSchema>;

const cases = z.array(CaseSchema).parse(JSON.parse(await readFile(path.join(CORPUS, 'cases.json'), 'utf8')));

/** What a case produced: a value for the controls, or the error the engine raised. */
type Outcome =
  | {
      ok: true;
      image?: [number, number, number];
      firstValue?: number;
      dataset?: Summary;
      model?: ModelShape;
      engineCalls?: number;
    }
  | { ok: false; error: unknown };
interface Summary {
  format: string;
  classes: number;
  images: number;
  skipped: string[];
}
interface ModelShape {
  input: [number, number, number];
  classes: number;
}

/**
 * A gate whose engine answers anything, counting the calls: a refused message must never reach it. (The gate
 * only uses these three members; the cast stands in for a host process the corpus has no use for.)
 */
function fakeGate(): RecordingGate {
  return recordingGate(CORPUS, { answer: () => ({ fake: true }) });
}

/** Hands a message to the gate and turns its reply into an outcome; a refusal becomes the BridgeError it was. */
async function throughGate(raw: unknown, size?: number): Promise<Outcome> {
  const { gate, calls } = fakeGate();
  const reply = await new Promise<ServerMessage>((resolve) => gate.handle(raw, resolve, size));
  if (reply.kind !== 'reply') throw new Error(`the gate answered ${JSON.stringify(reply)}`);
  if (reply.ok) return { ok: true, engineCalls: calls.length };
  // A refused message must not have reached the engine.
  expect(calls).toEqual([]);
  return { ok: false, error: new BridgeError(reply.error.code, reply.error.message) };
}

async function run(c: Case): Promise<Outcome> {
  const file = path.join(CORPUS, c.path ?? '');
  const { open } = c;
  try {
    switch (open.kind) {
      case 'readImage': {
        const image = await readImageFile(file, open.channels);
        // The bytes must be what the shape says: 8-bit samples, whatever the file's bit depth.
        expect(image.data.length).toBe(image.height * image.width * image.channels);
        return {
          ok: true,
          image: [image.height, image.width, image.channels],
          firstValue: image.data[0] as number,
        };
      }
      case 'openDataset': {
        const dataset = await openDataset(file, open.options ?? {});
        try {
          if (open.read === true)
            for (const split of dataset.summary.splits) await loadImages(dataset, split.name);
          const { summary } = dataset;
          return {
            ok: true,
            dataset: {
              format: summary.format,
              classes: summary.classes.length,
              images: summary.splits.reduce((n, s) => n + s.count, 0),
              skipped: summary.skipped.map((s) => `${s.file}: ${s.problem}`),
            },
          };
        } finally {
          await dataset.close();
        }
      }
      case 'loadModel': {
        const { model, metadata } = await loadModel(file, {
          ...(open.expectInput === undefined ? {} : { expectInput: open.expectInput }),
          ...(open.expectClasses === undefined ? {} : { expectClasses: open.expectClasses }),
        });
        model.dispose();
        return { ok: true, model: { input: metadata.inputShape, classes: metadata.classes.length } };
      }
      case 'frame': {
        const bytes = await readFile(file);
        const value = decodeFrame(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        return open.gate === true ? await throughGate(value, bytes.byteLength) : { ok: true };
      }
      case 'message':
        return await throughGate(JSON.parse(await readFile(file, 'utf8')) as unknown);
      case 'oversized': {
        const input = { path: 'x'.repeat(MAX_CLIENT_MESSAGE_BYTES + 1) };
        const message = { kind: 'request', id: 9, name: 'dataset.open', input };
        // Over WebSocket the server knows the frame's size; over IPC the gate measures the input itself.
        return open.transport === 'frame'
          ? await throughGate(message, JSON.stringify(message).length)
          : await throughGate(message);
      }
    }
  } catch (error) {
    return { ok: false, error };
  }
}

/** Runs a case, failing it (rather than the whole file) if it outlives CASE_MS. */
async function runTimed(c: Case): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${c.id}: still running after ${CASE_MS} ms`)), CASE_MS);
  });
  try {
    return await Promise.race([run(c), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

beforeAll(async () => {
  // The models are tiny: the plain CPU backend loads them without the WASM start-up cost.
  await selectBackend({ forced: 'cpu' });
});

describe('bad-input corpus', () => {
  it('lists every category and some controls', () => {
    const categories = new Set(cases.map((c) => c.category));
    expect([...categories].sort()).toEqual(['bridge', 'cifar', 'folder-dataset', 'idx', 'image', 'model']);
    for (const category of categories)
      expect(
        cases.some((c) => c.category === category && 'ok' in c.expect),
        `${category} control`,
      ).toBe(true);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
  });

  it.each(cases.map((c) => [c.id, c] as const))(
    '%s',
    async (_id, c) => {
      const tensors = tf.memory().numTensors;
      const rss = process.memoryUsage().rss;
      const outcome = await runTimed(c);
      const grown = process.memoryUsage().rss - rss;
      expect(tf.memory().numTensors, 'tensors left behind').toBe(tensors);
      if (c.huge === true) expect(grown, 'memory grown (bytes)').toBeLessThan(HUGE_CASE_MAX_GROWTH);

      const expected = c.expect;
      if ('ok' in expected) {
        if (!outcome.ok) throw outcome.error;
        const { ok: _ok, ...details } = expected;
        const { ok: _got, ...got } = outcome;
        for (const [key, value] of Object.entries(details)) {
          if (key === 'dataset') {
            const want = value as NonNullable<typeof expected.dataset>;
            const have = got.dataset as Summary;
            expect({ ...have, skipped: undefined }).toEqual({ ...want, skipped: undefined });
            const patterns = want.skipped ?? [];
            expect(have.skipped, 'skipped files').toHaveLength(patterns.length);
            patterns.forEach((p, i) => expect(have.skipped[i]).toMatch(new RegExp(p)));
          } else expect(got[key as keyof typeof got], key).toEqual(value);
        }
        return;
      }

      if (outcome.ok)
        throw new Error(`${c.id}: accepted, but expected ${expected.type}: /${expected.error}/`);
      const { error } = outcome;
      expect(error, `${errorName(error)}: ${String(error)}`).toBeInstanceOf(Error);
      const message = (error as Error).message;
      expect(errorName(error), message).toBe(expected.type);
      expect(message).toMatch(new RegExp(expected.error));
      if (expected.names !== undefined) expect(message).toContain(path.join(CORPUS, expected.names));
      if (expected.code !== undefined) expect((error as BridgeError).code, message).toBe(expected.code);
    },
    CASE_MS + 5_000,
  );
});
