import { CONTRACT, isRequestName, type RequestName } from '../../shared/bridge/contract.ts';
import {
  BridgeError,
  MAX_CLIENT_MESSAGE_BYTES,
  parseClientMessage,
  type ServerMessage,
} from '../../shared/bridge/protocol.ts';
import type { EngineClient } from './engine-client.ts';
import type { PathAccess, PathPolicy } from './paths.ts';

export interface GateOptions {
  engine: EngineClient;
  paths: PathPolicy;
  mode: 'desktop' | 'browser';
  log: (line: string) => void;
}

/**
 * The inputs that name files, and what the engine does there: reads need an allowed folder, writes (outputs,
 * a workspace a study, an evaluation, a ranking or a discard writes into, a workspace created) a writable one. Opening a workspace
 * without `create` only reads it: no lock, and an older manifest is migrated in memory only.
 */
const PATH_FIELDS: {
  [N in RequestName]?: Record<string, PathAccess | ((input: Record<string, unknown>) => PathAccess)>;
} = {
  'dataset.open': { path: 'read' },
  'distort.write': { outDir: 'write' },
  'models.open': { path: 'read' },
  'models.train': { outDir: 'write', workspace: 'write' },
  'models.evaluate': { workspace: 'write' },
  'rank.filters': { workspace: 'write' },
  'rank.experiment': { workspace: 'write' },
  'result.open': { path: 'read' },
  'correct.train': { outDir: 'write', ranking: 'read', workspace: 'write' },
  'finetune.train': { outDir: 'write', workspace: 'write' },
  'study.run': { outDir: 'write', ranking: 'read', workspace: 'write' },
  'study.open': { path: 'read' },
  'rank.open': { path: 'read' },
  'workspace.open': { path: (input) => (input['create'] === true ? 'write' : 'read') },
  'workspace.check': { path: 'read' },
  'workspace.discard': { path: 'write' },
  'fs.browse': { path: 'read' },
};

/** The fields of a request that name files, with the access each needs (exported for the gate's tests). */
export function pathFields(name: RequestName, input: Record<string, unknown>): [string, PathAccess][] {
  return Object.entries(PATH_FIELDS[name] ?? {}).map(([field, access]) => [
    field,
    typeof access === 'function' ? access(input) : access,
  ]);
}

/**
 * The id of a raw message, read before anything else is checked so that every refusal (a bad name, a bad
 * input, too deep, too large) reaches the caller waiting on it; -1 where it has none usable.
 */
function rawId(raw: unknown): number {
  if (typeof raw !== 'object' || raw === null) return -1;
  try {
    const id: unknown = (raw as Record<string, unknown>)['id'];
    return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : -1;
  } catch {
    // A getter that throws (not possible over IPC or JSON, but the gate never throws).
    return -1;
  }
}

/**
 * The one door into the engine, shared by the desktop app's IPC and browser mode's WebSocket: every message is
 * checked (envelope, size, request name, input schema, paths) before the engine sees it, and every refusal is
 * answered with a code and a message and logged. It never throws.
 */
export class BridgeGate {
  constructor(private readonly options: GateOptions) {}

  /** Job events, for every connected client. */
  onBroadcast(listener: (message: ServerMessage) => void): () => void {
    const { engine } = this.options;
    const stopJobs = engine.onJob((job) => listener({ kind: 'job', job }));
    const stopProgress = engine.onProgress((jobId, progress) =>
      listener({ kind: 'progress', jobId, progress }),
    );
    return () => {
      stopJobs();
      stopProgress();
    };
  }

  /** `size`: the message's size in bytes where the transport knows it (WebSocket frames). */
  handle(raw: unknown, reply: (message: ServerMessage) => void, size?: number): void {
    const id = rawId(raw);
    try {
      if (size !== undefined && size > MAX_CLIENT_MESSAGE_BYTES)
        throw new BridgeError(
          'too-large',
          `a message of ${size} bytes is over the ${MAX_CLIENT_MESSAGE_BYTES}-byte limit`,
        );
      const message = parseClientMessage(raw);
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
      // The engine gets each path as the real location that was checked, never the string as sent: with no
      // link and no `..` left in it, the OS resolves it to the very place the policy judged.
      const input = { ...(parsed.data as Record<string, unknown>) };
      for (const [field, access] of pathFields(name, input)) {
        const value = input[field];
        if (typeof value === 'string') input[field] = this.options.paths.check(value, access);
      }
      // The folder browser lists within the gate's allowed folders, never folders a client names.
      if (name === 'fs.browse') input['roots'] = this.options.paths.entries();
      // The gateway's table answers jobs.list: it outlives the engine host, and so do the records of its jobs.
      const answer =
        name === 'jobs.list'
          ? Promise.resolve({
              jobs: this.options.engine.jobList(),
              progress: this.options.engine.jobProgress(),
            })
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
