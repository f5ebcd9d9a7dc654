import { mulberry32 } from '../../../shared/random.ts';

/*
 * The random fields of the noise-type distortions are drawn in JavaScript, not with tf.randomNormal: the
 * backends' generators differ, and a distortion must give the same bytes on every backend and whether an
 * image is distorted alone or inside any batch. Each image has its own mulberry32 stream, seeded from the
 * run's seed, the image's id and the kind's stream number (see apply.ts), so the draws of one image never
 * depend on its neighbours in the batch.
 *
 * The fields do not depend on the level either: every level of one image uses the same draws, scaled or
 * thresholded by the level. Levels then differ only in strength, which keeps accuracy-versus-level curves
 * free of sampling noise between levels (and makes salt-and-pepper levels nested: the pixels hit at a low
 * fraction are also hit at every higher one).
 */

const TWO_PI = 2 * Math.PI;

/**
 * Fills out[offset, offset + count) with standard normal draws from the stream `seed` (Box-Muller in float64,
 * both values of each pair used, stored as float32). Consumes ceil(count / 2) * 2 uniforms.
 */
export function fillStandardNormal(out: Float32Array, offset: number, count: number, seed: number): void {
  const random = mulberry32(seed);
  const end = offset + count;
  for (let i = offset; i < end; i += 2) {
    // 1 - u lies in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - random()));
    const angle = TWO_PI * random();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < end) out[i + 1] = radius * Math.sin(angle);
  }
}

/** Standard normal draws for a batch: image i's `perImage` values, in NHWC order, from stream seeds[i]. */
export function normalField(seeds: Uint32Array, perImage: number): Float32Array {
  const out = new Float32Array(seeds.length * perImage);
  for (let i = 0; i < seeds.length; i++) fillStandardNormal(out, i * perImage, perImage, seeds[i] as number);
  return out;
}

/**
 * Two uniform draws per pixel location for a batch: `hit[j]` decides whether location j is replaced and
 * `coin[j]` what replaces it. Both are always drawn, so the outcome of one location does not shift the
 * stream of the next, whatever the level.
 */
export function uniformPairs(
  seeds: Uint32Array,
  perImage: number,
): { hit: Float64Array; coin: Float64Array } {
  const hit = new Float64Array(seeds.length * perImage);
  const coin = new Float64Array(seeds.length * perImage);
  for (let i = 0; i < seeds.length; i++) {
    const random = mulberry32(seeds[i] as number);
    const end = (i + 1) * perImage;
    for (let j = i * perImage; j < end; j++) {
      hit[j] = random();
      coin[j] = random();
    }
  }
  return { hit, coin };
}
