/**
 * The engine host: a process of its own (a Node child process in browser mode and tests, an Electron
 * utilityProcess in the desktop app) that runs every engine request, so a crash or out-of-memory in a job
 * takes down this process only. Messages arrive already validated by the gateway (electron/gateway/gate.ts);
 * replies and job events go back as structured clones.
 */
import type { JobInfo, JobName } from '../../../shared/bridge/contract.ts';
import type { ServerMessage } from '../../../shared/bridge/protocol.ts';
import { selectBackend } from '../backend/ladder.ts';
import { errorCode } from '../errors/error-code.ts';
import { createSession } from '../use-cases/context.ts';
import { JOBS, QUICK, jobsInUse, type HostState } from './handlers.ts';
import { JobQueue } from './jobs.ts';
import { hostPort } from './port.ts';

/** What the gateway sends the host: a validated request, or a request to stop. */
export type HostInbound =
  { kind: 'request'; id: number; name: string; input: unknown } | { kind: 'shutdown' };
/** What the host sends: replies, job events, and once, that it is ready. */
export type HostOutbound = ServerMessage | { kind: 'ready'; backend: string } | { kind: 'log'; line: string };

const port = hostPort();
const post = (m: HostOutbound): void => port.post(m);
const log = (line: string): void => post({ kind: 'log', line });

const mode = process.env.DEEPCORRECT_MODE === 'desktop' ? 'desktop' : 'browser';
const ready = selectBackend({ log }).then((backend) => {
  const jobs = new JobQueue(
    (job: JobInfo) => post({ kind: 'job', job }),
    (jobId, progress) => post({ kind: 'progress', jobId, progress }),
  );
  const state: HostState = { ...createSession(backend, mode), jobs, inUse: jobsInUse(jobs) };
  post({ kind: 'ready', backend: backend.name });
  return state;
});

async function answer(id: number, name: string, input: unknown): Promise<void> {
  const state = await ready;
  try {
    let output: unknown;
    if (Object.hasOwn(QUICK, name)) {
      const handler = QUICK[name as keyof typeof QUICK] as (i: unknown, s: HostState) => Promise<unknown>;
      output = await handler(input, state);
    } else if (Object.hasOwn(JOBS, name)) {
      const make = JOBS[name as keyof typeof JOBS] as (
        i: unknown,
        s: HostState,
      ) => { title: string; run: Parameters<JobQueue['submit']>[3] };
      const job = make(input, state);
      output = { jobId: state.jobs.submit(name as JobName, job.title, input, job.run) };
    } else {
      throw new Error(`no handler for ${name}`);
    }
    post({ kind: 'reply', id, ok: true, output });
  } catch (error) {
    post({
      kind: 'reply',
      id,
      ok: false,
      error: { code: errorCode(error), message: error instanceof Error ? error.message : String(error) },
    });
  }
}

port.onMessage((raw) => {
  const message = raw as HostInbound;
  if (message.kind === 'shutdown') {
    void ready
      .then((s) => {
        s.models.closeAll();
        return s.datasets.closeAll();
      })
      .finally(() => process.exit(0));
    return;
  }
  void answer(message.id, message.name, message.input);
});
