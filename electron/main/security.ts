/**
 * Every security decision of the desktop shell, as pure functions with no Electron import, so Vitest checks
 * them without the Electron binary and the wiring in the other modules of electron/main stays thin. See
 * docs/security.md for the reasons behind each setting.
 */

/** The custom scheme the renderer is served from (registered as standard and secure, see app-protocol.ts). */
export const APP_SCHEME = 'app';
/** The scheme's one host: every page of the app lives under this origin. */
export const APP_HOST = 'workbench';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** The privileges of the app scheme: a standard, secure origin (so 'self', fetch and ES modules work). */
export const APP_SCHEME_PRIVILEGES = {
  standard: true,
  secure: true,
  supportFetchAPI: true,
  // The rest stay off: no CSP bypass, no service workers, no cross-origin access to the app's files.
  bypassCSP: false,
  allowServiceWorkers: false,
  corsEnabled: false,
  stream: false,
} as const;

/**
 * The webPreferences of every window. Written as literal types, so a changed value fails type-checking in
 * the tests as well as at run time; structurally it is Electron's WebPreferences.
 */
export interface SecureWebPreferences {
  readonly preload: string;
  readonly contextIsolation: true;
  readonly sandbox: true;
  readonly nodeIntegration: false;
  readonly nodeIntegrationInWorker: false;
  readonly nodeIntegrationInSubFrames: false;
  readonly webSecurity: true;
  readonly allowRunningInsecureContent: false;
  readonly webviewTag: false;
  readonly spellcheck: false;
  readonly experimentalFeatures: false;
  readonly enableWebSQL: false;
  readonly navigateOnDragDrop: false;
  readonly safeDialogs: true;
  readonly devTools: boolean;
}

export function webPreferences(preloadPath: string, options: { devTools: boolean }): SecureWebPreferences {
  return {
    preload: preloadPath,
    // The page and the preload run in separate JavaScript worlds: the page sees only what contextBridge gives.
    contextIsolation: true,
    // The renderer process runs in Chromium's OS sandbox; the preload gets only the sandboxed require.
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    // The spellchecker downloads dictionaries from Google's CDN: remote content the app does not need.
    spellcheck: false,
    experimentalFeatures: false,
    enableWebSQL: false,
    // A file dropped on the window must not replace the app's page.
    navigateOnDragDrop: false,
    // A page that loops on alert() can be stopped by the user.
    safeDialogs: true,
    // DevTools in development only; a packaged app has no use for them.
    devTools: options.devTools,
  };
}

/** The Content-Security-Policy directives of every page the app serves. */
export const CSP_DIRECTIVES: Readonly<Record<string, string>> = {
  'default-src': "'none'",
  'script-src': "'self'",
  // 'unsafe-inline' for styles only: Vue's :style bindings and ECharts write inline styles (style
  // attributes through the CSSOM), which CSP treats as inline styles. Scripts stay strictly 'self'.
  'style-src': "'self' 'unsafe-inline'",
  // data: and blob: for thumbnails and exported chart images that the renderer makes itself.
  'img-src': "'self' data: blob:",
  'connect-src': "'self'",
  'font-src': "'self'",
  'base-uri': "'none'",
  'form-action': "'none'",
  'frame-ancestors': "'none'",
  'object-src': "'none'",
};

export function contentSecurityPolicy(): string {
  return Object.entries(CSP_DIRECTIVES)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');
}

/** Headers added to every response of the app's pages and files. */
export function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(),
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
  };
}

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/**
 * Whether a URL is one of the app's own pages or files. Compared by scheme and host rather than by
 * URL.origin, because WHATWG URL gives a custom scheme the opaque origin "null"; user info and ports are
 * refused so that `app://workbench@evil/` or `app://workbench:1/` cannot pass for the app.
 */
export function isAppUrl(url: string): boolean {
  const u = parse(url);
  return (
    u !== undefined &&
    u.protocol === `${APP_SCHEME}:` &&
    // Chromium lower-cases the host of a standard scheme; WHATWG URL keeps a custom scheme's host as typed.
    u.hostname.toLowerCase() === APP_HOST &&
    u.port === '' &&
    u.username === '' &&
    u.password === ''
  );
}

