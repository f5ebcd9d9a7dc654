/**
 * The models open in the engine this session (the demo model, imported folders, models trained or corrected
 * here), each under the engine's id; one of them is selected for the views that work on "the model".
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { RequestOutput } from '../../../shared/bridge/contract.ts';
import { useBridge } from '../bridge/inject.ts';
import { useToasts } from './toasts.ts';

export type OpenModel = RequestOutput<'models.open'>;

export const useModels = defineStore('models', () => {
  const client = useBridge();
  const toasts = useToasts();
  /** Oldest first. */
  const list = ref<OpenModel[]>([]);
  const selectedId = ref<string | null>(null);
  const opening = ref(false);

  const selected = computed(() => list.value.find((m) => m.modelId === selectedId.value) ?? null);

  function byId(modelId: string): OpenModel | undefined {
    return list.value.find((m) => m.modelId === modelId);
  }

  /** A short name for lists and legends: the arch and the folder's name. */
  function label(model: OpenModel): string {
    const folder =
      model.path
        .split(/[\\/]/)
        .filter((p) => p !== '')
        .at(-1) ?? model.path;
    return `${folder} (${model.metadata.arch})`;
  }

  /**
   * Opens a model folder (the demo model without a path) and selects it. The engine is always asked: it
   * answers a folder it has open, unchanged, with the same id, and it closes the least recently used model
   * past a few, so an id this list holds may need opening again (the engine then gives it back). Undefined
   * when the engine refused it (the toast says why).
   */
  async function open(path?: string, select = true): Promise<OpenModel | undefined> {
    opening.value = true;
    try {
      const opened = await client.request('models.open', path === undefined ? {} : { path });
      const known = list.value.some((m) => m.modelId === opened.modelId);
      // A folder opened again after it changed on disk comes back under a new id, listed beside the old one,
      // which the results computed with it still name.
      if (!known) list.value = [...list.value, opened];
      if (select) selectedId.value = opened.modelId;
      return opened;
    } catch (error) {
      toasts.error(error, path === undefined ? 'Opening the demo model' : `Opening the model ${path}`);
      return undefined;
    } finally {
      opening.value = false;
    }
  }

  /** Desktop only: the native folder dialog, then open what the user chose. */
  async function pickAndOpen(): Promise<OpenModel | undefined> {
    if (client.transport.pickPath === undefined) return undefined;
    try {
      const chosen = await client.transport.pickPath('model-folder');
      return chosen === undefined ? undefined : await open(chosen);
    } catch (error) {
      toasts.error(error, 'Opening the folder dialog');
      return undefined;
    }
  }

  /**
   * Lists the models the engine already has open (after a page reload they are still there, under the same
   * ids, and their rankings and evaluations in the job list still refer to them).
   */
  async function start(): Promise<void> {
    try {
      const { models } = await client.request('models.list', {});
      const known = new Set(list.value.map((m) => m.modelId));
      list.value = [...list.value, ...models.filter((m) => !known.has(m.modelId))];
      if (selectedId.value === null && list.value.length > 0)
        selectedId.value = list.value[0]?.modelId ?? null;
    } catch (error) {
      toasts.error(error, 'Listing the engine’s open models');
    }
  }

  function select(modelId: string): void {
    if (byId(modelId) !== undefined) selectedId.value = modelId;
  }

  return { list, selected, selectedId, opening, byId, label, open, pickAndOpen, select, start };
});
