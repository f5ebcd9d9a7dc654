/**
 * How a command reaches the engine: the same use cases the app's engine host answers from, in a session of
 * its own. A command parses its flags into the request's input; the input is checked by the contract's own
 * schema, so the command line refuses exactly what the app refuses, with the same limits.
 */
import type { Command } from 'commander';
import type { z } from 'zod';
import { CONTRACT, type RequestInput, type RequestOutput } from '../../../shared/bridge/contract.ts';
import type { BackendChoice } from '../../../shared/backends.ts';
import type { ProgressListener } from '../../../shared/progress.ts';
import { selectBackend } from '../backend/ladder.ts';
import { releaseBackends } from '../backend/probes.ts';
import { closeSession, createSession, type EngineSession } from '../use-cases/context.ts';
import { USE_CASES, type EngineRequest } from '../use-cases/index.ts';
import type { OpenFlags } from './commands/dataset.ts';

/** What a command adds to a use case's run: cancellation, a progress line, lines to print, tuning. */
export interface RunOptions {
  signal?: AbortSignal;
  progress?: ProgressListener;
  log?: (line: string) => void;
  replicas?: number;
  /** Recorded in what the command writes (the command line as typed). */
  command?: string;
  tool?: string;
  /** --record-paths: absolute paths in what the command writes, as before paths were made portable. */
  recordPaths?: boolean;
}

export interface CliEngine {
  session: EngineSession;
  backend: BackendChoice;
  run<N extends EngineRequest>(
    name: N,
    input: RequestInput<N>,
    options?: RunOptions,
  ): Promise<RequestOutput<N>>;
  /** Opens a dataset with the command's open flags; its id. */
  openDataset(path: string | undefined, flags: OpenFlags): Promise<string>;
  /** Opens a model folder; its id. */
  openModel(path: string | undefined): Promise<string>;
}

/** The schema's complaints about a command's input, one per line, each naming the setting. */
export function describeIssues(name: string, error: z.ZodError): string {
  const lines = error.issues.map((i) => `${i.path.length === 0 ? name : i.path.join('.')}: ${i.message}`);
  return `invalid settings for ${name}:\n  ${lines.join('\n  ')}`;
}

/** The input checked (and normalised) by its request's schema, or an error saying what is wrong. */
export function checkedInput<N extends EngineRequest>(name: N, input: RequestInput<N>): RequestInput<N> {
  const parsed = CONTRACT[name].input.safeParse(input);
  if (!parsed.success) throw new Error(describeIssues(name, parsed.error));
  return parsed.data as RequestInput<N>;
}

/**
 * Runs `work` with an engine on the backend the command asks for (or the ladder's choice), and closes every
 * model, dataset and backend afterwards, whatever happens.
 */
export async function withEngine<T>(
  program: Command,
  work: (engine: CliEngine) => Promise<T>,
  announce?: (line: string) => void,
): Promise<T> {
  const { backend: forced } = program.opts<{ backend?: string }>();
  const backend = await selectBackend({ forced, log: (l) => process.stderr.write(`${l}\n`) });
  announce?.(`backend: ${backend.name} (${backend.reason}) on ${backend.device}`);
  const session = createSession(backend, 'desktop');
  const run = <N extends EngineRequest>(name: N, input: RequestInput<N>, options: RunOptions = {}) =>
    USE_CASES[name].run(checkedInput(name, input), { session, ...options });
  const engine: CliEngine = {
    session,
    backend,
    run,
    openDataset: async (path, flags) =>
      (
        await run('dataset.open', {
          ...(path === undefined ? {} : { path }),
          ...(flags.size ? { size: flags.size } : {}),
          ...(flags.channels ? { channels: flags.channels } : {}),
          ...(flags.skipBad ? { skipBad: true } : {}),
          ...(flags.labels ? { labels: flags.labels } : {}),
        })
      ).datasetId,
    openModel: async (path) => (await run('models.open', path === undefined ? {} : { path })).modelId,
  };
  try {
    return await work(engine);
  } finally {
    await closeSession(session);
    releaseBackends();
  }
}
