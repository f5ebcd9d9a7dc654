/**
 * Picks the bridge transport: the Electron preload's `window.deepcorrect` in the desktop app, otherwise a
 * WebSocket to the `deepcorrect serve` that served this page. The one place that touches the DOM's WebSocket.
 */
import {
  BridgeClient,
  type BridgeCapabilities,
  type BridgeTransport,
} from '../../../shared/bridge/client.ts';
import { BridgeError, type ClientMessage, type ServerMessage } from '../../../shared/bridge/protocol.ts';
import { CONNECTION_LOST, MISSING_TOKEN } from './errors.ts';
import { bridgeUrl, pageToken } from './url.ts';
import { WebSocketTransport } from './websocket.ts';

/** A transport that cannot reach the engine; every request fails with the reason. */
class UnreachableTransport implements BridgeTransport {
  readonly capabilities: BridgeCapabilities = { mode: 'browser', dialogs: false };
  constructor(private readonly reason: string) {}
  send(_message: ClientMessage): void {
    throw new Error(this.reason);
  }
  onMessage(_listener: (message: ServerMessage) => void): () => void {
    return () => {};
  }
}

/** The bridge client; `onLost` is told, once, when the engine cannot be reached any more. */
export function connectBridge(onLost: (message: string) => void): BridgeClient {
  const preload = window.deepcorrect;
  if (preload !== undefined) return new BridgeClient(preload);

  const token = pageToken(location.search);
  if (token === undefined) {
    queueMicrotask(() => onLost(MISSING_TOKEN));
    return new BridgeClient(new UnreachableTransport(MISSING_TOKEN));
  }
  const socket = new WebSocket(bridgeUrl(location, token));
  const transport = new WebSocketTransport(socket, (error) => {
    console.error('deepcorrect: dropped an undecodable frame from the engine', error);
  });
  const client = new BridgeClient(transport);
  transport.onClose(() => {
    client.failAll(new BridgeError('transport', CONNECTION_LOST));
    onLost(CONNECTION_LOST);
  });
  return client;
}
