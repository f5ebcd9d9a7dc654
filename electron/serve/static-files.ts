import { readFile } from 'node:fs/promises';
import { contentTypeFor, resolveRendererFile } from '../main/app-files.ts';

/**
 * A file of the built renderer for a URL path, or undefined: the desktop app's protocol rules (no `..`,
 * encoded separators, backslashes or NUL; links resolved and kept inside the folder).
 */
export async function readAppFile(
  root: string,
  urlPath: string,
): Promise<{ body: Buffer; type: string } | undefined> {
  const file = await resolveRendererFile(root, urlPath);
  return file === undefined ? undefined : { body: await readFile(file), type: contentTypeFor(file) };
}
