import { readFile } from 'node:fs/promises';
import { statInside, unreadableReason, type Allowed } from './allowed.ts';

/**
 * What one listing may read of files to classify its entries: a folder of a thousand studies must not read a
 * thousand reports' worth of bytes before it answers.
 */
export class ReadBudget {
  constructor(public bytes: number) {}

  take(size: number): boolean {
    if (size > this.bytes) return false;
    this.bytes -= size;
    return true;
  }
}

export type SmallFile =
  | { status: 'read'; text: string }
  /** Not there, not a regular file (a pipe would block the read), or a link that leads outside. */
  | { status: 'absent' }
  /** Over the size asked, or over what the listing has left to read. */
  | { status: 'skipped'; size: number }
  | { status: 'unreadable'; problem: string };

/**
 * A small file's text, read only when it is a regular file inside the allowed folders (links followed only
 * there) no bigger than `maxBytes`, within the listing's budget.
 */
export async function readSmall(
  file: string,
  allowed: Allowed,
  budget: ReadBudget,
  maxBytes: number,
): Promise<SmallFile> {
  const found = await statInside(file, allowed);
  if (found === undefined || !found.stats.isFile()) return { status: 'absent' };
  const { size } = found.stats;
  if (size > maxBytes || !budget.take(size)) return { status: 'skipped', size };
  try {
    return { status: 'read', text: await readFile(found.real, 'utf8') };
  } catch (error) {
    return { status: 'unreadable', problem: unreadableReason(error) };
  }
}

/** A small file parsed as JSON: the value, or why not (undefined when absent or skipped). */
export async function readSmallJson(
  file: string,
  allowed: Allowed,
  budget: ReadBudget,
  maxBytes: number,
): Promise<{ value: unknown } | { problem: string } | undefined> {
  const read = await readSmall(file, allowed, budget, maxBytes);
  if (read.status === 'unreadable') return { problem: `cannot be read: ${read.problem}` };
  if (read.status !== 'read') return undefined;
  try {
    return { value: JSON.parse(read.text) as unknown };
  } catch (error) {
    return { problem: `is not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
}
