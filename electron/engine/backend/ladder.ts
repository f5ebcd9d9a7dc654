import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import {
  BACKEND_NAMES,
  isBackendName,
  type BackendChoice,
  type BackendName,
  type BackendProbe,
} from '../../../shared/backends.ts';
import { prepareBackend } from './probes.ts';

export const BACKEND_ENV = 'DEEPCORRECT_BACKEND';

export interface SelectOptions {
  /** A backend to use instead of the ladder (from --backend); DEEPCORRECT_BACKEND is read when absent. */
  forced?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Where fallbacks are reported ("webgpu unavailable: …, trying wasm"). */
  log?: (line: string) => void;
}

export class BackendError extends Error {
  override name = 'BackendError';
}

/** Validates a user-given backend name, with an error that lists the valid ones. */
export function parseBackendName(value: string, source: string): BackendName {
  const name = value.trim().toLowerCase();
  if (!isBackendName(name)) {
    throw new BackendError(
      `unknown backend "${value}" (from ${source}); choose one of: ${BACKEND_NAMES.join(', ')}`,
    );
  }
  return name;
}

/** The number of CPU threads a backend computes on: wasm trains on one worker per core. */
export function threadsFor(name: BackendName): number {
  return name === 'wasm' ? os.availableParallelism() : name === 'cpu' ? 1 : os.availableParallelism();
}

/**
 * Chooses and initialises the engine's backend: the forced one (failing loudly if it cannot
 * run), or the first of tensorflow -> webgpu -> wasm -> cpu that initialises, logging each fallback.
 */
export async function selectBackend(options: SelectOptions = {}): Promise<BackendChoice> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const fromEnv = env[BACKEND_ENV];
  const forcedRaw = options.forced ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined);
  const source = options.forced !== undefined ? '--backend' : BACKEND_ENV;
  const probes: BackendProbe[] = [];
  if (forcedRaw !== undefined) {
    const name = parseBackendName(forcedRaw, source);
    const outcome = await prepareBackend(name);
    if (!outcome.ok)
      throw new BackendError(`backend ${name} (forced by ${source}) cannot run here: ${outcome.detail}`);
    probes.push({ name, available: true, device: outcome.device, detail: outcome.detail });
    return {
      name,
      device: outcome.device,
      forced: true,
      reason: `forced by ${source}`,
      threads: threadsFor(name),
      probes,
    };
  }
  for (const name of BACKEND_NAMES) {
    const outcome = await prepareBackend(name);
    if (outcome.ok) {
      probes.push({ name, available: true, device: outcome.device, detail: outcome.detail });
      const skipped = probes.filter((p) => !p.available).map((p) => p.name);
      const reason =
        skipped.length === 0 ? 'first in the ladder' : `first available (${skipped.join(', ')} unavailable)`;
      return { name, device: outcome.device, forced: false, reason, threads: threadsFor(name), probes };
    }
    probes.push({ name, available: false, detail: outcome.detail });
    log(`backend ${name} unavailable: ${outcome.detail}; trying the next`);
  }
  throw new BackendError(
    `no backend could initialise: ${probes.map((p) => `${p.name}: ${p.detail}`).join('; ')}`,
  );
}

/** Probes every backend once (for the doctor), then leaves the engine on the one it would use. */
export async function probeAll(
  options: SelectOptions = {},
): Promise<{ probes: BackendProbe[]; choice: BackendChoice }> {
  const env = options.env ?? process.env;
  const fromEnv = env[BACKEND_ENV];
  const forcedRaw = options.forced ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined);
  const source = options.forced !== undefined ? '--backend' : BACKEND_ENV;
  const forced = forcedRaw === undefined ? undefined : parseBackendName(forcedRaw, source);
  const probes: BackendProbe[] = [];
  for (const name of BACKEND_NAMES) {
    const outcome = await prepareBackend(name);
    probes.push(
      outcome.ok
        ? { name, available: true, device: outcome.device, detail: outcome.detail }
        : { name, available: false, detail: outcome.detail },
    );
  }
  const chosen =
    forced === undefined ? probes.find((p) => p.available) : probes.find((p) => p.name === forced);
  if (chosen === undefined) throw new BackendError('no backend could initialise');
  if (!chosen.available)
    throw new BackendError(`backend ${chosen.name} (forced by ${source}) cannot run here: ${chosen.detail}`);
  await tf.setBackend(chosen.name);
  const skipped = probes.slice(0, probes.indexOf(chosen)).map((p) => p.name);
  const reason =
    forced !== undefined
      ? `forced by ${source}`
      : skipped.length === 0
        ? 'first in the ladder'
        : `first available (${skipped.join(', ')} unavailable)`;
  return {
    probes,
    choice: {
      name: chosen.name,
      device: chosen.device ?? '',
      forced: forced !== undefined,
      reason,
      threads: threadsFor(chosen.name),
      probes,
    },
  };
}
