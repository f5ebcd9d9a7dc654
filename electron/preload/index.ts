/**
 * The preload of the app's window. Built as CommonJS (sandboxed preloads cannot be ES modules) and run in
 * the isolated world: the page gets exactly `window.deepcorrect`, a BridgeTransport of plain functions, and
 * never ipcRenderer, the IPC event objects or anything from Node.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { BridgeTransport } from '../../shared/bridge/client.ts';
import type { ClientMessage, ServerMessage } from '../../shared/bridge/protocol.ts';
import { CHANNELS, isMenuCommand, MENU_EVENT } from '../main/channels.ts';
import { isPickKind, type PickKind } from '../main/pick.ts';

function isRequest(message: unknown): message is ClientMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    !Array.isArray(message) &&
    (message as { kind?: unknown }).kind === 'request'
  );
}

const transport: BridgeTransport = {
  capabilities: Object.freeze({ mode: 'desktop' as const, dialogs: true }),

  send(message: ClientMessage): void {
    // The main process validates everything again; this only stops obvious misuse at the source.
    if (!isRequest(message)) throw new TypeError("deepcorrect.send expects a message of kind 'request'");
    ipcRenderer.send(CHANNELS.bridge, message);
  },

  onMessage(listener: (message: ServerMessage) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('deepcorrect.onMessage expects a function');
    // The IPC event is dropped: it carries `sender` (the ipcRenderer itself), which must not reach the page.
    const forward = (_event: IpcRendererEvent, message: ServerMessage): void => listener(message);
    ipcRenderer.on(CHANNELS.bridge, forward);
    return () => {
      ipcRenderer.removeListener(CHANNELS.bridge, forward);
    };
  },

  async pickPath(kind: PickKind): Promise<string | undefined> {
    if (!isPickKind(kind)) throw new TypeError(`deepcorrect.pickPath: unknown kind ${JSON.stringify(kind)}`);
    const chosen: unknown = await ipcRenderer.invoke(CHANNELS.pick, kind);
    return typeof chosen === 'string' ? chosen : undefined;
  },
};

contextBridge.exposeInMainWorld('deepcorrect', transport);

/** The page's window as far as this file needs it (the node-side tsconfig has no DOM types). */
interface PageWindow {
  dispatchEvent(event: Event): boolean;
}

// Menu commands (File > Open Dataset…) reach the page as a DOM event with a string detail, so the API
// above stays exactly the BridgeTransport: `window.addEventListener('deepcorrect:menu', e => e.detail)`.
ipcRenderer.on(CHANNELS.menu, (_event: IpcRendererEvent, command: unknown) => {
  if (!isMenuCommand(command)) return;
  (globalThis as unknown as PageWindow).dispatchEvent(new CustomEvent(MENU_EVENT, { detail: command }));
});
