// The check that decides whether the Playwright suite runs (electron/electron-binary.ts).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { electronBinary } from '../../electron/electron-binary.ts';

const dirs: string[] = [];
function fakeElectron(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dc-electron-pkg-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'package.json'), '{"name":"electron"}');
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('electronBinary', () => {
  it('finds the executable path.txt names under dist/', () => {
    const dir = fakeElectron({ 'path.txt': 'electron', 'dist/electron': '' });
    expect(electronBinary(dir, undefined)).toEqual({ found: true, path: path.join(dir, 'dist', 'electron') });
  });

  it('reports a missing path.txt (the download never happened)', () => {
    const result = electronBinary(fakeElectron({ 'index.js': '' }), undefined);
    expect(result.found).toBe(false);
    if (!result.found) expect(result.reason).toContain('path.txt is missing');
  });

  it('reports a path.txt whose executable is gone', () => {
    const result = electronBinary(fakeElectron({ 'path.txt': 'electron' }), undefined);
    expect(result.found).toBe(false);
    if (!result.found) expect(result.reason).toContain('is not there');
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH like the electron package does', () => {
    const dist = fakeElectron({ electron: '' });
    expect(electronBinary(fakeElectron({}), dist)).toEqual({
      found: true,
      path: path.join(dist, 'electron'),
    });
  });
});
