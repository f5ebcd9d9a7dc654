/** The app's one window. Its webPreferences come from security.ts only (a test reads this file to check). */
import { BrowserWindow } from 'electron';
import type { AppLayout } from './layout.ts';
import type { Log } from './log.ts';
import { APP_ENTRY_URL, webPreferences } from './security.ts';

export const WINDOW_TITLE = 'DeepCorrect Workbench';

export function createMainWindow(layout: AppLayout, packaged: boolean, log: Log): BrowserWindow {
  const window = new BrowserWindow({
    title: WINDOW_TITLE,
    width: 1360,
    height: 880,
    minWidth: 960,
    minHeight: 640,
    // Shown once the first frame is painted, so the user never sees an empty white window.
    show: false,
    webPreferences: webPreferences(layout.preload, { devTools: !packaged }),
  });
  window.once('ready-to-show', () => window.show());
  // The title stays the app's name whatever the page's <title> says.
  window.on('page-title-updated', (event) => event.preventDefault());
  window.webContents.on('did-fail-load', (_event, code, description, url) => {
    log(`page failed to load: ${url} (${code} ${description})`);
    if (!window.isVisible()) window.show();
  });
  window.webContents.on('render-process-gone', (_event, details) => {
    log(`renderer gone: ${details.reason} (exit code ${details.exitCode})`);
  });
  window.loadURL(APP_ENTRY_URL).catch((error: unknown) => {
    log(`cannot load ${APP_ENTRY_URL}: ${error instanceof Error ? error.message : String(error)}`);
  });
  return window;
}

/** Brings the window to the front (a second launch of the app lands here). */
export function focusWindow(window: BrowserWindow | undefined): void {
  if (window === undefined || window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}
