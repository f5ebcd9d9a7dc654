import * as tf from '@tensorflow/tfjs';
import { normalField, uniformPairs } from './random-fields.ts';

/*
 * The noise-type distortions. Everything random and everything that depends on the level is computed in
 * JavaScript (float64, then rounded once to float32), and the backend does a single exactly rounded float32
 * operation per pixel (an add, a multiply, a clip). IEEE float32 add and multiply are the same on every
 * backend, so these distortions give identical bytes on cpu, wasm and the rest.
 *
 * `seeds[i]` is image i's stream seed (imageSeed of the run seed, its id and the kind's stream).
 */

function pixelsPerImage(x: tf.Tensor4D): number {
  return x.shape[1] * x.shape[2] * x.shape[3];
}

/** x + sigma * z, z standard normal; unclipped as in the paper unless `clip`. */
export function additiveNoise(x: tf.Tensor4D, sigma: number, clip: boolean, seeds: Uint32Array): tf.Tensor4D {
  const term = normalField(seeds, pixelsPerImage(x));
  for (let i = 0; i < term.length; i++) term[i] = sigma * (term[i] as number);
  return tf.tidy(() => {
    const noisy = tf.add(x, tf.tensor(term, x.shape, 'float32'));
    return (clip ? tf.clipByValue(noisy, 0, 255) : noisy) as tf.Tensor4D;
  });
}

/** x * (1 + sigma * z), z standard normal, clipped to 0..255 (bright pixels may otherwise overflow). */
export function speckleNoise(x: tf.Tensor4D, sigma: number, seeds: Uint32Array): tf.Tensor4D {
  const gain = normalField(seeds, pixelsPerImage(x));
  for (let i = 0; i < gain.length; i++) gain[i] = 1 + sigma * (gain[i] as number);
  return tf.tidy(() => tf.clipByValue(tf.mul(x, tf.tensor(gain, x.shape, 'float32')), 0, 255) as tf.Tensor4D);
}

/**
 * Each pixel location (all channels together, as a dead sensor pixel would be) is replaced with probability
 * `fraction` by black or white with equal odds. Written as x * keep + value with keep in {0, 1}, so kept
 * pixels pass through bit for bit.
 */
export function saltPepperNoise(x: tf.Tensor4D, fraction: number, seeds: Uint32Array): tf.Tensor4D {
  const [n, h, w] = x.shape;
  const { hit, coin } = uniformPairs(seeds, h * w);
  const keep = new Float32Array(hit.length);
  const value = new Float32Array(hit.length);
  for (let j = 0; j < hit.length; j++) {
    if ((hit[j] as number) < fraction) value[j] = (coin[j] as number) < 0.5 ? 0 : 255;
    else keep[j] = 1;
  }
  return tf.tidy(() => {
    const kept = tf.mul(x, tf.tensor4d(keep, [n, h, w, 1]));
    return tf.add(kept, tf.tensor4d(value, [n, h, w, 1]));
  });
}