/** A window may only navigate within the app (from its first, empty page or from an app page). */
export function navigationAllowed(from: string, to: string): boolean {
  const fromOk = from === '' || from === 'about:blank' || isAppUrl(from);
  return fromOk && isAppUrl(to);
}

/** IPC is accepted only from the top frame of a window showing one of the app's pages. */
export function senderAllowed(frameUrl: string | undefined, isMainFrame: boolean): boolean {
  return isMainFrame && frameUrl !== undefined && isAppUrl(frameUrl);
}

/**
 * The longest address offered to the user: one longer than this cannot be read in a dialog, and a
 * confirmation of an address the user could not read confirms nothing.
 */
export const MAX_EXTERNAL_URL_LENGTH = 2048;

/**
 * The URL to hand to the OS browser for a link the page tried to open, or undefined when it must not be
 * opened: only http(s), with a host and no embedded credentials (shell.openExternal on other schemes
 * could start arbitrary programs: file:, smb:, custom protocol handlers; `user@host` hides the real host
 * behind a name the user trusts). The result is the WHATWG serialisation, which is plain ASCII: hosts in
 * punycode, everything else outside ASCII percent-encoded, so no character can disguise another.
 */
export function safeExternalUrl(url: string): string | undefined {
  const u = parse(url);
  if (u === undefined) return undefined;
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
  if (u.hostname === '' || u.username !== '' || u.password !== '') return undefined;
  if (u.href.length > MAX_EXTERNAL_URL_LENGTH) return undefined;
  return u.href;
}

/** The dialog that asks before a link leaves the app, in the shape of Electron's MessageBoxOptions. */
export interface ExternalLinkDialog {
  type: 'question';
  title: string;
  message: string;
  detail: string;
  buttons: string[];
  defaultId: number;
  cancelId: number;
  /** Windows: plain buttons, not command links that would restyle the labels. */
  noLink: true;
}

/** What the user is asked about a link: the exact address opened on yes, and the dialog showing it. */
export interface ExternalLinkPrompt {
  url: string;
  dialog: ExternalLinkDialog;
}

export const EXTERNAL_LINK_CANCEL = 0;
export const EXTERNAL_LINK_OPEN = 1;

/**
 * The question to put to the user before a link the page opened goes to the system browser, or undefined
 * when the link is refused outright (see safeExternalUrl). The dialog names the whole address that will
 * be opened, character for character, and the site on a line of its own; a name in punycode gets a
 * sentence saying why it looks odd, since that is what a look-alike of a known name turns into. Cancel is
 * both the default (Enter) and the escape answer, so only a deliberate choice opens the browser.
 */
export function externalLinkPrompt(url: string): ExternalLinkPrompt | undefined {
  const href = safeExternalUrl(url);
  if (href === undefined) return undefined;
  const { host } = new URL(href);
  const encoded = host.split('.').some((label) => label.startsWith('xn--'));
  const lines = [href, '', `Site: ${host}`];
  if (encoded)
    lines.push(
      '',
      'The site name has letters other than a to z, shown in their encoded (xn--) form: ' +
        'make sure it is the site you expect.',
    );
  return {
    url: href,
    dialog: {
      type: 'question',
      title: 'Open link in browser',
      message: 'Open this address in your web browser?',
      detail: lines.join('\n'),
      buttons: ['Cancel', 'Open in Browser'],
      defaultId: EXTERNAL_LINK_CANCEL,
      cancelId: EXTERNAL_LINK_CANCEL,
      noLink: true,
    },
  };
}

/** Whether the answer to the dialog (the index of the button pressed) is the user's yes. */
export function externalLinkConfirmed(response: number): boolean {
  return response === EXTERNAL_LINK_OPEN;
}

/**
 * Which requests the app's session lets through: its own files, the data:/blob: URLs the renderer makes,
 * and DevTools' own pages. Everything else (http, https, ws, file, ftp, ...) is cancelled: no remote
 * content, no local files outside the renderer folder.
 */
export function requestAllowed(url: string): boolean {
  if (isAppUrl(url)) return true;
  const u = parse(url);
  if (u === undefined) return false;
  return u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'devtools:';
}

/** Every permission a page can ask for (camera, notifications, clipboard, ...) is refused. */
export function permissionAllowed(_permission: string): false {
  return false;
}
