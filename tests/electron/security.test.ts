// The desktop shell's security decisions (electron/main/security.ts), checked without the Electron binary.
import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  APP_SCHEME,
  APP_SCHEME_PRIVILEGES,
  contentSecurityPolicy,
  isAppUrl,
  navigationAllowed,
  permissionAllowed,
  requestAllowed,
  safeExternalUrl,
  securityHeaders,
  senderAllowed,
  webPreferences,
} from '../../electron/main/security.ts';

describe('webPreferences', () => {
  it('turns on every isolation setting and off every Node or remote-content door', () => {
    const prefs = webPreferences('/app/out/preload/index.cjs', { devTools: false });
    expect(prefs).toEqual({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      experimentalFeatures: false,
      enableWebSQL: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      devTools: false,
    });
  });

  it('enables DevTools only when asked (development builds)', () => {
    expect(webPreferences('/p.cjs', { devTools: true }).devTools).toBe(true);
  });

  it('points at the CommonJS preload (sandboxed preloads cannot be ES modules)', () => {
    expect(webPreferences('/x/preload/index.cjs', { devTools: false }).preload).toMatch(/\.cjs$/);
  });
});

describe('Content-Security-Policy', () => {
  const directives = new Map(
    contentSecurityPolicy()
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values.join(' ')]),
  );

  it('has exactly the agreed directives', () => {
    expect(Object.fromEntries(directives)).toEqual({
      'default-src': "'none'",
      'script-src': "'self'",
      'style-src': "'self' 'unsafe-inline'",
      'img-src': "'self' data: blob:",
      'connect-src': "'self'",
      'font-src': "'self'",
      'base-uri': "'none'",
      'form-action': "'none'",
      'frame-ancestors': "'none'",
      'object-src': "'none'",
    });
  });

  it('never allows inline or evaluated script, nor any remote source', () => {
    const csp = contentSecurityPolicy();
    expect(directives.get('script-src')).toBe("'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toContain('wasm-unsafe-eval');
    expect(csp).not.toMatch(/https?:|wss?:|\*/);
  });

  it('is sent with nosniff and same-origin isolation headers', () => {
    const headers = securityHeaders();
    expect(headers['Content-Security-Policy']).toBe(contentSecurityPolicy());
    expect(headers['X-Content-Type-Options']).toBe('nosniff');
    expect(headers['Cross-Origin-Opener-Policy']).toBe('same-origin');
  });
});

describe('app scheme', () => {
  it('is standard and secure, with no CSP bypass', () => {
    expect(APP_SCHEME).toBe('app');
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({
      standard: true,
      secure: true,
      supportFetchAPI: true,
      bypassCSP: false,
      allowServiceWorkers: false,
      corsEnabled: false,
    });
  });

  it.each([
    APP_ENTRY_URL,
    'app://workbench/',
    'app://workbench/assets/index-abc123.js',
    'app://WORKBENCH/index.html',
    'app://workbench/index.html#/datasets',
  ])('%s is the app', (url) => {
    expect(isAppUrl(url)).toBe(true);
  });

  it.each([
    'app://evil/index.html',
    'app://workbench.evil/index.html',
    'app://workbench@evil/index.html',
    'app://user@workbench/index.html',
    'app://user:pw@workbench/index.html',
    'app://workbench:8080/index.html',
    'http://workbench/index.html',
    'https://workbench/index.html',
    'file:///app/out/renderer/index.html',
    'javascript:alert(1)',
    'data:text/html,<script>1</script>',
    'about:blank',
    'not a url',
    '',
  ])('%s is not the app', (url) => {
    expect(isAppUrl(url)).toBe(false);
  });
});

describe('navigationAllowed', () => {
  it('allows moving within the app, and the first load', () => {
    expect(navigationAllowed(APP_ENTRY_URL, 'app://workbench/index.html#/models')).toBe(true);
    expect(navigationAllowed('', APP_ENTRY_URL)).toBe(true);
    expect(navigationAllowed('about:blank', APP_ENTRY_URL)).toBe(true);
  });

  it.each([
    'https://example.com/',
    'http://127.0.0.1:8080/',
    'file:///etc/passwd',
    'app://evil/index.html',
    'javascript:alert(1)',
    'data:text/html,hi',
    'devtools://devtools/bundled/inspector.html',
  ])('blocks the app going to %s', (to) => {
    expect(navigationAllowed(APP_ENTRY_URL, to)).toBe(false);
  });

  it('blocks a foreign page from navigating into the app', () => {
    expect(navigationAllowed('https://example.com/', APP_ENTRY_URL)).toBe(false);
  });
});

describe('senderAllowed', () => {
  it('accepts the main frame on an app page only', () => {
    expect(senderAllowed(APP_ENTRY_URL, true)).toBe(true);
    expect(senderAllowed(APP_ENTRY_URL, false)).toBe(false);
    expect(senderAllowed('https://example.com/', true)).toBe(false);
    expect(senderAllowed('file:///x/index.html', true)).toBe(false);
    expect(senderAllowed(undefined, true)).toBe(false);
    expect(senderAllowed('', true)).toBe(false);
  });
});

describe('safeExternalUrl', () => {
  it('passes http(s) links, normalised', () => {
    expect(safeExternalUrl('https://github.com/x/y')).toBe('https://github.com/x/y');
    expect(safeExternalUrl('HTTP://Example.COM')).toBe('http://example.com/');
  });

  it.each([
    'file:///etc/passwd',
    'smb://server/share',
    'javascript:alert(1)',
    'ms-settings:privacy',
    'vscode://file/etc/passwd',
    'app://workbench/index.html',
    'https://user:pw@example.com/',
    'https://user@example.com/',
    'mailto:a@b.c',
    'not a url',
  ])('refuses %s', (url) => {
    expect(safeExternalUrl(url)).toBeUndefined();
  });
});

describe('requestAllowed', () => {
  it.each([
    APP_ENTRY_URL,
    'app://workbench/assets/a.css',
    'data:image/png;base64,AAAA',
    'blob:app://workbench/1f',
  ])('lets %s through', (url) => {
    expect(requestAllowed(url)).toBe(true);
  });

  it.each([
    'https://fonts.googleapis.com/css',
    'http://127.0.0.1:5173/',
    'ws://127.0.0.1:9000/',
    'file:///etc/passwd',
    'ftp://example.com/',
    'app://evil/x.js',
    'chrome-extension://abc/x.js',
    'not a url',
  ])('cancels %s', (url) => {
    expect(requestAllowed(url)).toBe(false);
  });
});

describe('permissions', () => {
  it.each(['media', 'geolocation', 'notifications', 'clipboard-read', 'fullscreen', 'openExternal', 'hid'])(
    'refuses %s',
    (permission) => {
      expect(permissionAllowed(permission)).toBe(false);
    },
  );
});
