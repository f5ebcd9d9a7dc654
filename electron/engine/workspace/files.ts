import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ArtefactFile } from '../../../shared/workspace.ts';
import { confined } from './confine.ts';
import { WorkspaceError } from './errors.ts';
import { toRelative } from './paths.ts';

/** SHA-256 of a file, streamed: model weights can be larger than one wants to hold in memory twice. */
export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/**
 * Every file under `dir`, recursively, sorted. Names starting with '.' are skipped: they are temporary files
 * of an atomic write (writeFileAtomic, saveModel's staging) or the lock, never part of an artefact. A link is
 * refused, whatever its name: recorded, it would make the manifest vouch for a file elsewhere.
 */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink())
      throw new WorkspaceError(
        full,
        'is a symbolic link; an artefact holds real files only: replace the link with the file it points to',
      );
    if (entry.name.startsWith('.')) continue;
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out.sort();
}

/** The file list of the artefact at `relative` (a file or a folder), each with its size and SHA-256. */
export async function describeFiles(root: string, relative: string): Promise<ArtefactFile[]> {
  const target = await confined(root, relative);
  const files = (await stat(target)).isDirectory() ? await listFiles(target) : [target];
  const out: ArtefactFile[] = [];
  for (const file of files) {
    const { size } = await stat(file);
    out.push({ path: toRelative(root, file), size, sha256: await sha256File(file) });
  }
  return out;
}
