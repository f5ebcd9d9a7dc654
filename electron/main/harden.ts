/**
 * Applies the decisions of security.ts to Electron objects: the session (permissions, requests, headers)
 * and every webContents the app ever creates (navigation, new windows, webviews).
 */
import { BrowserWindow, dialog, shell, type Session, type WebContents } from 'electron';
import type { Log } from './log.ts';
import {
  contentSecurityPolicy,
  externalLinkConfirmed,
  externalLinkPrompt,
  isAppUrl,
  navigationAllowed,
  permissionAllowed,
  requestAllowed,
} from './security.ts';

export function hardenSession(session: Session, log: Log): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    log(`permission refused: ${permission}`);
    callback(permissionAllowed(permission));
  });
  session.setPermissionCheckHandler((_contents, permission) => permissionAllowed(permission));
  session.setDevicePermissionHandler(() => false);

  // No remote content: anything but the app's own files (and data:/blob:/DevTools) is cancelled.
  session.webRequest.onBeforeRequest((details, callback) => {
    const allowed = requestAllowed(details.url);
    if (!allowed) log(`request cancelled: ${details.url}`);
    callback({ cancel: !allowed });
  });

  // The protocol handler already sets the CSP; this replaces any other CSP on app responses that reach
  // the network stack, so there is one policy whichever way a page is loaded.
  session.webRequest.onHeadersReceived((details, callback) => {
    if (!isAppUrl(details.url)) {
      callback({});
      return;
    }
    const responseHeaders: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(details.responseHeaders ?? {}))
      if (name.toLowerCase() !== 'content-security-policy') responseHeaders[name] = value;
    responseHeaders['Content-Security-Policy'] = [contentSecurityPolicy()];
    callback({ responseHeaders });
  });
}

/** Guards one webContents; called from app 'web-contents-created', so it covers every one of them. */
export function guardWebContents(contents: WebContents, log: Log): void {
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log('webview refused');
  });

  const guardNavigation = (event: { url: string; preventDefault(): void }, what: string): void => {
    if (navigationAllowed(contents.getURL(), event.url)) return;
    event.preventDefault();
    log(`${what} blocked: ${event.url}`);
  };
  contents.on('will-navigate', (event) => guardNavigation(event, 'navigation'));
  contents.on('will-frame-navigate', (event) => guardNavigation(event, 'frame navigation'));
  contents.on('will-redirect', (event) => guardNavigation(event, 'redirect'));

  contents.setWindowOpenHandler(({ url }) => {
    offerExternal(contents, url, log);
    return { action: 'deny' };
  });
}

/** The webContents whose link question is on screen: a page that opens links in a loop gets one dialog. */
const asking = new WeakSet<WebContents>();

/**
 * A link the page opened goes to the system browser only once the user has said yes to a dialog, modal to
 * the page's window, that shows the address (security.ts decides what is offered and what the dialog
 * says). No window to ask in, or a question already open, and the link is dropped.
 */
function offerExternal(contents: WebContents, url: string, log: Log): void {
  const prompt = externalLinkPrompt(url);
  if (prompt === undefined) {
    log(`window.open refused: ${url}`);
    return;
  }
  const window = BrowserWindow.fromWebContents(contents);
  if (window === null || asking.has(contents)) {
    log(
      `link not offered (${window === null ? 'no window to ask in' : 'a link question is open'}): ${prompt.url}`,
    );
    return;
  }
  asking.add(contents);
  dialog
    .showMessageBox(window, prompt.dialog)
    .then(({ response }) => {
      if (!externalLinkConfirmed(response)) {
        log(`link not opened (the user said no): ${prompt.url}`);
        return;
      }
      log(`opening in the system browser: ${prompt.url}`);
      return shell.openExternal(prompt.url);
    })
    .catch((error: unknown) => {
      log(`cannot open ${prompt.url}: ${error instanceof Error ? error.message : String(error)}`);
    })
    .finally(() => asking.delete(contents));
}
