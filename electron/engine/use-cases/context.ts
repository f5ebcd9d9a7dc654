/**
 * The engine's one door: every request of the bridge contract is a use case here, a function from the
 * request's typed input to its typed output. The engine host (the app) and the command line both call these,
 * so the two can never build an engine call differently or default a setting differently.
 */
import type { RequestInput, RequestName, RequestOutput } from '../../../shared/bridge/contract.ts';
import type { BackendChoice } from '../../../shared/backends.ts';
import type { ProgressListener } from '../../../shared/progress.ts';
import { recordCommand, type PathRecording } from '../io/recorded-path.ts';
import { DatasetRegistry } from '../session/datasets.ts';
import type { InUse } from '../session/handle-registry.ts';
import { ModelRegistry } from '../session/models.ts';

/** What the engine has open for one user: the backend it runs on, and models and datasets by id. */
export interface EngineSession {
  backend: BackendChoice;
  mode: 'desktop' | 'browser';
  datasets: DatasetRegistry;
  models: ModelRegistry;
  /** The workspace the UI has open (absolute), read-only: nothing holds a lock on it. */
  workspace?: string;
  /** The ids queued and running jobs name (the engine host's): opening others must not close these. */
  inUse?: { models: InUse; datasets: InUse };
}

export function createSession(backend: BackendChoice, mode: EngineSession['mode']): EngineSession {
  return { backend, mode, datasets: new DatasetRegistry(), models: new ModelRegistry() };
}

/** Closes everything a session opened. */
export async function closeSession(session: EngineSession): Promise<void> {
  session.models.closeAll();
  await session.datasets.closeAll();
}

/** The lock's tool name while the app writes into a workspace. */
export const APP_TOOL = 'DeepCorrect Workbench';

/** How a use case runs: in a session, cancellable, reporting progress. */
export interface UseCaseContext {
  session: EngineSession;
  signal?: AbortSignal;
  progress?: ProgressListener;
  /** Lines for a terminal (each epoch, each stage of a study); the app has its progress events instead. */
  log?: (line: string) => void;
  /** Who asked, recorded in the provenance of what is written (the command line, or the app). */
  command?: string;
  /** Named in a workspace's lock while a use case writes into it (default: the app, APP_TOOL). */
  tool?: string;
  /** Data-parallel replicas for training (a command-line tuning knob; default: one per core on wasm). */
  replicas?: number;
  /** Record absolute paths in what is written (--record-paths); else portable ones (io/recorded-path.ts). */
  recordPaths?: boolean;
}

/** How the run records paths: portable unless asked, relative to `within` (its workspace or folder). */
export function pathRecording(context: UseCaseContext, within?: string): PathRecording {
  return {
    ...(context.recordPaths === true ? { absolute: true } : {}),
    ...(within === undefined ? {} : { within }),
  };
}

/** The context's command for a provenance, its absolute paths recorded as `paths` says. */
export function recordedCommand(context: UseCaseContext, paths: PathRecording): { command?: string } {
  return context.command === undefined ? {} : { command: recordCommand(context.command, paths) };
}

/** The context's cancellation and progress listener, as the engine's long operations take them. */
export function reporting(context: UseCaseContext): { signal?: AbortSignal; onProgress?: ProgressListener } {
  return {
    ...(context.signal ? { signal: context.signal } : {}),
    ...(context.progress ? { onProgress: context.progress } : {}),
  };
}

export interface UseCase<N extends RequestName> {
  /** A job's title, in words, for the job panel (jobs only). */
  title?: (input: RequestInput<N>, session: EngineSession) => string;
  run: (input: RequestInput<N>, context: UseCaseContext) => Promise<RequestOutput<N>>;
}

/** Runs a use case with the models and datasets its input names held open, so no open meanwhile closes them. */
export function holdingInputs<N extends RequestName>(
  input: RequestInput<N>,
  session: EngineSession,
  work: () => Promise<RequestOutput<N>>,
): Promise<RequestOutput<N>> {
  const ids = input as { modelId?: unknown; correctedModelId?: unknown; datasetId?: unknown };
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return session.models.holding([text(ids.modelId), text(ids.correctedModelId)], () =>
    session.datasets.holding(text(ids.datasetId), work),
  );
}
