// The main process (electron/main/index.ts) run against a fake 'electron' module, since the binary cannot
// run here: the scheme and sandbox are set up before ready, the window gets the secure webPreferences, the
// session refuses permissions and remote requests, every webContents is guarded, IPC from anything but the
// app's main frame is refused, picked paths join the allow-list, the menu reaches the page, and a crash of
// the engine host starts a new one instead of ending the app.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ServerMessage } from '../../shared/bridge/protocol.ts';
import { CHANNELS } from '../../electron/main/channels.ts';
import { APP_ENTRY_URL, APP_SCHEME_PRIVILEGES, contentSecurityPolicy } from '../../electron/main/security.ts';

type Listener = (...args: unknown[]) => unknown;

interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

/** A fake utilityProcess child that answers like the engine host: ready, then a reply per request. */
interface FakeHost extends EventEmitter {
  received: unknown[];
  killed: boolean;
}

const fake = vi.hoisted(() => ({
  calls: [] as string[],
  appEvents: new Map<string, Listener[]>(),
  privileged: [] as unknown[],
  protocolHandlers: new Map<string, (request: Request) => Promise<Response>>(),
  permissionRequest: undefined as Listener | undefined,
  permissionCheck: undefined as Listener | undefined,
  beforeRequest: undefined as Listener | undefined,
  headersReceived: undefined as Listener | undefined,
  windows: [] as { options: Record<string, unknown>; loaded: string[]; contents: unknown; window: unknown }[],
  ipcOn: new Map<string, Listener>(),
  ipcHandle: new Map<string, Listener>(),
  menuTemplate: [] as unknown[],
  openDialogResult: { canceled: false, filePaths: ['/data/chosen'] },
  external: [] as string[],
  /** Every message box shown: its parent window (undefined for none), options, and how to answer it. */
  messageBoxes: [] as {
    window: unknown;
    options: Record<string, unknown>;
    answer: (response: number) => void;
  }[],
  /** The button index message boxes answer with, unless held open for the test to answer. */
  messageBoxResponse: 0,
  holdMessageBoxes: false,
  hosts: [] as unknown[],
  userData: '',
}));

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  const on = (event: string, listener: Listener): void => {
    fake.appEvents.set(event, [...(fake.appEvents.get(event) ?? []), listener]);
  };

  class WebContents extends Emitter {
    static nextId = 1;
    id = WebContents.nextId++;
    sent: [string, unknown][] = [];
    url = '';
    mainFrame = { url: '', parent: null };
    openHandler: Listener | undefined;
    send(channel: string, message: unknown): void {
      this.sent.push([channel, message]);
    }
    isDestroyed(): boolean {
      return false;
    }
    getURL(): string {
      return this.url;
    }
    setWindowOpenHandler(handler: Listener): void {
      this.openHandler = handler;
    }
  }

  class BrowserWindow extends Emitter {
    static all: BrowserWindow[] = [];
    webContents = new WebContents();
    loaded: string[] = [];
    constructor(readonly options: Record<string, unknown>) {
      super();
      fake.calls.push('new BrowserWindow');
      BrowserWindow.all.push(this);
      fake.windows.push({ options, loaded: this.loaded, contents: this.webContents, window: this });
      // Like Electron: the window's own webContents is announced to web-contents-created.
      for (const l of fake.appEvents.get('web-contents-created') ?? []) l({}, this.webContents);
    }
    static getAllWindows(): BrowserWindow[] {
      return BrowserWindow.all;
    }
    static fromWebContents(contents: unknown): BrowserWindow | null {
      return BrowserWindow.all.find((w) => w.webContents === contents) ?? null;
    }
    loadURL(url: string): Promise<void> {
      this.loaded.push(url);
      this.webContents.url = url;
      this.webContents.mainFrame.url = url;
      return Promise.resolve();
    }
    isDestroyed(): boolean {
      return false;
    }
    isVisible(): boolean {
      return true;
    }
    isMinimized(): boolean {
      return false;
    }
    show(): void {}
    focus(): void {}
    restore(): void {}
  }

  return {
    app: {
      isPackaged: false,
      on,
      setPath: (name: string, value: string) => {
        if (name === 'userData') fake.userData = value;
      },
      getPath: () => path.join(fake.userData || tmpdir(), 'logs'),
      getVersion: () => '0.1.0',
      enableSandbox: () => fake.calls.push('enableSandbox'),
      requestSingleInstanceLock: () => {
        fake.calls.push('requestSingleInstanceLock');
        return true;
      },
      whenReady: () => {
        fake.calls.push('whenReady');
        return Promise.resolve();
      },
      quit: () => fake.calls.push('quit'),
      exit: (code: number) => fake.calls.push(`exit ${code}`),
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => {
        fake.calls.push('registerSchemesAsPrivileged');
        fake.privileged.push(...schemes);
      },
    },
    session: {
      defaultSession: {
        protocol: {
          handle: (scheme: string, handler: (request: Request) => Promise<Response>) =>
            fake.protocolHandlers.set(scheme, handler),
        },
        setPermissionRequestHandler: (h: Listener) => (fake.permissionRequest = h),
        setPermissionCheckHandler: (h: Listener) => (fake.permissionCheck = h),
        setDevicePermissionHandler: () => undefined,
        webRequest: {
          onBeforeRequest: (h: Listener) => (fake.beforeRequest = h),
          onHeadersReceived: (h: Listener) => (fake.headersReceived = h),
        },
      },
    },
    BrowserWindow,
    Menu: {
      buildFromTemplate: (template: unknown[]) => {
        fake.menuTemplate = template;
        return template;
      },
      setApplicationMenu: () => undefined,
    },
    ipcMain: {
      on: (channel: string, l: Listener) => fake.ipcOn.set(channel, l),
      handle: (channel: string, l: Listener) => fake.ipcHandle.set(channel, l),
      removeListener: () => undefined,
      removeHandler: () => undefined,
    },
    dialog: {
      showOpenDialog: () => Promise.resolve(fake.openDialogResult),
      showMessageBox: (first: unknown, second?: Record<string, unknown>) =>
        new Promise((resolve) => {
          const [window, options] =
            second === undefined ? [undefined, first as Record<string, unknown>] : [first, second];
          const answer = (response: number): void => resolve({ response, checkboxChecked: false });
          fake.messageBoxes.push({ window, options, answer });
          if (!fake.holdMessageBoxes) answer(fake.messageBoxResponse);
        }),
      showErrorBox: () => undefined,
    },
    shell: {
      openExternal: (url: string) => {
        fake.external.push(url);
        return Promise.resolve();
      },
      openPath: () => Promise.resolve(''),
    },
    utilityProcess: {
      fork: (entry: string, _args: string[], options: Record<string, unknown>) => {
        const child = Object.assign(new Emitter(), {
          entry,
          options,
          received: [] as unknown[],
          killed: false,
          stdout: null,
          stderr: null,
          postMessage(message: { kind: string; id?: number; name?: string; input?: unknown }) {
            child.received.push(message);
            if (message.kind === 'request')
              queueMicrotask(() =>
                child.emit('message', {
                  kind: 'reply',
                  id: message.id,
                  ok: true,
                  output: { echo: message.name, input: message.input },
                }),
              );
            if (message.kind === 'shutdown') queueMicrotask(() => child.emit('exit', 0));
          },
          kill() {
            child.killed = true;
          },
        });
        fake.hosts.push(child);
        queueMicrotask(() => child.emit('message', { kind: 'ready', backend: 'cpu' }));
        return child;
      },
    },
  };
});

