/**
 * Keeping a workspace's reads, writes and removals inside it. Workspaces are shared between people, so the
 * folder on disk is untrusted: a link in place of studies/ (or of an artefact's folder) would carry a
 * discard's rm, a job's mkdir or a study's files to wherever it points. Every operation that changes an
 * artefact path goes through `confined` first; `check` and the manifest reader use `escapeOf` to name what
 * is wrong. Links are seen with lstat (the link itself, never its target).
 */
import { lstat, readdir, readlink, realpath } from 'node:fs/promises';
import type { Dirent, Stats } from 'node:fs';
import path from 'node:path';
import { isInside } from '../io/is-inside.ts';
import { WorkspaceError, reason } from './errors.ts';
import { BACKUPS_DIR, KIND_DIRS, relativePathProblem } from './paths.ts';

/** The folders the workspace itself writes into: each must be a real folder, never a link. */
export const OWN_FOLDERS: readonly string[] = [...Object.values(KIND_DIRS), BACKUPS_DIR];

/** What is wrong with a path, and where: `at` is the workspace-relative part that is at fault. */
export interface Escape {
  at: string;
  problem: string;
}

/** lstat, with a missing path (or one under a file) as undefined. */
async function lstatOrMissing(file: string): Promise<Stats | undefined> {
  try {
    return await lstat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

async function linkProblem(file: string): Promise<string> {
  const target = await readlink(file).catch(() => '?');
  return `is a symbolic link (to ${target}); a workspace's folders and artefacts must be real ones inside it: replace the link with a real folder or file`;
}

/**
 * Why the artefact path `relative` does not stay inside the workspace, or undefined when it does: it is not a
 * clean relative path, has a link at any existing component, or the real location of its longest existing
 * prefix lies outside the workspace's real root. `realRoot` shares the root's realpath between calls.
 */
export async function escapeOf(
  root: string,
  relative: string,
  options: { realRoot?: Promise<string> } = {},
): Promise<Escape | undefined> {
  const lexical = relativePathProblem(relative);
  if (lexical !== undefined) return { at: relative, problem: `path "${relative}" ${lexical}` };
  const parts = relative.split('/');
  let existing = root;
  for (let i = 1; i <= parts.length; i++) {
    const at = parts.slice(0, i).join('/');
    const full = path.join(root, ...parts.slice(0, i));
    let stats: Stats | undefined;
    try {
      stats = await lstatOrMissing(full);
    } catch (error) {
      return { at, problem: `cannot be examined: ${reason(error)}` };
    }
    if (stats === undefined) break;
    if (stats.isSymbolicLink()) return { at, problem: await linkProblem(full) };
    existing = full;
  }
  // With no link below the root the location is inside; the realpath check holds even where a link is not
  // seen as one (a junction, a link swapped in since the lstat).
  try {
    const [realRoot, real] = await Promise.all([options.realRoot ?? realpath(root), realpath(existing)]);
    if (!isInside(realRoot, real))
      return {
        at: path.relative(root, existing).split(path.sep).join('/') || '.',
        problem: `lies outside the workspace (its real location is ${real})`,
      };
  } catch (error) {
    return { at: relative, problem: `cannot be examined: ${reason(error)}` };
  }
  return undefined;
}

interface Listed {
  escape?: Escape;
  entries: Map<string, Dirent>;
}

/**
 * escapeOf for many paths at once, as the manifest reader and check need it. Each distinct parent folder
 * (studies/, ...) goes through escapeOf once and is listed once; each path's last component is then judged
 * by its entry in that listing (a link or not, the type readdir reports) instead of an lstat and a realpath
 * of its own. A real parent inside the workspace and a last component that is no link put the path inside,
 * so opening a workspace of many artefacts costs a few calls, not a few per artefact. The parents named in
 * `early` (the kind folders) are looked at from the start, while the caller still reads the manifest.
 */
export function escapeChecker(
  root: string,
  early: readonly string[] = [],
): (relatives: readonly string[]) => Promise<(Escape | undefined)[]> {
  const realRoot = realpath(root);
  // Awaited by escapeOf for any parent; a root that cannot be resolved fails there, as a problem.
  realRoot.catch(() => undefined);
  const listed = new Map<string, Promise<Listed>>();
  const list = async (parent: string): Promise<Listed> => {
    // The parent is examined and listed at once; a listing of a parent that escapes is thrown away unread.
    const [escape, listing] = await Promise.all([
      parent === '.' ? undefined : escapeOf(root, parent, { realRoot }),
      readdir(path.join(root, ...parent.split('/')), { withFileTypes: true }).then(
        (dirents) => ({ dirents }),
        (error: unknown) => ({ error }),
      ),
    ]);
    if (escape !== undefined) return { escape, entries: new Map() };
    if ('dirents' in listing) return { entries: new Map(listing.dirents.map((d) => [d.name, d])) };
    const code = (listing.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { entries: new Map() };
    return {
      escape: { at: parent, problem: `cannot be examined: ${reason(listing.error)}` },
      entries: new Map(),
    };
  };
  const parentListing = (parent: string): Promise<Listed> => {
    let pending = listed.get(parent);
    if (pending === undefined) {
      pending = list(parent);
      listed.set(parent, pending);
    }
    return pending;
  };
  for (const parent of early) void parentListing(parent);
  return (relatives) =>
    Promise.all(
      relatives.map(async (relative): Promise<Escape | undefined> => {
        const lexical = relativePathProblem(relative);
        if (lexical !== undefined) return { at: relative, problem: `path "${relative}" ${lexical}` };
        const { escape, entries } = await parentListing(path.posix.dirname(relative));
        if (escape !== undefined) return escape;
        if (entries.get(path.posix.basename(relative))?.isSymbolicLink() === true)
          return { at: relative, problem: await linkProblem(path.join(root, ...relative.split('/'))) };
        return undefined;
      }),
    );
}

/**
 * The absolute path of the artefact path `relative`, checked to stay inside the workspace (see escapeOf):
 * the one gate before any rm, mkdir, rename or write of an artefact path. A WorkspaceError names the file at
 * fault and the problem.
 */
export async function confined(root: string, relative: string): Promise<string> {
  const escape = await escapeOf(root, relative);
  if (escape !== undefined)
    throw new WorkspaceError(path.join(root, ...escape.at.split('/')), escape.problem);
  return path.join(root, ...relative.split('/'));
}

/**
 * The workspace's own folders (studies/, ..., backups/) that are links: each with its problem. One that cannot
 * be examined is not a link as far as this goes: it fails, with its own error, where it is used.
 */
export async function ownFolderLinks(root: string): Promise<Escape[]> {
  const found = await Promise.all(
    OWN_FOLDERS.map(async (dir): Promise<Escape | undefined> => {
      const full = path.join(root, dir);
      const stats = await lstatOrMissing(full).catch(() => undefined);
      return stats?.isSymbolicLink() === true ? { at: dir, problem: await linkProblem(full) } : undefined;
    }),
  );
  return found.filter((e) => e !== undefined);
}

/** Refuses a workspace file (the manifest, the lock) that is a link: it would be read from elsewhere. */
export async function refuseLinkedFile(file: string): Promise<void> {
  const stats = await lstatOrMissing(file).catch(() => undefined);
  if (stats?.isSymbolicLink() === true) throw new WorkspaceError(file, await linkProblem(file));
}

/**
 * The links under an artefact's folder (workspace-relative), e.g. studies/x/stages pointing elsewhere: a job
 * writing into the folder would follow them. Empty for a file artefact or a missing folder; a folder that
 * cannot be listed is a problem too (what it holds is unknown).
 */
export async function linksUnder(root: string, relative: string): Promise<Escape[]> {
  const out: Escape[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR')
        out.push({
          at: path.relative(root, dir).split(path.sep).join('/'),
          problem: `cannot be examined: ${reason(error)}`,
        });
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isSymbolicLink())
        out.push({
          at: path.relative(root, full).split(path.sep).join('/'),
          problem: await linkProblem(full),
        });
      else if (entry.isDirectory()) await walk(full);
    }
  };
  await walk(path.join(root, ...relative.split('/')));
  return out.sort((a, b) => a.at.localeCompare(b.at));
}

/** Refuses an artefact folder holding a link (see linksUnder), naming the first. */
export async function refuseLinksUnder(root: string, relative: string): Promise<void> {
  const [first] = await linksUnder(root, relative);
  if (first !== undefined) throw new WorkspaceError(path.join(root, ...first.at.split('/')), first.problem);
}
