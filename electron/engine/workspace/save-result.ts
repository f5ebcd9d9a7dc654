/**
 * A job's result saved into a workspace as one artefact (an evaluation, a ranking, an oracle experiment: one
 * JSON file; a trained model: a copy of its folder), the way a study is: the workspace is locked and the artefact
 * registered 'interrupted' before the job runs, so that a crash leaves an entry saying so; when the job ends its
 * files are written and the entry becomes complete with every file's size and SHA-256. A job that fails or is
 * cancelled wrote nothing here and leaves no entry (there is nothing to resume). Only one job runs at a time in
 * the engine host, so holding the lock for the job's length keeps out only other processes (a `deepcorrect
 * study --workspace` run), which the refusal names before any work.
 */
import { cp, lstat } from 'node:fs/promises';
import path from 'node:path';
import type { SavedTo } from '../../../shared/saved-result.ts';
import type { Artefact, ArtefactKind } from '../../../shared/workspace.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { openWorkspace } from './workspace.ts';

export interface SaveResultOptions {
  kind: Extract<ArtefactKind, 'evaluation' | 'ranking' | 'experiment' | 'model'>;
  /** The artefact's name in the workspace's list (its id is a slug of it and the time). */
  name: string;
  /** Named in the lock while the job runs. */
  tool: string;
  /** Recorded in the manifest's entry: the settings' summary, what was measured, who asked. */
  provenance: Record<string, unknown>;
}

/**
 * Runs `run` with its result saved into the workspace at `dir`: `write` puts the result's files at `target` (the
 * artefact's file, or its folder, created empty), given the workspace's root. Returns the result and where it
 * went.
 */
export async function runSavingArtefact<T>(
  dir: string,
  options: SaveResultOptions,
  run: () => Promise<T>,
  write: (result: T, target: string, root: string) => Promise<void>,
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
    await write(result, await ws.checkedPath(begun), ws.root);
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

/** A result saved as one JSON file: `content` turns it into the file's value (paths recorded against `root`). */
export function runSavingResult<T>(
  dir: string,
  options: SaveResultOptions,
  run: () => Promise<T>,
  content: (result: T, root: string) => unknown,
): Promise<{ result: T; saved: SavedTo }> {
  return runSavingArtefact(dir, options, run, (result, target, root) =>
    writeFileAtomic(target, `${JSON.stringify(content(result, root), null, 1)}\n`),
  );
}

/** What a trained model folder holds besides the model: its epoch checkpoint, temporary files of atomic writes. */
const LEFT_BEHIND = new Set(['checkpoint']);

/**
 * Copies a finished model folder into the artefact's folder: the model's files only (not the epoch checkpoint,
 * which resuming needs in the folder the job trained in; not temporary files; no link, which would point out of
 * the workspace).
 */
export async function copyModelFolder(from: string, target: string): Promise<void> {
  await cp(from, target, {
    recursive: true,
    filter: async (source) => {
      if (source === from) return true;
      const relative = path.relative(from, source);
      const [top] = relative.split(path.sep);
      if (top === undefined || LEFT_BEHIND.has(top) || path.basename(source).startsWith('.')) return false;
      return !(await lstat(source)).isSymbolicLink();
    },
  });
}
