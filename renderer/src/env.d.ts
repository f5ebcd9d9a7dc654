import type { BridgeTransport } from '../../shared/bridge/client.ts';

declare global {
  interface Window {
    /** The Electron preload's bridge; absent in browser mode, where the page talks to `deepcorrect serve`. */
    deepcorrect?: BridgeTransport;
  }
}
