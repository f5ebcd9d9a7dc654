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

/** Checks the shape of an incoming client message, without trusting anything in it. */
export function parseClientMessage(value: unknown): RequestMessage {
  if (typeof value !== 'object' || value === null)
    throw new BridgeError('invalid-message', 'a message must be an object');
  const m = value as Record<string, unknown>;
  if (m['kind'] !== 'request')
    throw new BridgeError('invalid-message', `unknown message kind ${JSON.stringify(m['kind'])}`);
  const id = m['id'];
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0)
    throw new BridgeError('invalid-message', 'a request needs a non-negative integer id');
  if (typeof m['name'] !== 'string') throw new BridgeError('invalid-message', 'a request needs a name');
  return { kind: 'request', id, name: m['name'], input: m['input'] };
}
