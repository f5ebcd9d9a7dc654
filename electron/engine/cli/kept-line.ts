import type { SavedTo } from '../../../shared/saved-result.ts';

/** --help of the training commands' --workspace: the model goes to --out all the same (its checkpoint is there). */
export const WORKSPACE_HELP =
  'also keep a copy of the trained model in this workspace (models/<id>), where the app lists it; the model is still written to --out';

/** The line on stderr that says where a request asked with a workspace kept its result; nothing without one. */
export function keptLine(saved: SavedTo | undefined): void {
  if (saved !== undefined)
    process.stderr.write(`kept in ${saved.workspaceName} as "${saved.name}" (${saved.path})\n`);
}
