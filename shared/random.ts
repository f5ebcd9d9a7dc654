/** Mulberry32: a small, fast, seedable PRNG, so generated data is identical everywhere. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates shuffle of 0..n-1 with a seeded generator. */
export function shuffledIndices(n: number, random: () => number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  return order;
}

/**
 * A 32-bit seed for one image's random draws, from the run's seed, the image's id (its index in its split)
 * and a stream number (one per distortion kind), so any image can be regenerated alone and exactly.
 * The mixing is murmur3's finaliser over the three words.
 */
export function imageSeed(seed: number, imageId: number, stream = 0): number {
  let h =
    Math.imul(seed >>> 0, 0x9e3779b1) ^
    Math.imul(imageId >>> 0, 0x85ebca6b) ^
    Math.imul(stream + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
