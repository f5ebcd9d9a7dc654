// The built desktop app, driven by Playwright: the window opens on the app:// page with the secure
// webPreferences, the demo dataset's thumbnails appear, the page has no Node, and it cannot leave the app.
// Needs the Electron binary (absent where it cannot be downloaded, as in CI): the suite is skipped then,
// with the reason in its name. Needs `npm run build` first (out/main, out/preload, out/host, out/renderer).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { electronBinary } from '../../electron/electron-binary.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const built = {
  main: path.join(repoRoot, 'out/main/index.mjs'),
  preload: path.join(repoRoot, 'out/preload/index.cjs'),
  host: path.join(repoRoot, 'out/host/index.mjs'),
  renderer: path.join(repoRoot, 'out/renderer/index.html'),
};

const binary = electronBinary();
const title = binary.found
  ? 'desktop app (Playwright, Electron)'
  : `desktop app (Playwright, Electron): skipped, ${binary.reason}`;

describe.skipIf(!binary.found)(title, () => {
  let app: ElectronApplication;
  let page: Page;
  let userData: string;

  beforeAll(async () => {
    if (!binary.found) return;
    const missing = Object.values(built).filter((f) => !existsSync(f));
    if (missing.length > 0)
      throw new Error(`the app is not built (missing ${missing.join(', ')}): run npm run build first`);
    userData = mkdtempSync(path.join(tmpdir(), 'dc-e2e-profile-'));
    const env = Object.fromEntries(
      Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
    );
    app = await _electron.launch({
      executablePath: binary.path,
      args: [built.main],
      cwd: repoRoot,
      env: { ...env, DEEPCORRECT_USER_DATA: userData },
      timeout: 60_000,
    });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  });

  afterAll(async () => {
    await app?.close();
    if (userData) rmSync(userData, { recursive: true, force: true });
  });

  it('opens one window, titled, on the app:// entry page', async () => {
    expect(page.url()).toBe('app://workbench/index.html');
    const windows = await app.evaluate(({ BrowserWindow }) =>
      BrowserWindow.getAllWindows().map((w) => ({ title: w.getTitle(), visible: w.isVisible() })),
    );
    expect(windows).toEqual([{ title: 'DeepCorrect Workbench', visible: true }]);
  });

  it("shows the demo dataset's thumbnails", async () => {
    const thumbs = page.locator('[data-testid="thumb"]');
    await thumbs.first().waitFor({ state: 'visible', timeout: 90_000 });
    expect(await thumbs.count()).toBeGreaterThan(0);
  });

  it('gives the page no Node: no require, process, module or Buffer, only window.deepcorrect', async () => {
    // Expressions as strings: this file is type-checked without DOM types.
    expect(await page.evaluate('typeof window.require')).toBe('undefined');
    expect(await page.evaluate('typeof require')).toBe('undefined');
    expect(await page.evaluate('typeof process')).toBe('undefined');
    expect(await page.evaluate('typeof module')).toBe('undefined');
    expect(await page.evaluate('typeof Buffer')).toBe('undefined');
    expect(await page.evaluate('Object.keys(window.deepcorrect).sort()')).toEqual([
      'capabilities',
      'onMessage',
      'pickPath',
      'send',
    ]);
    expect(
      await page.evaluate(
        "(() => { try { window.deepcorrect.send({ kind: 'reply' }); return 'sent'; } catch { return 'refused'; } })()",
      ),
    ).toBe('refused');
  });

  it('has the Content-Security-Policy: no inline script runs', async () => {
    const result = await page.evaluate(`(() => {
      window.__inlineRan = false;
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.head.appendChild(s);
      return window.__inlineRan;
    })()`);
    expect(result).toBe(false);
  });

  it('cannot navigate to another origin, open windows or fetch remote content', async () => {
    await page.evaluate("location.href = 'https://example.com/'").catch(() => undefined);
    await page.waitForTimeout(1000);
    expect(page.url()).toMatch(/^app:\/\/workbench\//);
    // A file: URL is refused without opening anything (an http(s) one would go to the system browser).
    expect(await page.evaluate("window.open('file:///etc/passwd') === null")).toBe(true);
    expect(app.windows()).toHaveLength(1);
    expect(await page.evaluate("fetch('https://example.com/').then(() => 'loaded', () => 'blocked')")).toBe(
      'blocked',
    );
  });
});
