/**
 * The bridge client is a service provided to the app (app.provide) rather than a module-level global, so
 * stores and components receive it by injection and a test or another host can provide a different one.
 */
import { inject, type InjectionKey } from 'vue';
import type { BridgeClient } from '../../../shared/bridge/client.ts';

export const BRIDGE: InjectionKey<BridgeClient> = Symbol('deepcorrect bridge');

export function useBridge(): BridgeClient {
  const client = inject(BRIDGE);
  if (client === undefined) throw new Error('the bridge client was not provided to the app');
  return client;
}
