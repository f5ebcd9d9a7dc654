import type { BigIntStats, Dirent } from 'node:fs';
import { opendir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Folders listed entry by entry: more entries than this and the folder is described by its own record only.
 * Its modification time still changes when a name is added, removed or renamed, which is all an image folder's
 * open reads (its file list); model folders, read whole, have a handful of files.
 */
const LISTED_PER_FOLDER = 256;
/** Past this many records the path is not described at all (and so never reused): the walk stays cheap. */
const MAX_RECORDS = 2048;

/** One entry as a line: kind, size, inode and nanosecond change and modification times. */
function record(name: string, s: BigIntStats): string {
  const kind = s.isDirectory() ? 'd' : s.isFile() ? 'f' : 'o';
  return `${name}\t${kind}\t${s.size}\t${s.ino}\t${s.mtimeNs}\t${s.ctimeNs}`;
}

/**
 * What a model or dataset path is on disk, for telling whether an open copy still matches it: its real
 * location, then a record of it and of its entries two folder levels down (by real location, so a link
 * swapped for another target changes it). A rewrite of any file it lists (in place or by rename) changes
 * the text. Undefined when the path cannot be read or is too big to describe cheaply; the caller then opens
 * it afresh.
 *
 * A file (an IDX images file) is described with its folder's own entries, among them its labels and class
 * names.
 */
export async function fingerprint(target: string): Promise<string | undefined> {
  try {
    const real = await realpath(target);
    const top = await stat(real, { bigint: true });
    const lines = [real, record('.', top)];
    const folder = top.isDirectory() ? real : path.dirname(real);
    if (!top.isDirectory()) lines.push(record('..', await stat(folder, { bigint: true })));
    return (await list(folder, '', top.isDirectory() ? 2 : 1, lines)) ? lines.join('\n') : undefined;
  } catch {
    return undefined;
  }
}

/** Appends records of the folder's entries, `levels` folders deep; false when past MAX_RECORDS. */
async function list(folder: string, prefix: string, levels: number, lines: string[]): Promise<boolean> {
  const entries = await firstEntries(folder);
  if (entries === undefined) return true;
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (lines.length >= MAX_RECORDS) return false;
    const full = path.join(folder, entry.name);
    const name = prefix + entry.name;
    // Followed links: what the dataset reader sees is the target.
    const s = await stat(full, { bigint: true }).catch(() => undefined);
    if (s === undefined) {
      lines.push(`${name}\tmissing`);
      continue;
    }
    lines.push(record(name, s));
    if (s.isDirectory() && levels > 1 && !(await list(full, `${name}/`, levels - 1, lines))) return false;
  }
  return true;
}

/** The folder's entries; undefined when there are more than LISTED_PER_FOLDER (read no further). */
async function firstEntries(folder: string): Promise<Dirent[] | undefined> {
  const entries: Dirent[] = [];
  // Leaving the loop early closes the folder.
  for await (const entry of await opendir(folder)) {
    entries.push(entry);
    if (entries.length > LISTED_PER_FOLDER) return undefined;
  }
  return entries;
}
