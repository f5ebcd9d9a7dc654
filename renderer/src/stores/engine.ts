/** What the engine runs on (backend, device, version), for the status bar and reports. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { RequestOutput } from '../../../shared/bridge/contract.ts';
import { useBridge } from '../bridge/inject.ts';
import { useToasts } from './toasts.ts';

export type EngineInfo = RequestOutput<'engine.info'>;

export const useEngine = defineStore('engine', () => {
  const client = useBridge();
  const toasts = useToasts();
  const info = ref<EngineInfo | null>(null);
  const capabilities = client.capabilities;

  async function load(): Promise<void> {
    try {
      info.value = await client.request('engine.info', {});
    } catch (error) {
      toasts.error(error, 'Asking the engine which backend it runs on');
    }
  }

  return { info, capabilities, load };
});
