/**
 * The checksums shipped beside each bundled model and study (resources/<kind>/<name>.sha256, written by the
 * script that made it, in `sha256sum` format: `sha256sum -c` checks them too). The demo workspace copies the
 * bundled files and compares each with these, so a damaged shipped file is named rather than trusted.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { reason } from './errors.ts';

/** SHA-256 by path relative to the checksum file's folder (POSIX separators). */
export type ShippedChecksums = ReadonlyMap<string, string>;

/** The checksum file of a bundled folder or file: `<it>.sha256` beside it. */
export function checksumFileOf(shipped: string): string {
  return `${shipped.replace(/[\\/]+$/, '')}.sha256`;
}

/**
 * Reads a `sha256sum` listing (`<64 hex>  <path>` or `<64 hex> *<path>` per line). A missing file gives
 * undefined (nothing to compare with); a malformed line is an error naming the file and the line.
 */
export async function readShippedChecksums(file: string): Promise<ShippedChecksums | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${file}: cannot be read (${reason(error)})`);
  }
  const sums = new Map<string, string>();
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (match === null) throw new Error(`${file}: line ${i + 1} is not "<sha256>  <path>"`);
    sums.set(path.posix.normalize(match[2] ?? ''), match[1] ?? '');
  });
  return sums;
}
