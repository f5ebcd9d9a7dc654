/**
 * The IPC entry points of the main process: bridge messages into the gate, job events out, and the native
 * pickers. Every message is first checked to come from the top frame of the app's window showing an app://
 * page; anything else is refused and logged. The gate then validates the message itself.
 */
import { dialog, ipcMain, type BrowserWindow, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import type { ServerMessage } from '../../shared/bridge/protocol.ts';
import type { BridgeGate } from '../gateway/gate.ts';
import type { PathPolicy } from '../gateway/paths.ts';
import { CHANNELS, type MenuCommand } from './channels.ts';
import type { Log } from './log.ts';
import { isPickKind, pickDialogOptions, pickGrant } from './pick.ts';
import { senderAllowed } from './security.ts';

export interface IpcDeps {
  gate: BridgeGate;
  paths: PathPolicy;
  /** The app's window, if open (it can be closed and re-created on macOS). */
  window(): BrowserWindow | undefined;
  log: Log;
}

/** Whether an IPC event comes from the main frame of our window, showing one of the app's pages. */
function fromAppWindow(event: IpcMainEvent | IpcMainInvokeEvent, window: BrowserWindow | undefined): boolean {
  if (window === undefined || window.isDestroyed()) return false;
  if (event.sender.id !== window.webContents.id) return false;
  const frame = event.senderFrame;
  if (frame === null) return false;
  return senderAllowed(frame.url, frame.parent === null);
}

function describeSender(event: IpcMainEvent | IpcMainInvokeEvent): string {
  const url = event.senderFrame?.url ?? '(frame gone)';
  return `webContents ${event.sender.id}, frame ${url}`;
}

function sendTo(window: BrowserWindow | undefined, channel: string, message: unknown): void {
  if (window === undefined || window.isDestroyed() || window.webContents.isDestroyed()) return;
  window.webContents.send(channel, message);
}

/** Registers the handlers; returns a function that removes them. */
export function wireIpc(deps: IpcDeps): () => void {
  const { gate, paths, log } = deps;

  const onBridge = (event: IpcMainEvent, raw: unknown): void => {
    const window = deps.window();
    if (!fromAppWindow(event, window)) {
      log(`bridge message refused from ${describeSender(event)}`);
      return;
    }
    gate.handle(raw, (message: ServerMessage) => sendTo(window, CHANNELS.bridge, message));
  };
  ipcMain.on(CHANNELS.bridge, onBridge);

  const stopBroadcast = gate.onBroadcast((message) => sendTo(deps.window(), CHANNELS.bridge, message));

  ipcMain.handle(CHANNELS.pick, async (event, kind: unknown): Promise<string | undefined> => {
    const window = deps.window();
    if (window === undefined || !fromAppWindow(event, window)) {
      log(`picker refused from ${describeSender(event)}`);
      throw new Error('not allowed');
    }
    if (!isPickKind(kind)) {
      log(`picker refused: unknown kind ${JSON.stringify(kind)?.slice(0, 80)}`);
      throw new Error('unknown picker kind');
    }
    const result = await dialog.showOpenDialog(window, pickDialogOptions(kind));
    const chosen = result.canceled ? undefined : result.filePaths[0];
    if (chosen === undefined) return undefined;
    // The user chose it: from now on requests may name it (and, for a folder, what lies inside), for what
    // the dialog was for: an output folder is written to, a dataset or model opened only read.
    const access = pickGrant(kind);
    if (access === 'write') paths.allow(chosen);
    else paths.allowRead(chosen);
    log(`allowed by the user (${kind}, ${access === 'write' ? 'read and write' : 'read only'}): ${chosen}`);
    return chosen;
  });

  return () => {
    ipcMain.removeListener(CHANNELS.bridge, onBridge);
    ipcMain.removeHandler(CHANNELS.pick);
    stopBroadcast();
  };
}

/** Announces a menu command to the page (the preload turns it into a DOM event). */
export function sendMenuCommand(window: BrowserWindow | undefined, command: MenuCommand): void {
  sendTo(window, CHANNELS.menu, command);
}