interface FakeContents extends EventEmitter {
  id: number;
  sent: [string, unknown][];
  url: string;
  mainFrame: FakeFrame;
  openHandler: ((details: { url: string }) => { action: string }) | undefined;
}

let userData: string;
let contents: FakeContents;
const logLines: string[] = [];

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await tick();
};

function appEvent(name: string): Listener {
  const listeners = fake.appEvents.get(name);
  if (listeners === undefined || listeners.length === 0) throw new Error(`no ${name} listener`);
  return (...args: unknown[]) => listeners.map((l) => l(...args));
}

function ipcEvent(frame: FakeFrame | null, sender: { id: number } = contents) {
  return { sender, senderFrame: frame };
}

function bridge(): Listener {
  const l = fake.ipcOn.get(CHANNELS.bridge);
  if (l === undefined) throw new Error('no bridge listener');
  return l;
}

function bridgeReplies(): ServerMessage[] {
  return contents.sent.filter(([channel]) => channel === CHANNELS.bridge).map(([, m]) => m as ServerMessage);
}

beforeAll(async () => {
  userData = mkdtempSync(path.join(tmpdir(), 'dc-main-wiring-'));
  process.env['DEEPCORRECT_USER_DATA'] = userData;
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    logLines.push(String(chunk));
    return true;
  });
  await import('../../electron/main/index.ts');
  await settle();
  const window = fake.windows[0];
  if (window === undefined) throw new Error('no window was created');
  contents = window.contents as FakeContents;
});

