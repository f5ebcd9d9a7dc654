import type { Kernel2D } from './convolve.ts';

/*
 * Kernels are rebuilt from their level on every batch; the large ones (a 41 x 41 disk, supersampled) take a
 * few milliseconds, so the last few are kept. Levels come from short preset lists, so a handful suffices.
 * The keys come from requests (any level and angle in range), so the cache is bounded by count, not by them.
 */
const LIMIT = 32;

export function cachedKernel(cache: Map<string, Kernel2D>, key: string, build: () => Kernel2D): Kernel2D {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const kernel = build();
  if (cache.size >= LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, kernel);
  return kernel;
}
