import { describe, expect, it } from 'vitest';
import type { Images } from '../../shared/bridge/schemas.ts';
import { LruCache } from '../../renderer/src/lib/lru.ts';
import type { RgbaImage } from '../../renderer/src/lib/pixels.ts';
import { ThumbLoader, chunkSizeFor } from '../../renderer/src/lib/thumb-loader.ts';

/** 2x2 grey images whose pixels all equal their index (mod 256). */
function images(indices: number[]): Images {
  const pixels = new Uint8Array(indices.length * 4);
  indices.forEach((index, k) => pixels.fill(index % 256, k * 4, k * 4 + 4));
  return {
    n: indices.length,
    height: 2,
    width: 2,
    channels: 1,
    indices,
    labels: indices.map(() => 0),
    pixels,
  };
}

function harness(chunkSize = 4, maxInFlight = 2) {
  const requests: { indices: number[]; resolve: () => void; reject: (e: unknown) => void }[] = [];
  const errors: unknown[] = [];
  const loader = new ThumbLoader(
    (indices) =>
      new Promise<Images>((resolve, reject) => {
        requests.push({ indices, resolve: () => resolve(images(indices)), reject });
      }),
    {
      chunkSize,
      maxInFlight,
      maxSide: 128,
      cache: new LruCache<number, RgbaImage>(1000),
      onError: (e) => errors.push(e),
    },
  );
  const loaded: number[][] = [];
  loader.onLoaded((i) => loaded.push(i));
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return { loader, requests, errors, loaded, settle };
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

describe('ThumbLoader', () => {
  it('fetches in chunks, at most maxInFlight at a time', async () => {
    const h = harness(4, 2);
    h.loader.want(range(0, 10));
    expect(h.requests.map((r) => r.indices)).toEqual([range(0, 4), range(4, 8)]);
    h.requests[0]?.resolve();
    await h.settle();
    expect(h.requests.map((r) => r.indices)).toEqual([range(0, 4), range(4, 8), [8, 9]]);
    expect(h.loaded).toEqual([range(0, 4)]);
    expect(h.loader.get(2)?.rgba[0]).toBe(2);
  });

  it('never asks for what scrolled out of view before its chunk was sent', async () => {
    const h = harness(4, 1);
    h.loader.want(range(0, 12));
    h.loader.want(range(100, 104)); // scrolled far away: 4..11 are stale
    h.requests[0]?.resolve();
    await h.settle();
    expect(h.requests.map((r) => r.indices)).toEqual([range(0, 4), range(100, 104)]);
    expect(h.loader.get(1)).toBeDefined(); // the reply already on its way is still cached
  });

  it('does not re-request cached or in-flight indices', async () => {
    const h = harness(4, 2);
    h.loader.want(range(0, 4));
    h.loader.want(range(0, 4));
    expect(h.requests).toHaveLength(1);
    h.requests[0]?.resolve();
    await h.settle();
    h.loader.want(range(2, 6));
    expect(h.requests.map((r) => r.indices)).toEqual([range(0, 4), [4, 5]]);
  });

  it('reports a failed chunk once and does not retry it until asked', async () => {
    const h = harness(4, 1);
    h.loader.want(range(0, 4));
    h.requests[0]?.reject(new Error('gone'));
    await h.settle();
    expect(h.errors).toHaveLength(1);
    h.loader.want(range(0, 4));
    expect(h.requests).toHaveLength(1);
    h.loader.retry();
    expect(h.requests).toHaveLength(2);
  });

  it('drops replies after dispose', async () => {
    const h = harness(4, 1);
    h.loader.want(range(0, 4));
    h.loader.dispose();
    h.requests[0]?.resolve();
    await h.settle();
    expect(h.loader.get(0)).toBeUndefined();
    expect(h.loaded).toEqual([]);
  });

  it('sizes chunks by bytes for large images', () => {
    expect(chunkSizeFor(28, 28, 1, 256)).toBe(256);
    expect(chunkSizeFor(224, 224, 3, 256)).toBe(27);
    expect(chunkSizeFor(4096, 4096, 3, 256)).toBe(1);
  });
});
