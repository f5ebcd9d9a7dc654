/**
 * The files and folders a command was given, checked before the engine loads (about a second): a typo in a
 * path is answered at once, naming the option, the path and the problem in words, never a system code.
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fsProblem } from '../data/errors.ts';
import { MANIFEST_FILE, MANIFEST_FILE_V0 } from '../workspace/paths.ts';

/** What an option expects at its path, and how to say it: "a model folder (model.json and its weights)". */
export interface Expected {
  kind: 'file' | 'folder' | 'file or folder';
  what: string;
  /** What to do when nothing is there, for the message; by default it says what the option wants. */
  ifMissing?: (given: string) => string;
  /** A file the folder must hold to be what it should (a model folder's model.json). */
  holds?: string;
}

export const MODEL_FOLDER: Expected = {
  kind: 'folder',
  what: 'a model folder (model.json and its weights)',
  holds: 'model.json',
};
export const DATASET: Expected = {
  kind: 'file or folder',
  what: 'a dataset (IDX files, CIFAR binary files or an image folder)',
};
export const RANKING_FILE: Expected = {
  kind: 'file',
  what: 'a ranking JSON file (written by deepcorrect rank --out)',
};
/** A folder a command writes (created when missing). */
export const OUTPUT_FOLDER: Expected = { kind: 'folder', what: 'a folder' };
export const WORKSPACE_FOLDER: Expected = {
  kind: 'folder',
  what: 'a workspace folder',
  ifMissing: (given) => `not a workspace: create one with 'deepcorrect workspace init ${given}'`,
};

/** The option and the path as typed, and where a relative path was looked for. */
function named(option: string, given: string): string {
  const shown = `${option === '' ? '' : `${option} `}${given}`;
  return path.isAbsolute(given) ? shown : `${shown} (in ${process.cwd()})`;
}

async function statOf(file: string): Promise<Stats | NodeJS.ErrnoException> {
  return stat(file).catch((error: NodeJS.ErrnoException) => error);
}

/** Why a path's problem, in words: "no such file or folder", "permission denied"... */
function problemOf(error: NodeJS.ErrnoException): string {
  return error.code === 'ENOENT' ? 'no such file or folder' : fsProblem(error);
}

function wrongKind(info: Stats, expected: Expected): string | undefined {
  if (expected.kind === 'folder' && !info.isDirectory())
    return `${info.isFile() ? 'is a file' : 'is neither a file nor a folder'}, not ${expected.what}`;
  if (expected.kind === 'file' && !info.isFile())
    return `${info.isDirectory() ? 'is a folder' : 'is neither a file nor a folder'}, not ${expected.what}`;
  if (expected.kind === 'file or folder' && !info.isFile() && !info.isDirectory())
    return `is neither a file nor a folder, not ${expected.what}`;
  return undefined;
}

/** Refuses an input path that is missing, unreadable or of the wrong kind. */
export async function checkInput(option: string, given: string, expected: Expected): Promise<void> {
  const info = await statOf(given);
  if (info instanceof Error) {
    const wants = `${option === '' ? 'it' : option} wants ${expected.what}`;
    const hint = info.code === 'ENOENT' ? `; ${expected.ifMissing?.(given) ?? wants}` : '';
    throw new Error(`${named(option, given)}: ${problemOf(info)}${hint}`);
  }
  const wrong = wrongKind(info, expected);
  if (wrong !== undefined) throw new Error(`${named(option, given)}: ${wrong}`);
  if (expected.holds !== undefined && (await statOf(path.join(given, expected.holds))) instanceof Error)
    throw new Error(`${named(option, given)}: holds no ${expected.holds}, so it is not ${expected.what}`);
}

/**
 * Refuses an output path that cannot be written as `expected`: one that exists as the other kind, or one
 * whose nearest existing parent is not a folder. (A missing parent is fine: commands create their folders.)
 */
export async function checkOutput(option: string, given: string, expected: Expected): Promise<void> {
  const info = await statOf(given);
  if (!(info instanceof Error)) {
    const wrong = wrongKind(info, expected);
    if (wrong !== undefined) throw new Error(`${named(option, given)}: ${wrong}`);
    return;
  }
  if (info.code !== 'ENOENT' && info.code !== 'ENOTDIR')
    throw new Error(`${named(option, given)}: ${problemOf(info)}`);
  for (let parent = path.dirname(path.resolve(given)); ; parent = path.dirname(parent)) {
    const above = await statOf(parent);
    if (!(above instanceof Error)) {
      if (!above.isDirectory())
        throw new Error(
          `${named(option, given)}: ${parent} is a file, not a folder, so nothing can be written under it`,
        );
      return;
    }
    if (above.code !== 'ENOENT' && above.code !== 'ENOTDIR')
      throw new Error(`${named(option, given)}: ${parent}: ${problemOf(above)}`);
    if (path.dirname(parent) === parent) return;
  }
}

/** Refuses a path that is not a workspace: missing, not a folder, or a folder without a manifest. */
export async function checkWorkspaceFolder(option: string, given: string): Promise<void> {
  await checkInput(option, given, WORKSPACE_FOLDER);
  for (const name of [MANIFEST_FILE, MANIFEST_FILE_V0])
    if (!((await statOf(path.join(given, name))) instanceof Error)) return;
  throw new Error(
    `${named(option, given)}: not a workspace (no ${MANIFEST_FILE}): create one with 'deepcorrect workspace init ${given}'`,
  );
}
