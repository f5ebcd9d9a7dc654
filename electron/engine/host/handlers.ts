/**
 * The engine host's answers: each request name maps to its use case (electron/engine/use-cases), run in the
 * host's session. Jobs get a title and run on the job queue; quick requests run at once with the models and
 * datasets they name held open. Only the job queue's own requests are the host's.
 */
import {
  CONTRACT,
  type JobName,
  type QuickName,
  type RequestInput,
  type RequestOutput,
} from '../../../shared/bridge/contract.ts';
import type { EngineSession } from '../use-cases/context.ts';
import { holdingInputs } from '../use-cases/context.ts';
import { USE_CASES, type EngineRequest } from '../use-cases/index.ts';
import type { JobQueue, JobRun } from './jobs.ts';

export interface HostState extends EngineSession {
  jobs: JobQueue;
}

/** jobs.list is the gateway's: its table of jobs outlives an engine host that crashed. */
export type HostQuickName = Exclude<QuickName, 'jobs.list'>;
type QuickHandlers = {
  [N in HostQuickName]: (input: RequestInput<N>, state: HostState) => Promise<RequestOutput<N>>;
};
type JobHandlers = {
  [N in JobName]: (
    input: RequestInput<N>,
    state: HostState,
  ) => { title: string; run: (context: Parameters<JobRun>[0]) => Promise<RequestOutput<N>> };
};

/** The model and dataset ids that queued and running jobs name: opening others must not close these. */
export function jobsInUse(jobs: JobQueue): NonNullable<EngineSession['inUse']> {
  const used = (fields: readonly string[]) => (id: string) => {
    for (const input of jobs.activeInputs())
      if (typeof input === 'object' && input !== null)
        for (const field of fields) if ((input as Record<string, unknown>)[field] === id) return true;
    return false;
  };
  return { models: used(['modelId', 'correctedModelId']), datasets: used(['datasetId']) };
}

const QUEUE: Pick<QuickHandlers, 'jobs.cancel'> = {
  'jobs.cancel': (input, state) => Promise.resolve({ cancelled: state.jobs.cancel(input.jobId) }),
};

const isJob = (name: EngineRequest): name is JobName & EngineRequest => CONTRACT[name].job;
const names = Object.keys(USE_CASES) as EngineRequest[];

function quick<N extends HostQuickName & EngineRequest>(name: N): QuickHandlers[N] {
  const useCase = USE_CASES[name];
  return ((input: RequestInput<N>, state: HostState) =>
    holdingInputs(input, state, () => useCase.run(input, { session: state }))) as QuickHandlers[N];
}

function job<N extends JobName & EngineRequest>(name: N): JobHandlers[N] {
  const useCase = USE_CASES[name];
  const title = useCase.title;
  if (title === undefined) throw new Error(`the job ${name} has no title`);
  return ((input: RequestInput<N>, state: HostState) => ({
    title: title(input, state),
    run: ({ signal, progress }) => useCase.run(input, { session: state, signal, progress }),
  })) as JobHandlers[N];
}

export const QUICK = {
  ...QUEUE,
  ...Object.fromEntries(names.filter((n) => !isJob(n)).map((n) => [n, quick(n)])),
} as QuickHandlers;

export const JOBS = Object.fromEntries(names.filter(isJob).map((n) => [n, job(n)])) as JobHandlers;
