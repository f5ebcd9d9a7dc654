/** The envelopes that carry requests, replies and job events over any transport (IPC or WebSocket). */
import type { Progress } from '../progress.ts';
import type { JobInfo } from './contract.ts';

/**
 * What kind of trouble an error is, so the UI's advice keys on the kind, not on the words. The bridge's own
 * refusals come first; then the engine's failures, by the class of error it threw (electron/engine/errors).
 */
export const BRIDGE_ERROR_CODES = [
  'invalid-message',
  'unknown-request',
  'invalid-input',
  'too-large',
  'not-allowed',
  'host-crashed',
  'cancelled',
  'transport',
  /** A file or folder the user gave cannot be used as asked (FileProblemError, a system error such as ENOENT). */
  'file',
  'dataset',
  'model',
  /** A saved filter ranking that is not one (RankingFileError). */
  'ranking-file',
  'workspace',
  /** A model or dataset id the engine closed to make room (HandleClosedError): open it again. */
  'evicted',
  /** The engine ran out of memory (main memory, or the GPU's). */
  'out-of-memory',
  /** The GPU failed otherwise (a lost device, a validation error). */
  'gpu',
  /** Any other failure of the engine's work. */
  'engine',
] as const;
export type BridgeErrorCode = (typeof BRIDGE_ERROR_CODES)[number];

export interface BridgeErrorInfo {
  code: BridgeErrorCode;
  message: string;
}

