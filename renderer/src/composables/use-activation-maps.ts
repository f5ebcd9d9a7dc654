/**
 * A layer's activation maps for the Inspector and the Ranking view's thumbnails: one inspect.activations
 * request returns every filter of the layer. Decoded replies are cached (LRU, by bytes) in one cache both views
 * share, so stepping through filters, or switching tabs, images or levels back and forth, asks the engine once.
 * Requests are latest-wins: one in flight, newer inputs replace queued ones, and an old reply never replaces a
 * newer one.
 */
import { computed, markRaw, ref, shallowRef, watch, type Ref } from 'vue';
import type { RequestInput, RequestOutput } from '../../../shared/bridge/contract.ts';
import type { Images } from '../../../shared/bridge/schemas.ts';
import { useBridge } from '../bridge/inject.ts';
import { decodeMaps, mapsBytes, type DecodedMaps } from '../lib/float-planes.ts';
import { LatestWins } from '../lib/latest.ts';
import { LruCache } from '../lib/lru.ts';
import { requestKey } from '../lib/request-key.ts';

export type MapsInput = RequestInput<'inspect.activations'>;

/** One reply, decoded once (typed arrays, never made reactive). */
export interface ActivationMaps extends DecodedMaps {
  /** The input's cache key. */
  key: string;
  input: MapsInput;
  reply: RequestOutput<'inspect.activations'>;
  /** The clean input image (dataset.images), when the view asked for it. */
  image: Images | undefined;
}

export interface MapsOptions {
  /** Also fetch the clean input image with the maps. */
  withImage?: boolean;
  /** Keep showing the last maps while the request is null or has failed (a form mid-edit), rather than none. */
  keepLast?: boolean;
}

const cache = new LruCache<string, ActivationMaps>(48, 96 * 1024 * 1024);

export function useActivationMaps(request: Ref<MapsInput | null>, options: MapsOptions = {}) {
  const client = useBridge();
  const maps = shallowRef<ActivationMaps | null>(null);
  const loading = ref(false);
  const error = shallowRef<unknown>(null);
  // A string, so that rebuilding an equal request (the views' requests are recomputed on every job progress
  // tick) changes nothing.
  const wanted = computed(() => (request.value === null ? null : requestKey(request.value)));

  function cached(key: string): ActivationMaps | undefined {
    const hit = cache.get(key);
    return hit !== undefined && (hit.image !== undefined || options.withImage !== true) ? hit : undefined;
  }

  async function fetchMaps(input: MapsInput): Promise<ActivationMaps> {
    const key = requestKey(input);
    // An input queued behind one in flight may have been answered meanwhile (asked again, or by the other view).
    const hit = cached(key);
    if (hit !== undefined) return hit;
    const { datasetId, split, index } = input;
    const [reply, image] = await Promise.all([
      client.request('inspect.activations', input),
      options.withImage === true
        ? client.request('dataset.images', { datasetId, split, indices: [index] })
        : undefined,
    ]);
    const decoded: ActivationMaps = markRaw({
      ...decodeMaps(reply),
      key,
      input,
      reply: markRaw(reply),
      image: image === undefined ? undefined : markRaw(image),
    });
    cache.set(key, decoded, mapsBytes(decoded) + (image?.pixels.byteLength ?? 0));
    return decoded;
  }

  const latest = new LatestWins<MapsInput, ActivationMaps>(fetchMaps, {
    result: (decoded) => {
      maps.value = decoded;
      error.value = null;
    },
    error: (e) => {
      loading.value = false;
      error.value = e;
      if (options.keepLast !== true) maps.value = null;
    },
  });

  watch(
    wanted,
    (key) => {
      error.value = null;
      const hit = key === null ? undefined : cached(key);
      if (key === null || request.value === null || hit !== undefined) {
        latest.reset();
        loading.value = false;
        if (hit !== undefined || options.keepLast !== true) maps.value = hit ?? null;
        return;
      }
      loading.value = true;
      latest.push(request.value);
      void latest.idle().then(() => {
        loading.value = false;
      });
    },
    { immediate: true },
  );

  /** The maps shown are not the current request's (an older reply, kept until the new one arrives). */
  const stale = computed(() => wanted.value !== null && maps.value?.key !== wanted.value);

  return { maps, loading, error, stale };
}
