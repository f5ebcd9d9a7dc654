// The app:// protocol's file mapping (electron/main/app-files.ts): only files of the renderer folder, no
// traversal (plain, encoded, backslash, NUL) and no escape through symlinks.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appFilePath, contentTypeFor, isInside, resolveAppFile } from '../../electron/main/app-files.ts';

let base: string;
let root: string;

beforeAll(() => {
  base = mkdtempSync(path.join(tmpdir(), 'dc-app-files-'));
  root = path.join(base, 'renderer');
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html>');
  writeFileSync(path.join(root, 'assets', 'index.js'), 'export {};');
  writeFileSync(path.join(root, 'assets', 'my file.css'), 'body{}');
  writeFileSync(path.join(base, 'secret.txt'), 'secret');
  mkdirSync(path.join(base, 'outside'));
  writeFileSync(path.join(base, 'outside', 'x.js'), 'secret');
  symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'link-out.txt'));
  symlinkSync(path.join(base, 'outside'), path.join(root, 'dir-out'));
  symlinkSync(path.join(root, 'index.html'), path.join(root, 'link-in.html'));
});

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

describe('resolveAppFile', () => {
  it('serves the entry page for the bare origin', async () => {
    expect(await resolveAppFile(root, 'app://workbench/')).toBe(path.join(root, 'index.html'));
    expect(await resolveAppFile(root, 'app://workbench')).toBe(path.join(root, 'index.html'));
  });

  it('serves files of the folder, percent-decoded, ignoring query and hash', async () => {
    expect(await resolveAppFile(root, 'app://workbench/assets/index.js?v=1#x')).toBe(
      path.join(root, 'assets', 'index.js'),
    );
    expect(await resolveAppFile(root, 'app://workbench/assets/my%20file.css')).toBe(
      path.join(root, 'assets', 'my file.css'),
    );
  });

  it('follows a symlink that stays inside the folder', async () => {
    expect(await resolveAppFile(root, 'app://workbench/link-in.html')).toBe(path.join(root, 'index.html'));
  });

  it.each([
    ['a dot-dot path (normalised by URL parsing to a missing file)', 'app://workbench/../secret.txt'],
    ['an encoded dot-dot', 'app://workbench/%2e%2e/secret.txt'],
    ['an encoded slash', 'app://workbench/..%2Fsecret.txt'],
    ['an encoded slash deeper', 'app://workbench/assets/..%2F..%2Fsecret.txt'],
    ['a backslash', 'app://workbench/..%5Csecret.txt'],
    ['a NUL byte', 'app://workbench/index.html%00.js'],
    ['malformed percent-encoding', 'app://workbench/%E0%A4%A'],
    ['a symlink to a file outside', 'app://workbench/link-out.txt'],
    ['a symlinked folder outside', 'app://workbench/dir-out/x.js'],
    ['a folder', 'app://workbench/assets'],
    ['a missing file', 'app://workbench/nope.js'],
    ['another host', 'app://evil/index.html'],
    ['user info before the host', 'app://workbench@evil/index.html'],
    ['another scheme', 'file:///etc/passwd'],
    ['an https URL', 'https://workbench/index.html'],
  ])('refuses %s', async (_what, url) => {
    expect(await resolveAppFile(root, url)).toBeUndefined();
  });

  it('refuses everything when the folder does not exist', async () => {
    expect(await resolveAppFile(path.join(base, 'missing'), 'app://workbench/index.html')).toBeUndefined();
  });
});

describe('appFilePath', () => {
  it('never returns a path outside the root, whatever the URL', () => {
    const urls = [
      'app://workbench/a/../../b',
      'app://workbench/%2e%2e%2f%2e%2e%2fetc/passwd',
      'app://workbench/./././index.html',
      'app://workbench//etc/passwd',
      'app://workbench/%2Fetc%2Fpasswd',
    ];
    const root = path.resolve('/srv/app/renderer');
    for (const url of urls) {
      const file = appFilePath(root, url);
      if (file !== undefined) expect(isInside(root, file), url).toBe(true);
    }
    // An empty segment is not a root: '//etc/passwd' stays inside.
    expect(appFilePath(root, 'app://workbench//etc/passwd')).toBe(path.join(root, 'etc', 'passwd'));
  });
});

describe('isInside', () => {
  it('compares whole path segments', () => {
    expect(isInside('/a/b', '/a/b')).toBe(true);
    expect(isInside('/a/b', '/a/b/c')).toBe(true);
    expect(isInside('/a/b', '/a/b/..c')).toBe(true);
    expect(isInside('/a/b', '/a/bc')).toBe(false);
    expect(isInside('/a/b', '/a')).toBe(false);
    expect(isInside('/a/b', '/x/y')).toBe(false);
  });
});

describe('contentTypeFor', () => {
  it('names the types a Vite build emits, and nothing to sniff for the rest', () => {
    expect(contentTypeFor('/r/index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeFor('/r/assets/index-1.js')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('/r/assets/index-1.CSS')).toBe('text/css; charset=utf-8');
    expect(contentTypeFor('/r/assets/font.woff2')).toBe('font/woff2');
    expect(contentTypeFor('/r/assets/logo.svg')).toBe('image/svg+xml');
    expect(contentTypeFor('/r/unknown.bin')).toBe('application/octet-stream');
  });
});
