import { FileProblemError } from '../io/file-error.ts';
/** A problem with a model folder or one of its files: `${file}: ${problem}`. */
export class ModelError extends FileProblemError {
  override name = 'ModelError';
}

export { reason } from '../io/file-error.ts';
