/**
 * The browser-mode transport: the bridge's messages over a WebSocket to `deepcorrect serve`, each frame
 * encoded by shared/bridge/codec.ts (JSON structure plus raw byte blobs) in both directions. Messages sent
 * before the socket opens are queued and flushed on open. No DOM types here: the socket is any object shaped
 * like a WebSocket, so the framing and queueing are tested against a fake under Node.
 */
import type { BridgeCapabilities, BridgeTransport } from '../../../shared/bridge/client.ts';
import { decodeFrame, encodeFrame } from '../../../shared/bridge/codec.ts';
import type { ClientMessage, ServerMessage } from '../../../shared/bridge/protocol.ts';

// Handler properties typed as methods are compared bivariantly, so a real WebSocket (whose handlers take
// MessageEvent and CloseEvent) is assignable to this interface, while the code here only relies on the
// fields named below.
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The part of the WebSocket API this transport uses. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
}

/** WebSocket.OPEN, spelled out so this module needs no DOM. */
const OPEN = 1;

export interface CloseInfo {
  code: number;
  reason: string;
  /** Whether the socket had opened before it closed (never opening means the server was not there). */
  wasOpen: boolean;
}

export class WebSocketTransport implements BridgeTransport {
  readonly capabilities: BridgeCapabilities = { mode: 'browser', dialogs: false };
  private readonly queue: Uint8Array[] = [];
  private readonly listeners = new Set<(message: ServerMessage) => void>();
  private readonly closeListeners = new Set<(info: CloseInfo) => void>();
  private opened = false;
  private closed = false;

  constructor(
    private readonly socket: WebSocketLike,
    /** Told about frames that cannot be decoded (a server bug; nothing the user can act on). */
    private readonly onBadFrame: (error: unknown) => void = () => {},
  ) {
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => this.handleOpen();
    socket.onmessage = (event) => this.handleMessage(event.data);
    socket.onclose = (event) => this.handleClose(event.code, event.reason);
    // An error is always followed by a close event, which is where the failure is handled.
    socket.onerror = () => {};
    if (socket.readyState === OPEN) this.handleOpen();
  }

  /** Whether the socket is open now. */
  get connected(): boolean {
    return this.opened && !this.closed;
  }

  send(message: ClientMessage): void {
    if (this.closed) throw new Error('the connection to the engine is closed');
    const frame = encodeFrame(message);
    if (this.opened) this.socket.send(frame);
    else this.queue.push(frame);
  }

  onMessage(listener: (message: ServerMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onClose(listener: (info: CloseInfo) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): void {
    this.socket.close();
  }

  private handleOpen(): void {
    if (this.opened || this.closed) return;
    this.opened = true;
    for (const frame of this.queue.splice(0)) this.socket.send(frame);
  }

  private handleMessage(data: unknown): void {
    let message: unknown;
    try {
      if (!(data instanceof ArrayBuffer)) throw new Error('expected a binary frame');
      message = decodeFrame(new Uint8Array(data));
    } catch (error) {
      this.onBadFrame(error);
      return;
    }
    if (!isServerMessage(message)) {
      this.onBadFrame(new Error('a frame that is neither a reply nor a job event'));
      return;
    }
    for (const l of this.listeners) l(message);
  }

  private handleClose(code: number, reason: string): void {
    if (this.closed) return;
    const wasOpen = this.opened;
    this.closed = true;
    this.queue.length = 0;
    for (const l of this.closeListeners) l({ code, reason, wasOpen });
  }
}

/** Checks the envelope only; the payloads are the engine's, typed by the contract. */
function isServerMessage(value: unknown): value is ServerMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  if (m['kind'] === 'job') return typeof m['job'] === 'object' && m['job'] !== null;
  if (m['kind'] === 'progress')
    return typeof m['jobId'] === 'string' && typeof m['progress'] === 'object' && m['progress'] !== null;
  return m['kind'] === 'reply' && typeof m['id'] === 'number' && typeof m['ok'] === 'boolean';
}
