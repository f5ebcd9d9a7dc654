/** The envelopes that carry requests, replies and job events over any transport (IPC or WebSocket). */
import type { JobInfo } from './contract.ts';

export const BRIDGE_ERROR_CODES = [
  'invalid-message',
  'unknown-request',
  'invalid-input',
  'too-large',
  'not-allowed',
  'engine',
  'host-crashed',
  'cancelled',
  'transport',
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

export interface JobMessage {
  kind: 'job';
  job: JobInfo;
}

export type ServerMessage = ReplyMessage | JobMessage;

/** A job request's immediate reply: the job's id; its result comes with its last job event. */
export interface JobStarted {
  jobId: string;
}

/** Largest message a client may send (requests are small; bulk data only flows to the client). */
export const MAX_CLIENT_MESSAGE_BYTES = 256 * 1024;

/** Deepest nesting a request's input may have; real inputs nest a few levels. */
export const MAX_INPUT_DEPTH = 64;

/**
 * Whether a value nests deeper than `limit`, found with an explicit stack: the gate's later steps (measuring,
 * schema checks) recurse, and a message ten thousand levels deep must be refused, not overflow the stack.
 */
function nestsDeeper(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v)) continue;
    if (depth >= limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
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
  if (nestsDeeper(m['input'], MAX_INPUT_DEPTH))
    throw new BridgeError(
      'invalid-message',
      `a request's input must not nest deeper than ${MAX_INPUT_DEPTH} levels`,
    );
  return { kind: 'request', id, name: m['name'], input: m['input'] };
}
