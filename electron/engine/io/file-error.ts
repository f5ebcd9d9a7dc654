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

/** The operating system's error codes in words, so no message shows a user ENOENT or EISDIR. */
const SYSTEM_PROBLEMS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'already exists',
  ENOTEMPTY: 'the folder is not empty',
  ENOSPC: 'no space left on the disk',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  ELOOP: 'too many symbolic links (a link loop?)',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EBUSY: 'in use by another program',
  EIO: 'input/output error (a failing disk or a lost network share?)',
  EXDEV: 'cannot move across file systems',
};

/**
 * A library's error message on one line, for `${file}: ${problem}` messages. An operating system error
 * (its code such as ENOENT) is said in words; the message's file names where.
 */
export function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const words = typeof code === 'string' ? SYSTEM_PROBLEMS[code] : undefined;
  if (words !== undefined) return words;
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
