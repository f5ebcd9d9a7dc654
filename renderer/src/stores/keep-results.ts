/**
 * Starting the jobs whose results are kept in the open workspace (evaluations, rankings, oracle experiments, and
 * a copy of each trained, corrected or fine-tuned model): the request names the workspace, and the engine saves
 * the result there. A workspace this session may only
 * read (browser mode's --allow-read) is refused by the gate; the job then runs unsaved, and a toast says so
 * before it starts, so that the work is done either way and nobody believes it was kept.
 */
import type { RequestInput } from '../../../shared/bridge/contract.ts';
import { BridgeError } from '../../../shared/bridge/protocol.ts';
import { useBridge } from '../bridge/inject.ts';
import { withWorkspace, type SavedRequest } from '../lib/saved-results.ts';
import { useJobs } from './jobs.ts';
import { useToasts } from './toasts.ts';
import { useWorkspace } from './workspace.ts';

/** For a store's setup: a function that queues a job saved into the open workspace (its id, or undefined). */
export function useKeptJobs(): <N extends SavedRequest>(
  name: N,
  input: RequestInput<N>,
) => Promise<string | undefined> {
  const jobs = useJobs();
  const client = useBridge();
  const toasts = useToasts();
  const workspace = useWorkspace();
  return async (name, input) => {
    const root = workspace.root;
    if (root === null) return jobs.startJob(name, input);
    try {
      return await client.startJob(name, withWorkspace(input, root));
    } catch (error) {
      if (!(error instanceof BridgeError && error.code === 'not-allowed')) {
        toasts.error(error, 'Starting the job');
        return undefined;
      }
      toasts.show(
        `Not saved: this session may only read the workspace ${root}, so the result stays in this session (${error.message})`,
        'info',
      );
      return jobs.startJob(name, input);
    }
  };
}
