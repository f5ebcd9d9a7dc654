/**
 * A real BridgeGate in front of an engine that answers everything and records what reached it: for tests of
 * what the gate lets through (corpus, fuzzing, shared references, browser-mode hardening).
 */
import { CONTRACT, isRequestName } from '../../shared/bridge/contract.ts';
import type { EngineClient } from '../../electron/gateway/engine-client.ts';
import { BridgeGate } from '../../electron/gateway/gate.ts';
import { PathPolicy } from '../../electron/gateway/paths.ts';

export interface EngineCall {
  name: string;
  input: unknown;
  /** Whether the input met its request's schema: the gate must never pass on one that does not. */
  valid: boolean;
}

export interface RecordingGate {
  gate: BridgeGate;
  engine: EngineClient;
  calls: EngineCall[];
}

export function recordingGate(
  allowed: string,
  options: {
    mode?: 'desktop' | 'browser';
    answer?: (name: string) => unknown;
    /** Where to record (several gates into one list); a new list by default. */
    calls?: EngineCall[];
  } = {},
): RecordingGate {
  const calls = options.calls ?? [];
  const answer = options.answer ?? ((name: string) => ({ answered: name }));
  // The gate and the server use only these members; the cast stands in for an engine host process.
  const engine = {
    request: (name: string, input: unknown): Promise<unknown> => {
      const valid = isRequestName(name) && CONTRACT[name].input.safeParse(input).success;
      calls.push({ name, input, valid });
      return Promise.resolve(answer(name));
    },
    jobList: () => [],
    jobProgress: () => ({}),
    onJob: () => () => undefined,
    onProgress: () => () => undefined,
  } as unknown as EngineClient;
  const paths = new PathPolicy();
  paths.allow(allowed);
  const gate = new BridgeGate({ engine, paths, mode: options.mode ?? 'browser', log: () => undefined });
  return { gate, engine, calls };
}

/** A frame of this header text and these blobs, with a matching length prefix, as encodeFrame lays one out. */
export function frameOf(header: string, blobs: Uint8Array[] = []): Uint8Array {
  const head = new TextEncoder().encode(header);
  const out = new Uint8Array(4 + head.length + blobs.reduce((n, b) => n + b.length, 0));
  new DataView(out.buffer).setUint32(0, head.length, true);
  out.set(head, 4);
  let at = 4 + head.length;
  for (const b of blobs) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}
