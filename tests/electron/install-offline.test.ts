// `npm ci && npm start` on an offline machine: no install step may need more than the npm registry, and
// Electron's binary is fetched on the first start instead (electron/electron-fetch.ts), falling back to
// browser mode with the reason when it cannot be.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { electronBinary } from '../../electron/electron-binary.ts';
import { earlierFetchFailure, FETCH_MARKER, fetchElectronBinary } from '../../electron/electron-fetch.ts';
import { noDisplay } from '../../electron/engine/cli/commands/start.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
interface PackageJson {
  optionalDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  dependencies: Record<string, string>;
  allowScripts: Record<string, boolean>;
}
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as PackageJson;
const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; hasInstallScript?: boolean; optional?: boolean }>;
};

/** Install steps that run offline: esbuild checks the binary its registry platform package brought; webgpu clears macOS's quarantine flag. */
const OFFLINE_SAFE = new Set(['esbuild', 'webgpu']);

describe('what npm ci runs', () => {
  it('every package with an install step has been reviewed in allowScripts', () => {
    const scripted = Object.entries(lock.packages)
      .filter(([, p]) => p.hasInstallScript === true)
      .map(([where]) => where.replace(/^.*node_modules\//, ''));
    expect(scripted.length).toBeGreaterThan(0);
    for (const name of scripted) expect(pkg.allowScripts, `allowScripts lacks ${name}`).toHaveProperty(name);
  });

  it('an allowed install step either stays offline or belongs to an optional package that npm drops when it fails', () => {
    for (const [name, allowed] of Object.entries(pkg.allowScripts)) {
      if (!allowed) continue;
      const optional = name in pkg.optionalDependencies;
      expect(optional || OFFLINE_SAFE.has(name), `${name}'s install step may fail the install`).toBe(true);
    }
  });

  it("Electron's download never runs at install, and the package is optional for npm versions that run it anyway", () => {
    expect(pkg.allowScripts['electron']).toBe(false);
    expect(pkg.optionalDependencies).toHaveProperty('electron');
    expect(pkg.devDependencies).not.toHaveProperty('electron');
    expect(pkg.dependencies).not.toHaveProperty('electron');
  });

  it('electron-builder packages the Electron version that is installed, and leaves the package out of the app', () => {
    const version = pkg.optionalDependencies['electron'];
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(lock.packages['node_modules/electron']?.version).toBe(version);
    const yml = readFileSync(path.join(root, 'electron-builder.yml'), 'utf8');
    expect(yml).toMatch(new RegExp(`^electronVersion: ${String(version).replaceAll('.', '\\.')}$`, 'm'));
    expect(yml).toContain("'!node_modules/electron/**'");
  });
});

const dirs: string[] = [];
function fakeElectron(install: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dc-electron-fetch-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'package.json'), '{"name":"electron","version":"0.0.0"}');
  writeFileSync(path.join(dir, 'install.js'), install);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const OFFLINE_INSTALL = `console.error('RequestError: getaddrinfo ENOTFOUND github.com\\n    at ClientRequest.<anonymous> (x.js:1:1)'); process.exit(1);`;
const WORKING_INSTALL = `const fs = require('fs'); fs.mkdirSync('dist'); fs.writeFileSync('dist/electron', ''); fs.writeFileSync('path.txt', 'electron');`;

describe("fetching Electron's binary on the first start", () => {
  it('an offline fetch fails with the reason, is remembered, and the binary stays missing but fetchable', async () => {
    const dir = fakeElectron(OFFLINE_INSTALL);
    expect(electronBinary(dir, undefined)).toMatchObject({ found: false, fetchable: true });
    const failure = await fetchElectronBinary(dir, { timeoutMs: 30_000 });
    expect(failure).toBe('RequestError: getaddrinfo ENOTFOUND github.com');
    expect(earlierFetchFailure(dir)).toMatchObject({ reason: failure });
  });

  it('a working fetch leaves the binary where electronBinary finds it and forgets an earlier failure', async () => {
    const dir = fakeElectron(WORKING_INSTALL);
    writeFileSync(path.join(dir, FETCH_MARKER), '{"at":"yesterday","reason":"offline"}');
    expect(await fetchElectronBinary(dir, { timeoutMs: 30_000 })).toBeUndefined();
    expect(electronBinary(dir, undefined)).toEqual({ found: true, path: path.join(dir, 'dist', 'electron') });
    expect(existsSync(path.join(dir, FETCH_MARKER))).toBe(false);
  });

  it('a fetch that never answers is stopped at its time limit', async () => {
    const dir = fakeElectron('setInterval(() => {}, 1000);');
    const started = Date.now();
    expect(await fetchElectronBinary(dir, { timeoutMs: 500 })).toBe('no answer within 1 s');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a missing package is not fetchable and says npm dropped it', () => {
    const dir = path.join(tmpdir(), 'dc-no-such-electron');
    mkdirSync(dir, { recursive: true });
    dirs.push(dir);
    const result = electronBinary(dir, undefined);
    expect(result).toMatchObject({ found: false, fetchable: false });
    if (!result.found) expect(result.reason).toContain('not installed');
  });
});

describe('a display for the desktop app', () => {
  it('Linux without DISPLAY or WAYLAND_DISPLAY has none; other systems and set variables do', () => {
    expect(noDisplay({}, 'linux')).toContain('no display');
    expect(noDisplay({ DISPLAY: ':0' }, 'linux')).toBeUndefined();
    expect(noDisplay({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBeUndefined();
    expect(noDisplay({}, 'darwin')).toBeUndefined();
    expect(noDisplay({}, 'win32')).toBeUndefined();
  });
});
