/**
 * Maps app:// URLs to files of the built renderer folder, for the protocol handler. No Electron import, so
 * the traversal and symlink checks are unit-tested under plain Node.
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../engine/io/is-inside.ts';
import { isAppUrl } from './security.ts';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** The Content-Type of a served file; unknown kinds are opaque bytes (and nosniff stops guessing). */
export function contentTypeFor(filePath: string): string {
  return CONTENT_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

export { isInside };

/**
 * The path below `root` an app:// URL names, without touching the disk; undefined for a URL outside the
 * app's origin, one that escapes the root (encoded `..`, `%2F`, backslashes, NUL) or one that names the
 * root itself. `/` is the entry page.
 */
export function appFilePath(root: string, requestUrl: string): string | undefined {
  if (!isAppUrl(requestUrl)) return undefined;
  return rendererFilePath(root, new URL(requestUrl).pathname);
}

/** The same for a URL's path alone: browser mode serves the renderer folder over HTTP by these rules. */
export function rendererFilePath(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  // Backslashes are separators on Windows and NUL truncates paths in native code: neither is in a real URL.
  if (decoded.includes('\\') || decoded.includes('\0')) return undefined;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s === '.')) return undefined;
  if (segments.length === 0) segments.push('index.html');
  const resolvedRoot = path.resolve(root);
  const file = path.resolve(resolvedRoot, ...segments);
  if (!isInside(resolvedRoot, file) || file === resolvedRoot) return undefined;
  return file;
}

/**
 * The real path of the regular file an app:// URL names inside `root`, or undefined when there is none or
 * it may not be served. Symlinks are resolved on both sides, so a link inside the folder that points out of
 * it is refused.
 */
export async function resolveAppFile(root: string, requestUrl: string): Promise<string | undefined> {
  return realFileInside(root, appFilePath(root, requestUrl));
}

/** resolveAppFile for a URL path (browser mode's HTTP server). */
export function resolveRendererFile(root: string, pathname: string): Promise<string | undefined> {
  return realFileInside(root, rendererFilePath(root, pathname));
}

async function realFileInside(root: string, candidate: string | undefined): Promise<string | undefined> {
  if (candidate === undefined) return undefined;
  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(candidate)]);
    if (!isInside(realRoot, realFile) || realFile === realRoot) return undefined;
    if (!(await stat(realFile)).isFile()) return undefined;
    return realFile;
  } catch {
    return undefined;
  }
}
