// The esbuild bundles of the desktop app (electron/build.ts): the three entry points build, parse, and
// import what their process can load: the sandboxed preload nothing but 'electron', the engine host no
// Electron at all.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildElectron, type ElectronBundles } from '../../electron/build.ts';

let outDir: string;
let bundles: ElectronBundles;

beforeAll(async () => {
  outDir = mkdtempSync(path.join(tmpdir(), 'dc-electron-build-'));
  bundles = await buildElectron(outDir);
});

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

/** Module specifiers a bundle loads at run time: static imports and require() calls. */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = new Set<string>();
  for (const m of text.matchAll(/^\s*import\s[^'"]*?from\s*["']([^"']+)["']/gm)) found.add(m[1] ?? '');
  for (const m of text.matchAll(/^\s*import\s*["']([^"']+)["']/gm)) found.add(m[1] ?? '');
  for (const m of text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) found.add(m[1] ?? '');
  return [...found].sort();
}

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const packageName = (s: string): string =>
  s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : (s.split('/')[0] ?? s);

describe('buildElectron', () => {
  it('writes the three bundles where the main process looks for them', () => {
    expect(path.relative(outDir, bundles.main)).toBe(path.join('main', 'index.mjs'));
    expect(path.relative(outDir, bundles.preload)).toBe(path.join('preload', 'index.cjs'));
    expect(path.relative(outDir, bundles.host)).toBe(path.join('host', 'index.mjs'));
  });

  it('produces files Node can parse (ESM for main and host, CommonJS for the preload)', () => {
    for (const file of [bundles.main, bundles.preload, bundles.host])
      execFileSync(process.execPath, ['--check', file], { stdio: 'pipe' });
    expect(readFileSync(bundles.preload, 'utf8')).not.toMatch(/^\s*(import|export)\s/m);
  });

  it('gives the sandboxed preload nothing to require but electron', () => {
    expect(specifiers(bundles.preload)).toEqual(['electron']);
  });

  it('keeps npm packages and Electron external in the main bundle', () => {
    const dependencies = Object.keys(
      (
        JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
          dependencies: Record<string, string>;
        }
      ).dependencies,
    );
    for (const s of specifiers(bundles.main)) {
      if (builtins.has(s) || s === 'electron') continue;
      expect(dependencies, s).toContain(packageName(s));
    }
    expect(specifiers(bundles.main)).toContain('electron');
  });

  it('keeps Electron out of the engine host (it runs under plain Node too)', () => {
    expect(specifiers(bundles.host)).not.toContain('electron');
  });

  it('bundles the webPreferences of security.ts into main', () => {
    const text = readFileSync(bundles.main, 'utf8');
    expect(text).toContain('contextIsolation: true');
    expect(text).toContain('sandbox: true');
    expect(text).toContain('nodeIntegration: false');
  });
});
