import { CONTRACT, isRequestName, type RequestName } from '../../shared/bridge/contract.ts';
import {
  BridgeError,
  MAX_CLIENT_MESSAGE_BYTES,
  parseClientMessage,
  type ServerMessage,
} from '../../shared/bridge/protocol.ts';
import type { EngineClient } from './engine-client.ts';
import type { PathPolicy } from './paths.ts';

export interface GateOptions {
  engine: EngineClient;
  paths: PathPolicy;
  mode: 'desktop' | 'browser';
  log: (line: string) => void;
}

/** The inputs that name files, checked against the user's allowed folders. */
const PATH_FIELDS: Partial<Record<RequestName, string[]>> = {
  'dataset.open': ['path'],
  'distort.write': ['outDir'],
  'models.open': ['path'],
  'models.train': ['outDir'],
  'correct.train': ['outDir'],
  'finetune.train': ['outDir'],
  'study.run': ['outDir', 'workspace'],
  'study.open': ['path'],
  'rank.open': ['path'],
  'workspace.open': ['path'],
  'workspace.check': ['path'],
  'workspace.discard': ['path'],
};

/**
 * The one door into the engine, shared by the desktop app's IPC and browser mode's WebSocket: every message is
 * checked (envelope, size, request name, input schema, paths) before the engine sees it, and every refusal is
 * answered with a code and a message and logged. It never throws.
 */
export class BridgeGate {
  constructor(private readonly options: GateOptions) {}

  /** Job events, for every connected client. */
  onBroadcast(listener: (message: ServerMessage) => void): () => void {
    return this.options.engine.onJob((job) => listener({ kind: 'job', job }));
  }

  /** `size`: the message's size in bytes where the transport knows it (WebSocket frames). */
  handle(raw: unknown, reply: (message: ServerMessage) => void, size?: number): void {
    let id = -1;
    try {
      if (size !== undefined && size > MAX_CLIENT_MESSAGE_BYTES)
        throw new BridgeError(
          'too-large',
          `a message of ${size} bytes is over the ${MAX_CLIENT_MESSAGE_BYTES}-byte limit`,
        );
      const message = parseClientMessage(raw);
      id = message.id;
      if (size === undefined && approximateSize(message.input) > MAX_CLIENT_MESSAGE_BYTES)
        throw new BridgeError(
          'too-large',
          `the request's input is over the ${MAX_CLIENT_MESSAGE_BYTES}-byte limit`,
        );
      if (!isRequestName(message.name))
        throw new BridgeError('unknown-request', `unknown request "${message.name.slice(0, 80)}"`);
      const name = message.name;
      const parsed = CONTRACT[name].input.safeParse(message.input);
      if (!parsed.success) {
        const issues = parsed.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`)
          .join('; ');
        throw new BridgeError('invalid-input', `${name}: ${issues}`);
      }
      const input = parsed.data as Record<string, unknown>;
      for (const field of PATH_FIELDS[name] ?? []) {
        const value = input[field];
        if (typeof value === 'string') this.options.paths.check(value);
      }
      const answer =
        name === 'jobs.list'
          ? Promise.resolve({ jobs: this.options.engine.jobList() })
          : this.options.engine.request(name, input);
      const requestId = id;
      answer.then(
        (output) => reply({ kind: 'reply', id: requestId, ok: true, output }),
        (error: unknown) => reply(this.refusal(requestId, error, name)),
      );
    } catch (error) {
      reply(this.refusal(id, error));
    }
  }

  private refusal(id: number, error: unknown, name?: string): ServerMessage {
    const e =
      error instanceof BridgeError
        ? error
        : new BridgeError('engine', error instanceof Error ? error.message : String(error));
    if (e.code !== 'engine')
      this.options.log(`bridge refused${name ? ` ${name}` : ''} (${e.code}): ${e.message}`);
    return { kind: 'reply', id, ok: false, error: { code: e.code, message: e.message } };
  }
}

/** A cheap upper-bound size of a structured-clone payload (IPC), without serialising typed arrays as text. */
function approximateSize(value: unknown): number {
  if (value instanceof Uint8Array) return value.byteLength;
  return JSON.stringify(value ?? null, (_k, v: unknown) =>
    v instanceof Uint8Array ? 'x'.repeat(Math.min(v.byteLength, 1 << 20)) : v,
  ).length;
}
