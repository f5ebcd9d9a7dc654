/**
 * Applies the decisions of security.ts to Electron objects: the session (permissions, requests, headers)
 * and every webContents the app ever creates (navigation, new windows, webviews).
 */
import { shell, type Session, type WebContents } from 'electron';
import type { Log } from './log.ts';
import {
  contentSecurityPolicy,
  isAppUrl,
  navigationAllowed,
  permissionAllowed,
  requestAllowed,
  safeExternalUrl,
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
    const external = safeExternalUrl(url);
    if (external === undefined) {
      log(`window.open refused: ${url}`);
    } else {
      log(`opening in the system browser: ${external}`);
      shell.openExternal(external).catch((error: unknown) => {
        log(`cannot open ${external}: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
    return { action: 'deny' };
  });
}
