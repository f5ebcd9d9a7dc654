/**
 * A problem with a file the user gave us, naming the file and what is wrong with it, so the CLI and the UI can
 * show one line the user can act on: `${file}: ${problem}`. Datasets and models each have their own subclass.
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
