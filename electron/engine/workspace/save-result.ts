/**
 * A job's result saved into a workspace as one JSON artefact (an evaluation, a ranking, an oracle experiment),
 * the way a study is: the workspace is locked and the artefact registered 'interrupted' before the job runs, so
 * that a crash leaves an entry saying so; when the job ends its file is written atomically and the entry
 * becomes complete with the file's size and SHA-256. A job that fails or is cancelled wrote nothing and leaves
 * no entry (there is nothing to resume). Only one job runs at a time in the engine host, so holding the lock
 * for the job's length keeps out only other processes (a `deepcorrect study --workspace` run), which the
 * refusal names before any work.
 */
import type { SavedTo } from '../../../shared/saved-result.ts';
import type { Artefact, ArtefactKind } from '../../../shared/workspace.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { openWorkspace } from './workspace.ts';

export interface SaveResultOptions {
  kind: Extract<ArtefactKind, 'evaluation' | 'ranking' | 'experiment'>;
  /** The artefact's name in the workspace's list (its id is a slug of it and the time). */
  name: string;
  /** Named in the lock while the job runs. */
  tool: string;
  /** Recorded in the manifest's entry: the settings' summary, what was measured, who asked. */
  provenance: Record<string, unknown>;
}

/**
 * Runs `run` with its result saved into the workspace at `dir`: `content` turns the result into the file's JSON
 * (given the workspace's root, against which its paths are recorded). Returns the result and where it went.
 */
export async function runSavingResult<T>(
  dir: string,
  options: SaveResultOptions,
  run: () => Promise<T>,
  content: (result: T, root: string) => unknown,
): Promise<{ result: T; saved: SavedTo }> {
  const ws = await openWorkspace(dir, { write: true, tool: options.tool });
  try {
    const begun = await ws.begin(options.kind, options.name, { provenance: options.provenance });
    let result: T;
    try {
      result = await run();
    } catch (error) {
      await ws.discard(begun.id).catch(() => undefined);
      throw error;
    }
    await writeFileAtomic(
      await ws.checkedPath(begun),
      `${JSON.stringify(content(result, ws.root), null, 1)}\n`,
    );
    const done: Artefact = await ws.complete(begun.id);
    return {
      result,
      saved: {
        workspace: ws.root,
        workspaceName: ws.manifest.name,
        artefactId: done.id,
        name: done.name,
        path: done.path,
      },
    };
  } finally {
    await ws.close();
  }
}
