// The preload (electron/preload/index.ts) against a fake 'electron' module: what the page gets is exactly a
// BridgeTransport, requests are checked before they are sent, and no IPC object reaches the page.
import { EventEmitter } from 'node:events';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BridgeTransport } from '../../shared/bridge/client.ts';
import type { ClientMessage, ServerMessage } from '../../shared/bridge/protocol.ts';
import { CHANNELS, MENU_EVENT } from '../../electron/main/channels.ts';

// What the fake 'electron' module records. vi.mock factories are hoisted above the imports, so the state
// they share with the tests comes from vi.hoisted; the emitter standing in for ipcRenderer is made there.
const fake = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  send: vi.fn<(channel: string, message: unknown) => void>(),
  invoke: vi.fn<(channel: string, ...args: unknown[]) => Promise<unknown>>(),
  dispatched: [] as { type: string; detail: unknown }[],
  ipc: undefined as EventEmitter | undefined,
}));

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  const emitter = new Emitter();
  fake.ipc = emitter;
  return {
    contextBridge: {
      exposeInMainWorld: (key: string, api: unknown) => fake.exposed.set(key, api),
    },
    ipcRenderer: {
      send: fake.send,
      invoke: fake.invoke,
      on: (channel: string, listener: (...args: unknown[]) => void) => emitter.on(channel, listener),
      removeListener: (channel: string, listener: (...args: unknown[]) => void) =>
        emitter.removeListener(channel, listener),
    },
  };
});

let api: BridgeTransport;
let ipc: EventEmitter;

beforeAll(async () => {
  vi.stubGlobal('dispatchEvent', (event: CustomEvent) => {
    fake.dispatched.push({ type: event.type, detail: event.detail });
    return true;
  });
  await import('../../electron/preload/index.ts');
  api = fake.exposed.get('deepcorrect') as BridgeTransport;
  if (fake.ipc === undefined) throw new Error('the electron mock was not used');
  ipc = fake.ipc;
});

beforeEach(() => {
  fake.send.mockClear();
  fake.invoke.mockReset();
  fake.dispatched.length = 0;
});

const request: ClientMessage = { kind: 'request', id: 1, name: 'engine.info', input: {} };

describe('the exposed API', () => {
  it('is one object, window.deepcorrect, with exactly the BridgeTransport members', () => {
    expect([...fake.exposed.keys()]).toEqual(['deepcorrect']);
    expect(Object.keys(api).sort()).toEqual(['capabilities', 'onMessage', 'pickPath', 'send']);
    expect(api.capabilities).toEqual({ mode: 'desktop', dialogs: true });
    expect(Object.isFrozen(api.capabilities)).toBe(true);
  });

  it('holds only plain data and functions (nothing from ipcRenderer or Node)', () => {
    for (const value of Object.values(api)) expect(['function', 'object']).toContain(typeof value);
    expect(Object.values(api)).not.toContain(ipc);
  });
});

describe('send', () => {
  it('sends requests on the bridge channel', () => {
    api.send(request);
    expect(fake.send).toHaveBeenCalledWith(CHANNELS.bridge, request);
  });

  it.each([null, undefined, 'request', 42, [], { kind: 'reply' }, { id: 1 }])(
    'throws for %j and sends nothing',
    (bad) => {
      expect(() => api.send(bad as unknown as ClientMessage)).toThrow(TypeError);
      expect(fake.send).not.toHaveBeenCalled();
    },
  );
});

describe('onMessage', () => {
  it('hands the page the message only, never the IPC event', () => {
    const received: unknown[][] = [];
    const stop = api.onMessage((...args: unknown[]) => received.push(args));
    const message: ServerMessage = { kind: 'reply', id: 1, ok: true, output: { x: 1 } };
    const ipcEvent = { sender: ipc, senderId: 0 };
    ipc.emit(CHANNELS.bridge, ipcEvent, message);
    expect(received).toEqual([[message]]);
    stop();
  });

  it('returns an unsubscribe function that removes exactly that listener', () => {
    const a = vi.fn();
    const b = vi.fn();
    const stopA = api.onMessage(a);
    const stopB = api.onMessage(b);
    stopA();
    ipc.emit(CHANNELS.bridge, {}, { kind: 'job', job: {} });
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledTimes(1);
    stopB();
    expect(ipc.listenerCount(CHANNELS.bridge)).toBe(0);
  });

  it('refuses a listener that is not a function', () => {
    expect(() => api.onMessage('x' as unknown as () => void)).toThrow(TypeError);
  });
});

describe('pickPath', () => {
  it('asks main for a known kind and returns the chosen path', async () => {
    fake.invoke.mockResolvedValue('/data/mnist');
    await expect(api.pickPath?.('dataset-folder')).resolves.toBe('/data/mnist');
    expect(fake.invoke).toHaveBeenCalledWith(CHANNELS.pick, 'dataset-folder');
  });

  it('returns undefined when the user cancels (or main answers anything but a string)', async () => {
    fake.invoke.mockResolvedValue(undefined);
    await expect(api.pickPath?.('output-folder')).resolves.toBeUndefined();
    fake.invoke.mockResolvedValue({ path: '/x' });
    await expect(api.pickPath?.('dataset-file')).resolves.toBeUndefined();
  });

  it('rejects an unknown kind without asking main', async () => {
    await expect(api.pickPath?.('home-folder' as 'dataset-file')).rejects.toThrow(TypeError);
    expect(fake.invoke).not.toHaveBeenCalled();
  });
});

describe('menu commands', () => {
  it('become a DOM event on window for known commands only', () => {
    ipc.emit(CHANNELS.menu, {}, 'open-dataset');
    ipc.emit(CHANNELS.menu, {}, 'format-disk');
    ipc.emit(CHANNELS.menu, {}, { command: 'open-dataset' });
    expect(fake.dispatched).toEqual([{ type: MENU_EVENT, detail: 'open-dataset' }]);
  });
});
