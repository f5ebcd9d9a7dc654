import { lstat, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../io/is-inside.ts';
import { fsProblem } from '../data/errors.ts';
import { ModelError } from './model-error.ts';

/** A file of a model folder, checked to lie inside it. */
export interface FolderFile {
  /** The path to show the user: the folder as given, joined with the name. */
  shown: string;
  /** The resolved path that is read. */
  real: string;
  size: number;
}

/** The folder's resolved path; a ModelError when it is missing or not a folder. */
export async function resolveFolder(dir: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(dir);
  } catch (error) {
    throw new ModelError(dir, fsProblem(error), { cause: error });
  }
  if (!(await stat(real)).isDirectory()) throw new ModelError(dir, 'is not a folder');
  return real;
}

/**
 * Resolves `name` inside the folder, following links but refusing any that leave it, so a model folder
 * cannot make the engine read another file of the user's (a link to ~/.ssh/id_rsa named weights.bin).
 * Returns undefined for a missing file when `optional`.
 */
export async function resolveInside(
  dir: string,
  realDir: string,
  name: string,
  optional = false,
): Promise<FolderFile | undefined> {
  const shown = path.join(dir, name);
  const target = path.join(realDir, name);
  let real: string;
  try {
    await lstat(target);
    real = await realpath(target);
  } catch (error) {
    if (optional && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ModelError(shown, fsProblem(error), { cause: error });
  }
  if (real === realDir || !isInside(realDir, real)) {
    throw new ModelError(
      shown,
      `is a link to ${real}, outside the model folder; copy the file into the folder`,
    );
  }
  const info = await stat(real);
  if (!info.isFile()) throw new ModelError(shown, 'is not a regular file');
  return { shown, real, size: info.size };
}

/** Reads a folder file whose size was checked, refusing one that changed size since (a save in progress). */
export async function readChecked(file: FolderFile): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file.real);
  } catch (error) {
    throw new ModelError(file.shown, fsProblem(error), { cause: error });
  }
  if (bytes.length !== file.size) {
    throw new ModelError(file.shown, 'changed while it was read (is a save in progress?); load it again');
  }
  return bytes;
}
