/**
 * fs.browse: one folder of the allowed folders, or the allowed folders themselves, each entry classified.
 * Everything is judged at its real location: the folder asked must lie inside an allowed folder (the gate
 * checked it; this checks again, the engine's own fence), a link is followed only when it leads inside one,
 * and `..` is offered only while it stays inside. Big folders are cut at MAX_BROWSE_ENTRIES, and what the
 * entries' classification reads is bounded (ReadBudget), so a listing answers in well under a second.
 */
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { BridgeError } from '../../../shared/bridge/protocol.ts';
import {
  MAX_BROWSE_ENTRIES,
  type BrowseEntry,
  type BrowseListing,
  type BrowseRoot,
} from '../../../shared/folder-browse.ts';
import { isIgnoredName } from '../data/image-folder.ts';
import { FileProblemError } from '../io/file-error.ts';
import { Allowed, resolveLink, unreadableReason } from './allowed.ts';
import { classifyFile, classifyFolder, type Classified } from './classify.ts';
import { ReadBudget } from './small-file.ts';

/** Bytes of small files one listing may read to classify its entries. */
export const BROWSE_READ_BUDGET = 32 * 1024 * 1024;
/** Entries classified at once (each a readdir and a few small reads). */
const CONCURRENCY = 8;

/** The allowed folders at their real locations (a root that is gone, or unreadable, is kept as given). */
async function realRoots(roots: readonly BrowseRoot[]): Promise<BrowseRoot[]> {
  return Promise.all(
    roots.map(async (r) => ({
      path: await realpath(r.path).catch(() => path.resolve(r.path)),
      access: r.access,
    })),
  );
}

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** A real path's entry: folder or file, classified. */
async function describeReal(
  name: string,
  real: string,
  link: boolean,
  allowed: Allowed,
  budget: ReadBudget,
): Promise<BrowseEntry> {
  let info;
  try {
    info = await stat(real);
  } catch (error) {
    const gone = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return {
      name,
      folder: false,
      link,
      kind: 'unreadable',
      detail: gone ? 'no longer exists' : `cannot be looked at: ${unreadableReason(error)}`,
    };
  }
  const classified: Classified = info.isDirectory()
    ? await classifyFolder(real, allowed, budget)
    : info.isFile()
      ? await classifyFile(real, info.size, allowed, budget)
      : { kind: 'file', detail: 'a special file (a pipe, socket or device), not opened' };
  return { name, path: real, folder: info.isDirectory(), link, ...classified };
}

/** One entry of a listed (real, allowed) folder. */
async function describeEntry(
  dir: string,
  entry: Dirent,
  allowed: Allowed,
  budget: ReadBudget,
): Promise<BrowseEntry> {
  const at = path.join(dir, entry.name);
  if (!entry.isSymbolicLink()) return describeReal(entry.name, at, false, allowed, budget);
  const resolved = await resolveLink(at, allowed);
  switch (resolved.status) {
    case 'inside':
      return describeReal(entry.name, resolved.real, true, allowed, budget);
    case 'outside':
      return {
        name: entry.name,
        folder: false,
        link: true,
        kind: 'outside',
        detail: 'a link that leads outside the folders this session may use (not followed)',
      };
    case 'broken':
      return { name: entry.name, folder: false, link: true, kind: 'broken', detail: resolved.problem };
    case 'unreadable':
      return { name: entry.name, folder: false, link: true, kind: 'unreadable', detail: resolved.problem };
  }
}

function outsideError(target: string, roots: readonly BrowseRoot[]): BridgeError {
  return new BridgeError(
    'not-allowed',
    `${target} is outside the folders this session may use (${roots.map((r) => r.path).join(', ') || 'none'})`,
  );
}

/** Names as people sort them (d2 before d10); one collator, as localeCompare with options builds one a call. */
const byName = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }).compare;

/** Folders (and links, which mostly lead to folders) first, then files, each by name. */
function listingOrder(a: Dirent, b: Dirent): number {
  const group = (e: Dirent): number => (e.isDirectory() || e.isSymbolicLink() ? 0 : 1);
  return group(a) - group(b) || byName(a.name, b.name);
}

/** The allowed folders, each classified (the browser's top). */
async function listRoots(
  roots: readonly BrowseRoot[],
  allowed: Allowed,
  budget: ReadBudget,
): Promise<BrowseListing> {
  const entries = await mapLimited(roots, CONCURRENCY, async (root) => ({
    ...(await describeReal(root.path, root.path, false, allowed, budget)),
    access: root.access,
  }));
  return { path: null, entries, omitted: 0, hidden: 0 };
}

/** fs.browse's answer for `target` (undefined: the allowed folders) within `roots`. */
export async function browseFolder(
  target: string | undefined,
  givenRoots: readonly BrowseRoot[],
): Promise<BrowseListing> {
  const roots = await realRoots(givenRoots);
  const allowed = new Allowed(roots.map((r) => r.path));
  const budget = new ReadBudget(BROWSE_READ_BUDGET);
  if (target === undefined) return listRoots(roots, allowed, budget);

  let dir: string;
  try {
    dir = await realpath(target);
  } catch (error) {
    throw new FileProblemError(target, `cannot be listed: ${unreadableReason(error)}`);
  }
  if (!allowed.holds(dir)) throw outsideError(target, roots);
  let listing: Dirent[];
  try {
    listing = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new FileProblemError(dir, `cannot be listed: ${unreadableReason(error)}`);
  }
  const shown = listing.filter((e) => !isIgnoredName(e.name)).sort(listingOrder);
  const kept = shown.slice(0, MAX_BROWSE_ENTRIES);
  const [self, entries] = await Promise.all([
    classifyFolder(dir, allowed, budget, listing),
    mapLimited(kept, CONCURRENCY, (e) => describeEntry(dir, e, allowed, budget)),
  ]);
  const up = path.dirname(dir);
  return {
    path: dir,
    ...(up !== dir && allowed.holds(up) ? { parent: up } : {}),
    self: { name: path.basename(dir) || dir, path: dir, folder: true, link: false, ...self },
    entries,
    omitted: shown.length - kept.length,
    hidden: listing.length - shown.length,
  };
}
