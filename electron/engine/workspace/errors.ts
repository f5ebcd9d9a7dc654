import { FileProblemError } from '../io/file-error.ts';

/** A workspace problem the user can act on: `${file}: ${problem}`. */
export class WorkspaceError extends FileProblemError {
  override name = 'WorkspaceError';
}

export { reason } from '../io/file-error.ts';
