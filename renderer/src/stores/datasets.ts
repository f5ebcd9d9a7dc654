/**
 * The open dataset: its summary, the split and class being browsed, the selected image, and the thumbnail
 * loader (with its cache) for the grid. One dataset is open at a time; opening another replaces it.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { RequestOutput } from '../../../shared/bridge/contract.ts';
import type { SplitName } from '../../../shared/datasets.ts';
import { useBridge } from '../bridge/inject.ts';
import { LruCache } from '../lib/lru.ts';
import type { RgbaImage } from '../lib/pixels.ts';
import { ThumbLoader, chunkSizeFor } from '../lib/thumb-loader.ts';
import { useToasts } from './toasts.ts';

export type DatasetSummary = RequestOutput<'dataset.open'>['summary'];

/** The bridge allows 512 indices a request; a chunk of 256 keeps each reply well under a frame's worth. */
const MAX_CHUNK = 256;
/** Thumbnails kept: a few thousand images, and never more than this many bytes of RGBA. */
const CACHE_ENTRIES = 4000;
const CACHE_BYTES = 48 * 1024 * 1024;
/** Thumbnails are drawn at 64 CSS pixels; twice that is sharp on a high-density screen. */
const THUMB_MAX_SIDE = 128;

export const useDatasets = defineStore('datasets', () => {
  const client = useBridge();
  const toasts = useToasts();

  const datasetId = ref<string | null>(null);
  const summary = ref<DatasetSummary | null>(null);
  const split = ref<SplitName>('train');
  /** The class the grid is filtered to, or null for all. */
  const classFilter = ref<number | null>(null);
  /** The indices of the filtered class, in index order; null when showing the whole split. */
  const filtered = shallowRef<readonly number[] | null>(null);
  /** Position of the selected image in the grid (not its index in the split). */
  const selected = ref<number | null>(null);
  const opening = ref(false);
  /** Rebuilt whenever the dataset or split changes, so no reply for the old one lands in the new cache. */
  const loader = shallowRef<ThumbLoader | null>(null);
  const classIndexCache = new Map<string, readonly number[]>();
  let filterRequest = 0;

  const splitSummary = computed(() => summary.value?.splits.find((s) => s.name === split.value));
  const count = computed(() => filtered.value?.length ?? splitSummary.value?.count ?? 0);
  const selectedIndex = computed(() => (selected.value === null ? null : indexAt(selected.value)));

  /** The index in the split of the image at a grid position. */
  function indexAt(position: number): number | null {
    if (position < 0 || position >= count.value) return null;
    return filtered.value === null ? position : (filtered.value[position] ?? null);
  }

  function rebuildLoader(): void {
    loader.value?.dispose();
    const id = datasetId.value;
    const s = summary.value;
    if (id === null || s === null) {
      loader.value = null;
      return;
    }
    const forSplit = split.value;
    loader.value = new ThumbLoader(
      (indices) => client.request('dataset.images', { datasetId: id, split: forSplit, indices }),
      {
        chunkSize: chunkSizeFor(s.width, s.height, s.channels, MAX_CHUNK),
        maxInFlight: 2,
        maxSide: THUMB_MAX_SIDE,
        cache: new LruCache<number, RgbaImage>(CACHE_ENTRIES, CACHE_BYTES),
        onError: (error) => toasts.error(error, 'Loading thumbnails'),
      },
    );
  }

  /** Opens a dataset (the bundled demo when no path is given); true when it opened. */
  async function open(path?: string): Promise<boolean> {
    opening.value = true;
    try {
      const reply = await client.request('dataset.open', path === undefined ? {} : { path });
      datasetId.value = reply.datasetId;
      summary.value = reply.summary;
      classIndexCache.clear();
      setSplitState(reply.summary.splits[0]?.name ?? 'train');
      return true;
    } catch (error) {
      toasts.error(error, path === undefined ? 'Opening the bundled demo dataset' : `Opening ${path}`);
      return false;
    } finally {
      opening.value = false;
    }
  }

  /** Desktop only: the native folder dialog, then open what the user chose (nothing if they cancel). */
  async function pickAndOpen(): Promise<void> {
    if (client.transport.pickPath === undefined) return;
    let chosen: string | undefined;
    try {
      chosen = await client.transport.pickPath('dataset-folder');
    } catch (error) {
      toasts.error(error, 'Opening the folder dialog');
      return;
    }
    if (chosen !== undefined) await open(chosen);
  }

  function setSplitState(name: SplitName): void {
    split.value = name;
    classFilter.value = null;
    filtered.value = null;
    filterRequest++;
    selected.value = count.value > 0 ? 0 : null;
    rebuildLoader();
  }

  function setSplit(name: SplitName): void {
    if (name !== split.value) setSplitState(name);
  }

  /** Filters the grid to one class (null: all classes); the newest choice wins if replies cross. */
  async function filterClass(classIndex: number | null): Promise<void> {
    const ticket = ++filterRequest;
    const id = datasetId.value;
    if (classIndex === null || id === null) {
      classFilter.value = null;
      filtered.value = null;
      selected.value = count.value > 0 ? 0 : null;
      return;
    }
    const key = `${split.value}/${classIndex}`;
    let indices = classIndexCache.get(key);
    if (indices === undefined) {
      try {
        indices = (
          await client.request('dataset.classIndices', { datasetId: id, split: split.value, classIndex })
        ).indices;
      } catch (error) {
        toasts.error(error, 'Filtering by class');
        return;
      }
      classIndexCache.set(key, indices);
    }
    if (ticket !== filterRequest) return;
    classFilter.value = classIndex;
    filtered.value = indices;
    selected.value = indices.length > 0 ? 0 : null;
  }

  function select(position: number | null): void {
    selected.value =
      position === null || count.value === 0 ? null : Math.min(Math.max(0, position), count.value - 1);
  }

  return {
    datasetId,
    summary,
    split,
    splitSummary,
    classFilter,
    filtered,
    count,
    selected,
    selectedIndex,
    opening,
    loader,
    open,
    pickAndOpen,
    setSplit,
    filterClass,
    select,
    indexAt,
  };
});
