/**
 * The engine as commands reach it, loaded only when a command gets to engine work. Loading it costs about a
 * second (tfjs, the use cases, the backend probes), which `--help`, a misspelt option or a missing input file
 * must not pay: commands check their input first and come here after.
 */
import type { Command } from 'commander';
import type { CliEngine } from './engine-session.ts';

type GpuErrors = typeof import('../backend/gpu-errors.ts');

/** Loaded with the engine; main reads it to word a GPU failure, and only then. */
let gpuErrors: GpuErrors | undefined;
/** The command running, for GPU failure messages. */
let step = 'deepcorrect';

export function setStep(name: string): void {
  step = name;
}

/** A GPU failure's message for the error a command ended with, when the engine was loaded and one happened. */
export function gpuFailureMessage(error: unknown): string | undefined {
  return gpuErrors?.gpuJobError(error, { step })?.message;
}

/**
 * Watches for GPU failures from here on. A failed GPU allocation does not throw: the ops go on returning
 * zeros. So any GPU failure ends the command at once; files are written atomically, so nothing half-written
 * stays behind.
 */
export async function watchGpuFaults(): Promise<void> {
  if (gpuErrors !== undefined) return;
  gpuErrors = await import('../backend/gpu-errors.ts');
  gpuErrors.onGpuFault(() => {
    process.stderr.write(`deepcorrect: ${gpuFailureMessage(undefined) ?? 'GPU failure'}\n`);
    process.exit(1);
  });
}

/** engine-session's withEngine, loading the engine first. */
export async function withEngine<T>(
  program: Command,
  work: (engine: CliEngine) => Promise<T>,
  announce?: (line: string) => void,
): Promise<T> {
  await watchGpuFaults();
  const session = await import('./engine-session.ts');
  return session.withEngine(program, work, announce);
}

/** The backend alone (no engine session), for commands that run tfjs ops directly; released afterwards. */
export async function withBackend<T>(program: Command, work: () => Promise<T>): Promise<T> {
  await watchGpuFaults();
  const { selectBackend } = await import('../backend/ladder.ts');
  const { releaseBackends } = await import('../backend/probes.ts');
  const { backend } = program.opts<{ backend?: string }>();
  await selectBackend({ forced: backend, log: (l) => process.stderr.write(`${l}\n`) });
  try {
    return await work();
  } finally {
    releaseBackends();
  }
}

/** Whether a command ended because the user cancelled it (Ctrl-C): the engine's AbortError. */
export async function isCancellation(error: unknown): Promise<boolean> {
  // Only a cancelled run gets here with this name, and by then the engine (and train/fit.ts) is loaded.
  if (!(error instanceof Error) || error.name !== 'AbortError') return false;
  const { AbortError } = await import('../train/fit.ts');
  return error instanceof AbortError;
}
