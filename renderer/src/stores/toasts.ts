/** Messages for the user: errors that say what to do next, and the odd notice. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { BridgeError } from '../../../shared/bridge/protocol.ts';
import { describeError, isCancel } from '../bridge/errors.ts';

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  text: string;
  /** Stays until the page reloads (the connection is gone) rather than fading or being dismissed. */
  persistent: boolean;
}

const LIFETIME_MS = { error: 15_000, info: 5_000 } as const;
/** Most toasts on screen; older transient ones make way. */
const MAX_TOASTS = 5;

export const useToasts = defineStore('toasts', () => {
  const toasts = ref<Toast[]>([]);
  /** Set once the engine cannot be reached: requests failing for that reason need no toast of their own. */
  const connectionLost = ref(false);
  let nextId = 1;
  const timers = new Map<number, ReturnType<typeof setTimeout>>();

  function dismiss(id: number): void {
    clearTimeout(timers.get(id));
    timers.delete(id);
    toasts.value = toasts.value.filter((t) => t.id !== id);
  }

  function show(text: string, kind: Toast['kind'] = 'info', persistent = false): void {
    // The same message twice (ten thumbnails failing alike) is one toast, kept on screen a while longer.
    const same = toasts.value.find((t) => t.text === text);
    if (same !== undefined) {
      if (!same.persistent) schedule(same);
      return;
    }
    const toast: Toast = { id: nextId++, kind, text, persistent };
    toasts.value = [...toasts.value, toast];
    if (!persistent) schedule(toast);
    while (toasts.value.length > MAX_TOASTS) {
      const oldest = toasts.value.find((t) => !t.persistent);
      if (oldest === undefined) break;
      dismiss(oldest.id);
    }
  }

  function schedule(toast: Toast): void {
    clearTimeout(timers.get(toast.id));
    timers.set(
      toast.id,
      setTimeout(() => dismiss(toast.id), LIFETIME_MS[toast.kind]),
    );
  }

  /** Shows what went wrong and what to do; `doing` names the attempt ("Opening the dataset"). */
  function error(err: unknown, doing?: string): void {
    if (isCancel(err)) return;
    if (connectionLost.value && err instanceof BridgeError && err.code === 'transport') return;
    show(describeError(err, doing), 'error');
  }

  /** The engine is gone for good (browser mode lost its socket): one toast that stays. */
  function lost(message: string): void {
    connectionLost.value = true;
    show(message, 'error', true);
  }

  return { toasts, connectionLost, show, error, lost, dismiss };
});
