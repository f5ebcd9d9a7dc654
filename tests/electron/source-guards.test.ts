// Reads the desktop shell's sources and checks that its security settings cannot drift: the one window is
// made with webPreferences from security.ts, nothing anywhere turns an isolation setting back, the pure
// modules stay free of Electron (so the tests above really test what runs), and the wiring that applies
// the guards is in place.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const entry of readdirSync(path.join(repoRoot, d), { withFileTypes: true })) {
      const rel = path.posix.join(d, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (/\.(ts|mts|cts|js|mjs|cjs)$/.test(entry.name))
        out.set(rel, readFileSync(path.join(repoRoot, rel), 'utf8'));
    }
  };
  walk(dir);
  return out;
}

/** Source without comments, so a comment that mentions a setting neither passes nor fails a check. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

const main = sources('electron/main');
const preload = sources('electron/preload');
const shell = new Map([...main, ...preload]);
const allElectron = sources('electron');

/** The text of the call starting at `start` up to its matching closing parenthesis. */
function callText(text: string, start: number): string {
  let depth = 0;
  for (let i = text.indexOf('(', start); i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(start, i + 1);
  }
  throw new Error('unbalanced call');
}

describe('the window', () => {
  const creations = [...allElectron].flatMap(([file, text]) =>
    [...code(text).matchAll(/new\s+BrowserWindow\s*\(/g)].map((m) => ({
      file,
      call: callText(code(text), m.index),
    })),
  );

  it('is created in exactly one place', () => {
    expect(creations.map((c) => c.file)).toEqual(['electron/main/window.ts']);
  });

  it('takes its webPreferences from security.ts, and nothing else in its options', () => {
    const call = creations[0]?.call ?? '';
    expect(call).toMatch(/webPreferences:\s*webPreferences\(/);
    expect(call.match(/webPreferences/g)).toHaveLength(2);
    const windowTs = code(main.get('electron/main/window.ts') ?? '');
    expect(windowTs).toMatch(/import\s*\{[^}]*\bwebPreferences\b[^}]*\}\s*from\s*'\.\/security\.ts'/);
  });

  it('loads the app:// entry page and nothing else', () => {
    const loads = [...shell.values()].flatMap((text) => [
      ...code(text).matchAll(/\.load(URL|File)\s*\(([^)]*)\)/g),
    ]);
    expect(loads.map((m) => m[2]?.trim())).toEqual(['APP_ENTRY_URL']);
  });
});

describe('no setting is turned back in the shell (main, preload, gateway)', () => {
  const checked = new Map([...shell, ...sources('electron/gateway')]);
  const weakenings: [string, RegExp][] = [
    ['nodeIntegration on', /nodeIntegration(InWorker|InSubFrames)?\s*:\s*true/],
    ['contextIsolation off', /contextIsolation\s*:\s*false/],
    ['sandbox off', /sandbox\s*:\s*false/],
    ['webSecurity off', /webSecurity\s*:\s*false/],
    ['insecure content allowed', /allowRunningInsecureContent\s*:\s*true/],
    ['webview tag on', /webviewTag\s*:\s*true/],
    ['CSP bypass', /bypassCSP\s*:\s*true/],
    ['remote module', /enableRemoteModule|@electron\/remote/],
    ['a permission granted', /callback\(\s*true\s*\)/],
    ['a window allowed', /action\s*:\s*'allow'/],
    ['a BrowserView or WebContentsView', /new\s+(BrowserView|WebContentsView)\b/],
    ['the sandbox switched off by flag', /no-sandbox|disable-web-security|ignore-certificate-errors/],
  ];
  it.each(weakenings)('%s', (_what, pattern) => {
    expect(checked.size).toBeGreaterThan(5);
    for (const [file, text] of checked) expect(code(text), file).not.toMatch(pattern);
  });
});

describe('the pure modules', () => {
  it.each(['security.ts', 'app-files.ts', 'pick.ts', 'layout.ts', 'channels.ts', 'log.ts'])(
    'electron/main/%s does not import electron',
    (file) => {
      const text = main.get(`electron/main/${file}`);
      expect(text, file).toBeDefined();
      expect(text).not.toMatch(/from\s+'electron'|require\('electron'\)|import\('electron'\)/);
    },
  );

  it('menu.ts imports only Electron types', () => {
    const text = main.get('electron/main/menu.ts') ?? '';
    expect(text).toMatch(/import type \{[^}]*\} from 'electron'/);
    expect(text).not.toMatch(/import \{[^}]*\} from 'electron'/);
  });
});

describe('the wiring', () => {
  const index = code(main.get('electron/main/index.ts') ?? '');
  const harden = code(main.get('electron/main/harden.ts') ?? '');
  const ipc = code(main.get('electron/main/ipc.ts') ?? '');
  const preloadCode = code(preload.get('electron/preload/index.ts') ?? '');

  it('registers the scheme and forces the sandbox before the app is ready', () => {
    const ready = index.indexOf('whenReady');
    expect(index.indexOf('registerAppScheme()')).toBeGreaterThan(-1);
    expect(index.indexOf('registerAppScheme()')).toBeLessThan(ready);
    expect(index.indexOf('app.enableSandbox()')).toBeGreaterThan(-1);
    expect(index.indexOf('app.enableSandbox()')).toBeLessThan(ready);
    expect(index).toContain('requestSingleInstanceLock()');
  });

  it('guards every webContents and hardens the session', () => {
    expect(index).toMatch(/app\.on\(\s*'web-contents-created'[\s\S]*?guardWebContents\(/);
    expect(index).toMatch(/hardenSession\(\s*session\.defaultSession/);
    for (const guard of ['will-navigate', 'will-redirect', 'will-frame-navigate', 'will-attach-webview'])
      expect(harden).toContain(`'${guard}'`);
    expect(harden).toContain('setWindowOpenHandler');
    expect(harden).toContain('setPermissionRequestHandler');
    expect(harden).toContain('setPermissionCheckHandler');
  });

  it('checks the sender of every IPC message before acting on it', () => {
    const handlers = [...ipc.matchAll(/ipcMain\.(on|handle)\(/g)];
    expect(handlers).toHaveLength(2);
    expect(ipc.match(/!fromAppWindow\(event, window\)/g)).toHaveLength(2);
    // No other file of the shell listens to IPC.
    for (const [file, text] of main)
      if (file !== 'electron/main/ipc.ts') expect(code(text), file).not.toMatch(/ipcMain\./);
  });

  it('exposes one API from the preload, and never ipcRenderer itself', () => {
    expect(preloadCode.match(/exposeInMainWorld\(/g)).toHaveLength(1);
    expect(preloadCode).toMatch(/exposeInMainWorld\('deepcorrect', transport\)/);
    expect(preloadCode).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
  });
});
