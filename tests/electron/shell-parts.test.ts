// The plain parts of the desktop shell: the menu template, the About text, where the built parts lie, the
// picker kinds and the menu commands the page may receive.
import path from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi, type Mock } from 'vitest';
import { isMenuCommand } from '../../electron/main/channels.ts';
import { appLayout } from '../../electron/main/layout.ts';
import { aboutDetail, menuTemplate, type MenuActions } from '../../electron/main/menu.ts';
import { isPickKind, PICK_KINDS, pickDialogOptions } from '../../electron/main/pick.ts';

function actions(): { [K in keyof MenuActions]: Mock<MenuActions[K]> } {
  return { openDataset: vi.fn(), about: vi.fn(), openDocs: vi.fn() };
}

/** Every item of a template, depth first. */
function items(template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return template.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? items(item.submenu) : [])]);
}

const roles = (template: MenuItemConstructorOptions[]): string[] =>
  items(template).flatMap((i) => (i.role === undefined ? [] : [i.role]));

describe('menuTemplate', () => {
  it('has File, Edit, View and Help on Linux and Windows', () => {
    const template = menuTemplate({ packaged: true, platform: 'linux' }, actions());
    expect(template.map((m) => m.label ?? m.role)).toEqual(['&File', '&Edit', '&View', 'help']);
  });

  it('leaves Reload and DevTools out of packaged builds', () => {
    const packaged = roles(menuTemplate({ packaged: true, platform: 'win32' }, actions()));
    expect(packaged).not.toContain('reload');
    expect(packaged).not.toContain('forceReload');
    expect(packaged).not.toContain('toggleDevTools');
    const development = roles(menuTemplate({ packaged: false, platform: 'win32' }, actions()));
    expect(development).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
  });

  it('keeps the zoom and edit roles', () => {
    const all = roles(menuTemplate({ packaged: true, platform: 'linux' }, actions()));
    expect(all).toEqual(
      expect.arrayContaining([
        'resetZoom',
        'zoomIn',
        'zoomOut',
        'undo',
        'redo',
        'cut',
        'copy',
        'paste',
        'quit',
      ]),
    );
  });

  it('opens a dataset with Ctrl/Cmd+O through the given action', () => {
    const a = actions();
    const open = items(menuTemplate({ packaged: true, platform: 'linux' }, a)).find(
      (i) => i.label === 'Open Dataset…',
    );
    expect(open?.accelerator).toBe('CmdOrCtrl+O');
    (open?.click as () => void)();
    expect(a.openDataset).toHaveBeenCalledOnce();
  });

  it('wires About and the docs folder to their actions', () => {
    const a = actions();
    const all = items(menuTemplate({ packaged: true, platform: 'linux' }, a));
    (all.find((i) => i.label?.startsWith('About'))?.click as () => void)();
    (all.find((i) => i.label === 'Open Docs Folder')?.click as () => void)();
    expect(a.about).toHaveBeenCalledOnce();
    expect(a.openDocs).toHaveBeenCalledOnce();
  });

  it('starts with the app menu on macOS', () => {
    expect(menuTemplate({ packaged: true, platform: 'darwin' }, actions())[0]?.role).toBe('appMenu');
  });
});

describe('aboutDetail', () => {
  it('lists the versions a bug report needs', () => {
    const text = aboutDetail('0.1.0', { electron: '38.8.6', chrome: '140.0', node: '22.20.0', v8: '14.0' });
    expect(text).toBe('Version 0.1.0\nElectron 38.8.6\nChromium 140.0\nNode.js 22.20.0\nV8 14.0');
    expect(aboutDetail('1', {})).toContain('Electron ?');
  });
});

describe('appLayout', () => {
  const mainDir = path.resolve('/proj/out/main');

  it('finds the bundles next to the main bundle and the resources in the checkout', () => {
    expect(appLayout(mainDir, false, '/unused')).toEqual({
      preload: path.resolve('/proj/out/preload/index.cjs'),
      rendererRoot: path.resolve('/proj/out/renderer'),
      hostEntry: path.resolve('/proj/out/host/index.mjs'),
      resources: path.resolve('/proj/resources'),
      docs: path.resolve('/proj/docs'),
    });
  });

  it('takes resources and docs from the resources folder when packaged', () => {
    const layout = appLayout(
      path.resolve('/opt/app/resources/app.asar/out/main'),
      true,
      '/opt/app/resources',
    );
    expect(layout.resources).toBe(path.join('/opt/app/resources', 'resources'));
    expect(layout.docs).toBe(path.join('/opt/app/resources', 'docs'));
    expect(layout.preload).toBe(path.resolve('/opt/app/resources/app.asar/out/preload/index.cjs'));
  });
});

describe('pickers', () => {
  it('knows exactly the three kinds of the bridge transport', () => {
    expect(PICK_KINDS).toEqual([
      'dataset-folder',
      'dataset-file',
      'model-folder',
      'study-folder',
      'output-folder',
    ]);
    for (const kind of PICK_KINDS) expect(isPickKind(kind)).toBe(true);
    for (const bad of ['', 'home', 'dataset-folder ', null, 1, {}, ['dataset-file']])
      expect(isPickKind(bad)).toBe(false);
  });

  it('opens folders for folders (creatable for output) and files for files', () => {
    expect(pickDialogOptions('dataset-folder').properties).toContain('openDirectory');
    expect(pickDialogOptions('dataset-folder').properties).not.toContain('openFile');
    expect(pickDialogOptions('dataset-file').properties).toContain('openFile');
    expect(pickDialogOptions('dataset-file').properties).not.toContain('openDirectory');
    expect(pickDialogOptions('output-folder').properties).toEqual(
      expect.arrayContaining(['openDirectory', 'createDirectory']),
    );
    // One path per pick: multiSelections would let one answer allow several folders.
    for (const kind of PICK_KINDS)
      expect(pickDialogOptions(kind).properties).not.toContain('multiSelections');
  });
});

describe('menu commands', () => {
  it('are an allow-list', () => {
    expect(isMenuCommand('open-dataset')).toBe(true);
    expect(isMenuCommand('quit')).toBe(false);
    expect(isMenuCommand(undefined)).toBe(false);
  });
});
