/**
 * The folder browser's fence: the allowed folders (the gate's, at their real locations) and where a link
 * really leads. Every path the browser lists, enters or reads a file from is judged by its real location, so a
 * link can never show what lies outside; a loop of links is the system's ELOOP, answered at once.
 */
import type { Stats } from 'node:fs';
import { lstat, realpath, stat } from 'node:fs/promises';
import { isInside } from '../io/is-inside.ts';
import { fsProblem } from '../data/errors.ts';

export class Allowed {
  constructor(readonly roots: readonly string[]) {}

  /** Whether a real (link-free) path lies inside an allowed folder. */
  holds(real: string): boolean {
    return this.roots.some((root) => isInside(root, real));
  }
}

export type Resolved =
  | { status: 'inside'; real: string; stats: Stats }
  | { status: 'outside' }
  | { status: 'broken'; problem: string }
  | { status: 'unreadable'; problem: string };

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** Why the system refused, in words (with the code, for a search). */
export function unreadableReason(error: unknown): string {
  const c = code(error);
  return c === undefined ? fsProblem(error) : `${fsProblem(error)} (${c})`;
}

/**
 * Where `target` (a link, or a path that may hold one) really leads, and whether that is inside the allowed
 * folders; the target's own stats (followed) when it is. Never throws.
 */
export async function resolveLink(target: string, allowed: Allowed): Promise<Resolved> {
  let real: string;
  try {
    real = await realpath(target);
  } catch (error) {
    const c = code(error);
    if (c === 'ELOOP') return { status: 'broken', problem: 'a loop of links' };
    if (c === 'ENOENT' || c === 'ENOTDIR')
      return { status: 'broken', problem: 'a link to nothing (where it leads does not exist)' };
    return {
      status: 'unreadable',
      problem: `where it leads cannot be looked at: ${unreadableReason(error)}`,
    };
  }
  if (!allowed.holds(real)) return { status: 'outside' };
  try {
    return { status: 'inside', real, stats: await stat(real) };
  } catch (error) {
    return { status: 'unreadable', problem: unreadableReason(error) };
  }
}

/**
 * The stats of a path inside a listed (real) folder, links followed only when they stay inside the allowed
 * folders; undefined for anything else (outside, broken, gone).
 */
export async function statInside(
  file: string,
  allowed: Allowed,
): Promise<{ real: string; stats: Stats } | undefined> {
  let own: Stats;
  try {
    own = await lstat(file);
  } catch {
    return undefined;
  }
  if (!own.isSymbolicLink()) return { real: file, stats: own };
  const resolved = await resolveLink(file, allowed);
  return resolved.status === 'inside' ? { real: resolved.real, stats: resolved.stats } : undefined;
}