afterAll(() => {
  vi.restoreAllMocks();
  delete process.env['DEEPCORRECT_USER_DATA'];
  rmSync(userData, { recursive: true, force: true });
});

describe('start-up', () => {
  it('registers the app scheme and forces the sandbox before waiting for ready', () => {
    const order = fake.calls;
    expect(order.indexOf('registerSchemesAsPrivileged')).toBeLessThan(order.indexOf('whenReady'));
    expect(order.indexOf('enableSandbox')).toBeLessThan(order.indexOf('whenReady'));
    expect(order).toContain('requestSingleInstanceLock');
    expect(fake.privileged).toEqual([{ scheme: 'app', privileges: APP_SCHEME_PRIVILEGES }]);
  });

  it('uses the profile folder given for automated runs', () => {
    expect(fake.userData).toBe(userData);
  });

  it('opens one window on the app:// entry page with the secure webPreferences', () => {
    expect(fake.windows).toHaveLength(1);
    const { options, loaded }: { options: Record<string, unknown>; loaded: string[] } = fake.windows[0] ?? {
      options: {},
      loaded: [],
    };
    expect(loaded).toEqual([APP_ENTRY_URL]);
    expect(options['title']).toBe('DeepCorrect Workbench');
    expect(options['show']).toBe(false);
    expect(options['webPreferences']).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: true,
    });
    expect(String((options['webPreferences'] as { preload: string }).preload)).toMatch(
      /[/\\]preload[/\\]index\.cjs$/,
    );
  });

  it('starts the engine host in a utility process, in desktop mode', () => {
    const host = fake.hosts[0] as {
      entry: string;
      options: { serviceName: string; env: Record<string, string> };
    };
    expect(host.entry).toMatch(/[/\\]host[/\\]index\.mjs$/);
    expect(host.options.serviceName).toBe('DeepCorrect engine');
    expect(host.options.env['DEEPCORRECT_MODE']).toBe('desktop');
  });
});

describe('the session', () => {
  it('refuses every permission request and check', () => {
    const callback = vi.fn();
    fake.permissionRequest?.(contents, 'media', callback);
    expect(callback).toHaveBeenCalledWith(false);
    expect(fake.permissionCheck?.(contents, 'notifications')).toBe(false);
  });

  it('cancels remote requests and lets the app through', () => {
    const cancelled = (url: string): unknown => {
      let result: unknown;
      fake.beforeRequest?.({ url }, (r: { cancel: boolean }) => (result = r.cancel));
      return result;
    };
    expect(cancelled('https://example.com/x.js')).toBe(true);
    expect(cancelled('file:///etc/passwd')).toBe(true);
    expect(cancelled('app://workbench/assets/a.js')).toBe(false);
  });

  it("replaces any CSP on the app's responses with the app's own", () => {
    let headers: Record<string, string[]> | undefined;
    fake.headersReceived?.(
      { url: APP_ENTRY_URL, responseHeaders: { 'content-security-policy': ['default-src *'], 'X-A': ['1'] } },
      (r: { responseHeaders?: Record<string, string[]> }) => (headers = r.responseHeaders),
    );
    expect(headers).toEqual({ 'X-A': ['1'], 'Content-Security-Policy': [contentSecurityPolicy()] });
  });

  it('serves app:// with the security headers, and refuses what is not in the renderer folder', async () => {
    const handler = fake.protocolHandlers.get('app');
    expect(handler).toBeDefined();
    const response = await handler?.(new Request('app://workbench/%2e%2e/package.json'));
    expect(response?.status).toBe(404);
    expect(response?.headers.get('content-security-policy')).toBe(contentSecurityPolicy());
    expect(response?.headers.get('x-content-type-options')).toBe('nosniff');
    const post = await handler?.(new Request(APP_ENTRY_URL, { method: 'POST', body: 'x' }));
    expect(post?.status).toBe(405);
  });
});

