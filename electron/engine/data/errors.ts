import { FileProblemError } from '../io/file-error.ts';
/** A problem with a dataset on disk: `${file}: ${problem}`. */
export class DatasetError extends FileProblemError {
  override name = 'DatasetError';
}

/** A short description of a file system error, without the path (the DatasetError names the file). */
export function fsProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder, not a file';
    case 'ENOTDIR':
      return 'is not a folder';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/** Whether an error comes from the operating system (it has an errno code such as ENOENT). */
function isSystemError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}

/**
 * Runs file system work, turning operating system errors into DatasetErrors that name `file`; other errors
 * (an abort, a DatasetError about another file) pass unchanged.
 */
export async function onFile<T>(file: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!isSystemError(error)) throw error;
    throw new DatasetError(file, fsProblem(error), { cause: error });
  }
}