/** An error that crossed the bridge: its code says what kind, its message what to do. */
export class BridgeError extends Error {
  override name = 'BridgeError';
  constructor(
    readonly code: BridgeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface RequestMessage {
  kind: 'request';
  id: number;
  name: string;
  input: unknown;
}

export type ClientMessage = RequestMessage;

export type ReplyMessage =
  | { kind: 'reply'; id: number; ok: true; output: unknown }
  | { kind: 'reply'; id: number; ok: false; error: BridgeErrorInfo };

/** A job's record changed: queued, started, ended. */
export interface JobMessage {
  kind: 'job';
  job: JobInfo;
}

/** A running job's progress, sent apart from its record, so what shows a job's status is not redrawn per tick. */
export interface ProgressMessage {
  kind: 'progress';
  jobId: string;
  progress: Progress;
}

export type JobEvent = JobMessage | ProgressMessage;
export type ServerMessage = ReplyMessage | JobEvent;

/** A job request's immediate reply: the job's id; its result comes with its last job event. */
export interface JobStarted {
  jobId: string;
}

/** Largest message a client may send (requests are small; bulk data only flows to the client). */
export const MAX_CLIENT_MESSAGE_BYTES = 256 * 1024;

/** Deepest nesting a request's input may have; real inputs nest a few levels. */
export const MAX_INPUT_DEPTH = 64;

/**
 * Most values a request's input may hold: every object, array, array slot and primitive, a shared object
 * counted each time it appears (as JSON, the schema check and the engine each walk it). The largest real
 * inputs are filter orders (correct.train, rank.experiment: up to 4096 per layer; resnet20's 19 conv layers
 * have 1,200 filters in all), and a message within MAX_CLIENT_MESSAGE_BYTES holds at most about 131,000
 * values (the shortest, with its comma, takes two bytes), so this cap is twice what any message that fits
 * could hold.
 */
export const MAX_INPUT_NODES = 1 << 18;

/** A value's share of an input: what a walk of it as a tree (JSON's, the schema check's) meets. */
interface Totals {
  /** Values, each shared object counted every time it appears. */
  values: number;
  /** Characters of its strings and keys and bytes of its typed arrays: a lower bound of its JSON length. */
  size: number;
  /** Levels of objects and arrays: 0 for a primitive (or a typed array), 1 for an object of primitives. */
  height: number;
}

/** A primitive's or a typed array's totals (they hold no references); undefined for an object or array. */
function leafTotals(value: unknown): Totals | undefined {
  if (typeof value === 'string') return { values: 1, size: value.length, height: 0 };
  if (typeof value !== 'object' || value === null) return { values: 1, size: 0, height: 0 };
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer)
    return { values: 1, size: value.byteLength, height: 0 };
  return undefined;
}

interface Frame {
  node: object;
  /** An object's own keys; undefined for an array, whose slots are walked by index (holes included). */
  keys: string[] | undefined;
  length: number;
  next: number;
  totals: Totals;
}

/**
 * Checks an input's nesting, value count and size as the later steps will walk it, in time linear in its
 * distinct objects: each object is measured once (a WeakMap of finished totals) and a shared one adds its
 * totals wherever it appears again, so `{a: x, b: x}` nested 60 deep costs a few hundred steps, not 2^60,
 * and is refused for the 2^61 values a tree walk would meet. Structured clone (IPC) keeps shared references, and
 * the renderer does share some harmlessly (one optimizer object for both of a study's trainings), so a
 * repeat is refused only for what it expands to. A cycle is refused outright: nothing could walk it. The
 * walk uses an explicit stack, so a message ten thousand levels deep is refused, not a stack overflow.
 */
function measureInput(input: unknown): void {
  const refuse = (code: BridgeErrorCode, why: string): never => {
    throw new BridgeError(code, why);
  };
  const tooDeep = () =>
    refuse('invalid-message', `a request's input must not nest deeper than ${MAX_INPUT_DEPTH} levels`);
  let shared = false;
  const add = (into: Totals, part: Totals): void => {
    // Saturated: a shared chain 2,000 levels deep would count past Number.MAX_VALUE.
    into.values = Math.min(into.values + part.values, MAX_INPUT_NODES + 1);
    into.size = Math.min(into.size + part.size, MAX_CLIENT_MESSAGE_BYTES + 1);
    into.height = Math.max(into.height, part.height + 1);
    const over = into.values > MAX_INPUT_NODES || into.size > MAX_CLIENT_MESSAGE_BYTES;
    if (over && shared)
      // Then the repeats are why: a structured clone of a few objects can stand for a tree of billions.
      refuse(
        'invalid-message',
        `a request's input repeats references to the same objects, and counted each time it appears ` +
          `(as the schema check and the engine walk it) holds over ${MAX_INPUT_NODES} values or ` +
          `${MAX_CLIENT_MESSAGE_BYTES} bytes: send each object once`,
      );
    if (into.values > MAX_INPUT_NODES)
      refuse('invalid-message', `a request's input must hold at most ${MAX_INPUT_NODES} values`);
    if (into.size > MAX_CLIENT_MESSAGE_BYTES)
      refuse('too-large', `the request's input is over the ${MAX_CLIENT_MESSAGE_BYTES}-byte limit`);
  };
  const root = leafTotals(input);
  if (root !== undefined) return add({ values: 0, size: 0, height: 0 }, root);

  const finished = new WeakMap<object, Totals>();
  const onPath = new WeakSet<object>();
  const stack: Frame[] = [];
  const enter = (node: object): void => {
    // The node's depth is the stack's length: the root is at 0.
    if (stack.length >= MAX_INPUT_DEPTH) tooDeep();
    const keys = Array.isArray(node) ? undefined : Object.keys(node);
    // Checked before a single slot is read: a sparse array of length 2^32 - 1 is a few bytes to send.
    const length = keys === undefined ? (node as unknown[]).length : keys.length;
    if (length > MAX_INPUT_NODES)
      refuse('invalid-message', `a request's input must hold at most ${MAX_INPUT_NODES} values`);
    onPath.add(node);
    stack.push({ node, keys, length, next: 0, totals: { values: 1, size: 0, height: 1 } });
  };
  enter(input as object);
  for (;;) {
    const frame = stack[stack.length - 1] as Frame;
    if (frame.next === frame.length) {
      stack.pop();
      onPath.delete(frame.node);
      finished.set(frame.node, frame.totals);
      const parent = stack[stack.length - 1];
      if (parent === undefined) return;
      add(parent.totals, frame.totals);
      continue;
    }
    const i = frame.next++;
    const key = frame.keys?.[i];
    let child: unknown;
    if (key === undefined) child = (frame.node as unknown[])[i];
    else {
      child = (frame.node as Record<string, unknown>)[key];
      frame.totals.size += key.length;
    }
    const leaf = leafTotals(child);
    if (leaf !== undefined) {
      add(frame.totals, leaf);
      continue;
    }
    const node = child as object;
    if (onPath.has(node))
      refuse(
        'invalid-message',
        "a request's input must not contain itself (an object refers back to one that holds it: a cycle)",
      );
    const seen = finished.get(node);
    if (seen === undefined) {
      enter(node);
      continue;
    }
    shared = true;
    // The deepest object inside sits at the child's depth (the stack's length) plus its height less one.
    if (stack.length + seen.height - 1 >= MAX_INPUT_DEPTH) tooDeep();
    add(frame.totals, seen);
  }
}

/** Checks the shape of an incoming client message, without trusting anything in it. */
export function parseClientMessage(value: unknown): RequestMessage {
  if (typeof value !== 'object' || value === null)
    throw new BridgeError('invalid-message', 'a message must be an object');
  const m = value as Record<string, unknown>;
  if (m['kind'] === undefined)
    throw new BridgeError('invalid-message', 'a message needs a kind ("request"); this one has none');
  if (m['kind'] !== 'request')
    throw new BridgeError(
      'invalid-message',
      // Not JSON.stringify: a hostile kind could be a huge or deeply nested value.
      `unknown message kind ${typeof m['kind'] === 'string' ? JSON.stringify(m['kind'].slice(0, 80)) : `(a ${typeof m['kind']})`}`,
    );
  const id = m['id'];
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0)
    throw new BridgeError('invalid-message', 'a request needs a non-negative integer id');
  if (typeof m['name'] !== 'string') throw new BridgeError('invalid-message', 'a request needs a name');
  // Before anything walks the input as a tree (the gate's size estimate, the schema check): see measureInput.
  measureInput(m['input']);
  return { kind: 'request', id, name: m['name'], input: m['input'] };
}
