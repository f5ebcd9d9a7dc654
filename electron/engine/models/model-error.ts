import { FileProblemError } from '../io/file-error.ts';
/** A problem with a model folder or one of its files: `${file}: ${problem}`. */
export class ModelError extends FileProblemError {
  override name = 'ModelError';
}

/** The message of an error thrown by a library, on one line. */
export function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
