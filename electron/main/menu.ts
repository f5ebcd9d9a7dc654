/**
 * The application menu as a plain template (type-only Electron import), so the tests can check that a
 * packaged build has no Reload or DevTools items. index.ts turns it into a Menu.
 */
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  /** File > Open Dataset…: asks the page to open its dataset picker. */
  openDataset(): void;
  about(): void;
  openDocs(): void;
}

export interface MenuOptions {
  packaged: boolean;
  platform: NodeJS.Platform;
}

export function menuTemplate(options: MenuOptions, actions: MenuActions): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  const separator: MenuItemConstructorOptions = { type: 'separator' };
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'Open Dataset…', accelerator: 'CmdOrCtrl+O', click: () => actions.openDataset() },
      separator,
      mac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const edit: MenuItemConstructorOptions = {
    label: '&Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      separator,
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  };
  const development: MenuItemConstructorOptions[] = options.packaged
    ? []
    : [{ role: 'reload' }, { role: 'toggleDevTools' }, separator];
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      ...development,
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      separator,
      { role: 'togglefullscreen' },
    ],
  };
  const help: MenuItemConstructorOptions = {
    role: 'help',
    submenu: [
      { label: 'About DeepCorrect Workbench', click: () => actions.about() },
      { label: 'Open Docs Folder', click: () => actions.openDocs() },
    ],
  };
  const app: MenuItemConstructorOptions[] = mac ? [{ role: 'appMenu' }] : [];
  return [...app, file, edit, view, help];
}

/** The About box's text: the versions a bug report needs. */
export function aboutDetail(appVersion: string, versions: Partial<Record<string, string>>): string {
  return [
    `Version ${appVersion}`,
    `Electron ${versions['electron'] ?? '?'}`,
    `Chromium ${versions['chrome'] ?? '?'}`,
    `Node.js ${versions['node'] ?? '?'}`,
    `V8 ${versions['v8'] ?? '?'}`,
  ].join('\n');
}