describe('every webContents', () => {
  it('blocks navigation and redirects away from the app', () => {
    for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      const away = { url: 'https://example.com/', preventDefault: vi.fn() };
      contents.emit(event, away);
      expect(away.preventDefault, event).toHaveBeenCalled();
      const within = { url: 'app://workbench/index.html#/models', preventDefault: vi.fn() };
      contents.emit(event, within);
      expect(within.preventDefault, event).not.toHaveBeenCalled();
    }
  });

  it('refuses webviews', () => {
    const attach = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', attach);
    expect(attach.preventDefault).toHaveBeenCalled();
  });

  it('denies every new window, and asks before an http(s) link goes to the system browser', async () => {
    const shown = fake.messageBoxes.length;
    fake.messageBoxResponse = 0;
    expect(contents.openHandler?.({ url: 'https://github.com/' })).toEqual({ action: 'deny' });
    await settle();
    // The question is modal to the page's window, names the address, and Cancel (the answer here) opens nothing.
    expect(fake.messageBoxes).toHaveLength(shown + 1);
    const box = fake.messageBoxes[shown];
    expect(box?.window).toBe(fake.windows[0]?.window);
    expect(box?.options).toMatchObject({ defaultId: 0, cancelId: 0, buttons: ['Cancel', 'Open in Browser'] });
    expect(String(box?.options['detail'])).toContain('https://github.com/');
    expect(fake.external).toEqual([]);

    fake.messageBoxResponse = 1;
    contents.openHandler?.({ url: 'https://github.com/' });
    await settle();
    expect(fake.external).toEqual(['https://github.com/']);
    fake.messageBoxResponse = 0;
  });

  it('refuses other links without asking, and never stacks a second question on an open one', async () => {
    const shown = fake.messageBoxes.length;
    const opened = fake.external.length;
    expect(contents.openHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: 'smb://host/share' })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: 'https://user:pw@example.com/' })).toEqual({ action: 'deny' });
    await settle();
    expect(fake.messageBoxes).toHaveLength(shown);

    fake.holdMessageBoxes = true;
    contents.openHandler?.({ url: 'https://example.com/first' });
    contents.openHandler?.({ url: 'https://example.com/second' });
    await settle();
    expect(fake.messageBoxes).toHaveLength(shown + 1);
    fake.messageBoxes[shown]?.answer(1);
    fake.holdMessageBoxes = false;
    await settle();
    expect(fake.external.slice(opened)).toEqual(['https://example.com/first']);
  });
});

