/**
 * A problem with a model folder or one of its files, naming the file and what is wrong with it, so the
 * CLI and the UI can show one line the user can act on: `${file}: ${problem}`.
 */
export class ModelError extends Error {
  override name = 'ModelError';
  readonly file: string;
  readonly problem: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`${file}: ${problem}`, options);
    this.file = file;
    this.problem = problem;
  }
}

/** The message of an error thrown by a library, on one line. */
export function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
