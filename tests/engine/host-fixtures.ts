/**
 * The engine host's state and quick requests, in the test process: each input checked by the bridge contract
 * as the gateway checks it, then handed to the host's own handler.
 */
import {
  CONTRACT,
  type JobInfo,
  type RequestInput,
  type RequestOutput,
} from '../../shared/bridge/contract.ts';
import type { BackendChoice } from '../../shared/backends.ts';
import { QUICK, jobsInUse, type HostQuickName, type HostState } from '../../electron/engine/host/handlers.ts';
import { createSession } from '../../electron/engine/use-cases/context.ts';
import { JobQueue } from '../../electron/engine/host/jobs.ts';

export function hostState(
  backend: BackendChoice,
  onJob: (info: JobInfo) => void = () => undefined,
): HostState {
  const jobs = new JobQueue(onJob);
  return { ...createSession(backend, 'browser'), jobs, inUse: jobsInUse(jobs) };
}

export function quickRequest<N extends HostQuickName>(
  state: HostState,
  name: N,
  input: RequestInput<N>,
): Promise<RequestOutput<N>> {
  const handler = QUICK[name] as (i: unknown, s: HostState) => Promise<RequestOutput<N>>;
  return handler(CONTRACT[name].input.parse(input), state);
}