describe('bridge IPC', () => {
  const request = (id: number, name: string, input: unknown) => ({ kind: 'request', id, name, input });

  it('passes requests from the main frame of the app to the engine and replies to the window', async () => {
    bridge()(ipcEvent(contents.mainFrame), request(1, 'engine.info', {}));
    await settle();
    expect(bridgeReplies()).toContainEqual({
      kind: 'reply',
      id: 1,
      ok: true,
      output: { echo: 'engine.info', input: {} },
    });
  });

  it.each([
    ['a subframe', { url: APP_ENTRY_URL, parent: { url: APP_ENTRY_URL, parent: null } }, undefined],
    ['a foreign page', { url: 'https://example.com/', parent: null }, undefined],
    ['a destroyed frame', null, undefined],
    ['another webContents', { url: APP_ENTRY_URL, parent: null }, { id: 999 }],
  ])('refuses and logs messages from %s', async (_what, frame, sender) => {
    const before = contents.sent.length;
    const hostMessages = (fake.hosts[0] as FakeHost).received.length;
    bridge()(ipcEvent(frame, sender), request(2, 'engine.info', {}));
    await settle();
    expect(contents.sent.length).toBe(before);
    expect((fake.hosts[0] as FakeHost).received.length).toBe(hostMessages);
    expect(logLines.join('')).toContain('bridge message refused');
  });

  it('lets the gate refuse malformed and unknown requests without reaching the engine', async () => {
    bridge()(ipcEvent(contents.mainFrame), { kind: 'job', id: 3 });
    bridge()(ipcEvent(contents.mainFrame), request(4, 'fs.readFile', { path: '/etc/passwd' }));
    await settle();
    const codes = bridgeReplies()
      .filter((m) => m.kind === 'reply' && !m.ok)
      .map((m) => (m.kind === 'reply' && !m.ok ? m.error.code : ''));
    expect(codes).toEqual(expect.arrayContaining(['invalid-message', 'unknown-request']));
  });

  it('refuses a path the user did not choose, and accepts it once picked', async () => {
    bridge()(ipcEvent(contents.mainFrame), request(5, 'dataset.open', { path: '/data/chosen' }));
    await settle();
    const refused = bridgeReplies().find((m) => m.kind === 'reply' && m.id === 5);
    expect(refused).toMatchObject({ ok: false, error: { code: 'not-allowed' } });

    const pick = fake.ipcHandle.get(CHANNELS.pick);
    await expect(pick?.(ipcEvent(contents.mainFrame), 'dataset-folder')).resolves.toBe('/data/chosen');

    bridge()(ipcEvent(contents.mainFrame), request(6, 'dataset.open', { path: '/data/chosen' }));
    await settle();
    expect(bridgeReplies().find((m) => m.kind === 'reply' && m.id === 6)).toMatchObject({ ok: true });
  });
});

describe('pickers', () => {
  const pick = (event: unknown, kind: unknown): unknown => fake.ipcHandle.get(CHANNELS.pick)?.(event, kind);

  it('refuse unknown kinds and foreign senders', async () => {
    await expect(pick(ipcEvent(contents.mainFrame), 'home-folder')).rejects.toThrow();
    await expect(
      pick(ipcEvent({ url: 'https://example.com/', parent: null }), 'dataset-file'),
    ).rejects.toThrow();
  });

  it('return undefined when the user cancels', async () => {
    fake.openDialogResult = { canceled: true, filePaths: [] };
    await expect(pick(ipcEvent(contents.mainFrame), 'output-folder')).resolves.toBeUndefined();
  });
});

describe('the menu', () => {
  it('asks the page to open its dataset picker', () => {
    const menus = fake.menuTemplate as {
      label?: string;
      submenu?: { label?: string; click?: () => void }[];
    }[];
    const file = menus.find((m) => m.label === '&File');
    file?.submenu?.find((i) => i.label === 'Open Dataset…')?.click?.();
    expect(contents.sent).toContainEqual([CHANNELS.menu, 'open-dataset']);
  });
});

describe('the engine host', () => {
  it('is started again after a crash, and the app lives on', async () => {
    const first = fake.hosts[0] as FakeHost;
    first.emit('exit', 134);
    await settle();
    expect(fake.hosts).toHaveLength(2);
    expect(fake.calls).not.toContain('quit');
    bridge()(ipcEvent(contents.mainFrame), { kind: 'request', id: 7, name: 'engine.info', input: {} });
    await settle();
    expect((fake.hosts[1] as FakeHost).received).toContainEqual(
      expect.objectContaining({ kind: 'request', name: 'engine.info' }),
    );
  });

  it('is shut down before the app quits', async () => {
    const event = { preventDefault: vi.fn() };
    appEvent('will-quit')(event);
    expect(event.preventDefault).toHaveBeenCalled();
    await settle();
    expect((fake.hosts[1] as FakeHost).received).toContainEqual({ kind: 'shutdown' });
    expect(fake.calls).toContain('quit');
  });
});
