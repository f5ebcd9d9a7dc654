import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import {
  BACKEND_NAMES,
  isBackendName,
  type BackendChoice,
  type BackendName,
  type BackendProbe,
} from '../../../shared/backends.ts';
import { prepareBackend, type ProbeOutcome } from './probes.ts';

export const BACKEND_ENV = 'DEEPCORRECT_BACKEND';

export interface SelectOptions {
  /** A backend to use instead of the ladder (from --backend); DEEPCORRECT_BACKEND is read when absent. */
  forced?: string | undefined;
  /** Where DEEPCORRECT_BACKEND, DEEPCORRECT_ALLOW_SOFTWARE_GPU and DEEPCORRECT_VERBOSE are read (process.env). */
  env?: NodeJS.ProcessEnv;
  /** Where fallbacks are reported ("webgpu unavailable: …, trying wasm"). */
  log?: (line: string) => void;
}

export class BackendError extends Error {
  override name = 'BackendError';
  constructor(
    message: string,
    /** What the probe found, when the error comes from choosing (doctor still shows it). */
    readonly probes: BackendProbe[] = [],
  ) {
    super(message);
  }
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

/** The CPU threads a backend computes on: wasm trains with one replica per core, cpu on one thread. */
export function threadsFor(name: BackendName): number {
  return name === 'cpu' ? 1 : os.availableParallelism();
}

/** The backend forced by --backend or else DEEPCORRECT_BACKEND, validated; undefined when neither is set. */
function resolveForced(options: SelectOptions): { name: BackendName; source: string } | undefined {
  if (options.forced !== undefined) {
    return { name: parseBackendName(options.forced, '--backend'), source: '--backend' };
  }
  const fromEnv = (options.env ?? process.env)[BACKEND_ENV];
  if (fromEnv === undefined || fromEnv === '') return undefined;
  return { name: parseBackendName(fromEnv, BACKEND_ENV), source: BACKEND_ENV };
}

function toProbe(name: BackendName, outcome: ProbeOutcome): BackendProbe {
  const probe: BackendProbe = outcome.ok
    ? { name, available: true, device: outcome.device, detail: outcome.detail }
    : { name, available: false, detail: outcome.detail };
  if (outcome.software === true) probe.software = true;
  return probe;
}

/** The backend to try instead of a forced one that cannot run: wasm ships in the package and runs anywhere. */
function instead(name: BackendName, source: string): string {
  if (name === 'cpu') return '';
  const other = name === 'wasm' ? 'cpu' : 'wasm';
  const how = source === BACKEND_ENV ? `${BACKEND_ENV}=${other}` : `--backend ${other}`;
  return `; use ${how} instead, or leave the backend unset to let the engine choose`;
}

function choose(
  probes: BackendProbe[],
  forced: { name: BackendName; source: string } | undefined,
): BackendChoice {
  const chosen =
    forced === undefined ? probes.find((p) => p.available) : probes.find((p) => p.name === forced.name);
  if (chosen === undefined) {
    throw new BackendError(
      `no backend could initialise: ${probes.map((p) => `${p.name}: ${p.detail}`).join('; ')}`,
      probes,
    );
  }
  if (!chosen.available) {
    throw new BackendError(
      `backend ${chosen.name} (forced by ${forced?.source}) cannot run here: ${chosen.detail}` +
        (forced === undefined ? '' : instead(chosen.name, forced.source)),
      probes,
    );
  }
  const skipped = probes.slice(0, probes.indexOf(chosen)).map((p) => p.name);
  const reason =
    forced !== undefined
      ? `forced by ${forced.source}`
      : skipped.length === 0
        ? 'first in the ladder'
        : `first available (${skipped.join(', ')} unavailable)`;
  return {
    name: chosen.name,
    device: chosen.device ?? '',
    forced: forced !== undefined,
    reason,
    threads: threadsFor(chosen.name),
    probes,
  };
}

/**
 * Chooses and initialises the engine's backend: the forced one (failing loudly if it cannot
 * run), or the first of tensorflow -> webgpu -> wasm -> cpu that initialises, logging each fallback.
 */
export async function selectBackend(options: SelectOptions = {}): Promise<BackendChoice> {
  const forced = resolveForced(options);
  const env = options.env ?? process.env;
  if (forced !== undefined)
    return choose([toProbe(forced.name, await prepareBackend(forced.name, env))], forced);
  const probes: BackendProbe[] = [];
  for (const name of BACKEND_NAMES) {
    const probe = toProbe(name, await prepareBackend(name, env));
    probes.push(probe);
    if (probe.available) return choose(probes, undefined);
    options.log?.(`backend ${name} unavailable: ${probe.detail}; trying the next`);
  }
  return choose(probes, undefined);
}

/** Probes every backend once (for the doctor), then leaves the engine on the one it would use. */
export async function probeAll(
  options: SelectOptions = {},
): Promise<{ probes: BackendProbe[]; choice: BackendChoice }> {
  const forced = resolveForced(options);
  const env = options.env ?? process.env;
  const probes: BackendProbe[] = [];
  for (const name of BACKEND_NAMES) probes.push(toProbe(name, await prepareBackend(name, env)));
  const choice = choose(probes, forced);
  await tf.setBackend(choice.name);
  return { probes, choice };
}
