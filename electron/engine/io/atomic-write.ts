import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes a file so that readers see either the old content or the whole new content, never a part:
 * the bytes go to a temporary name in the same folder, are flushed to disk, then renamed over the target.
 * If anything fails, the temporary file is removed and the target is untouched.
 */
export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  const temp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  let handle;
  try {
    handle = await open(temp, 'wx');
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, target);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw named(error, target);
  }
}

/**
 * Node names the file in an error of open or rename, but not of a write or fsync on a handle ('ENOSPC: no space
 * left on device, write'): the target is appended as Node does for the others, keeping the error's code.
 */
function named(error: unknown, target: string): unknown {
  const e = error as NodeJS.ErrnoException;
  if (error instanceof Error && e.path === undefined) {
    error.message = `${error.message} '${target}'`;
    e.path = target;
  }
  return error;
}
