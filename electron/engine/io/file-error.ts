/**
 * A problem with a file the user gave us, naming the file and what is wrong with it, so the CLI and the UI can
 * show one line the user can act on: `${file}: ${problem}`. Datasets, models, studies and workspaces each have their own subclass.
 */
export class FileProblemError extends Error {
  override name = 'FileProblemError';
  readonly file: string;
  readonly problem: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`${file}: ${problem}`, options);
    this.file = file;
    this.problem = problem;
  }
}

/** A library's error message on one line, for `${file}: ${problem}` messages. */
export function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
