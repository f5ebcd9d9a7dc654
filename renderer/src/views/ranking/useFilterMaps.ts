/**
 * The activation maps behind the filter table's thumbnails: one inspect.activations request per (model, layer,
 * image, level) returns every filter's clean and distorted map; the decoded planes are cached (LRU, by bytes)
 * so switching tabs, images or levels back and forth asks the engine once. Only the newest choice is shown.
 */
import { ref, shallowRef, watch, type Ref } from 'vue';
import type { DistortionSpec } from '../../../../shared/distortions.ts';
import { useBridge } from '../../bridge/inject.ts';
import { describeError } from '../../bridge/errors.ts';
import { LruCache } from '../../lib/lru.ts';
import { decodeMaps, mapsCost, thumbKey, type DecodedMaps } from '../../lib/rankThumbs.ts';

export interface MapsRequest {
  modelId: string;
  datasetId: string;
  layer: string;
  index: number;
  spec: DistortionSpec;
  seed: number;
}

const cache = new LruCache<string, DecodedMaps>(48, 96 * 1024 * 1024);
const inFlight = new Map<string, Promise<DecodedMaps>>();

export function useFilterMaps(request: Ref<MapsRequest | null>) {
  const client = useBridge();
  const maps = shallowRef<DecodedMaps | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  let ticket = 0;

  // Watched as a string: the request object is rebuilt whenever any job reports progress, its content is not.
  watch(
    () => (request.value === null ? null : JSON.stringify(request.value)),
    async (text) => {
      const req = text === null ? null : (JSON.parse(text) as MapsRequest);
      const mine = ++ticket;
      error.value = null;
      if (req === null) {
        maps.value = null;
        loading.value = false;
        return;
      }
      const key = thumbKey(
        req.modelId,
        req.layer,
        req.index,
        req.spec.level,
        JSON.stringify([req.datasetId, req.spec, req.seed]),
      );
      const cached = cache.get(key);
      if (cached !== undefined) {
        maps.value = cached;
        loading.value = false;
        return;
      }
      loading.value = true;
      try {
        let pending = inFlight.get(key);
        if (pending === undefined) {
          pending = client
            .request('inspect.activations', {
              modelId: req.modelId,
              datasetId: req.datasetId,
              split: 'test',
              index: req.index,
              layer: req.layer,
              spec: req.spec,
              seed: req.seed,
            })
            .then((reply) => {
              const maps = decodeMaps(reply);
              cache.set(key, maps, mapsCost(maps));
              return maps;
            })
            .finally(() => inFlight.delete(key));
          inFlight.set(key, pending);
        }
        const decoded = await pending;
        if (mine !== ticket) return;
        maps.value = decoded;
      } catch (e) {
        if (mine !== ticket) return;
        maps.value = null;
        error.value = describeError(e, 'Loading the activation maps');
      } finally {
        if (mine === ticket) loading.value = false;
      }
    },
    { immediate: true },
  );

  return { maps, loading, error };
}
