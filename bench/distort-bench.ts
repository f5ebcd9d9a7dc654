import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../shared/backends.ts';
import type { DistortionSpec } from '../shared/distortions.ts';
import { mulberry32 } from '../shared/random.ts';
import { distortBatch } from '../electron/engine/distort/apply.ts';
import { round } from './train-bench.ts';

export interface DistortBenchCase {
  /** [n, h, w, c]: one batch. */
  batch: [number, number, number, number];
  spec: DistortionSpec;
}

export interface DistortBenchResult {
  bench: 'distort';
  backend: BackendName;
  kind: string;
  level: number;
  shape: string;
  batch: number;
  img_s: number;
}

/**
 * The cases the issue names: blur at the largest paper level and noise, on CIFAR-sized and ImageNet-sized
 * batches (paper-cifar levels for 32x32, paper-imagenet levels for 224x224).
 */
export const DISTORT_CASES: DistortBenchCase[] = [
  { batch: [256, 32, 32, 3], spec: { kind: 'blur', level: 3 } },
  { batch: [256, 32, 32, 3], spec: { kind: 'noise', level: 30 } },
  { batch: [16, 224, 224, 3], spec: { kind: 'blur', level: 6 } },
  { batch: [16, 224, 224, 3], spec: { kind: 'noise', level: 100 } },
];

/**
 * Images per second through distortBatch on the active backend: the upload of 8-bit pixels as float32, the
 * distortion (with its seeded noise made in JS) and the download of the result, so nothing is left queued.
 */
export async function benchDistort(
  backend: BackendName,
  c: DistortBenchCase,
  seconds = 1.5,
): Promise<DistortBenchResult> {
  const [n, h, w, ch] = c.batch;
  const random = mulberry32(7);
  const pixels = new Float32Array(n * h * w * ch);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.floor(random() * 256);
  const ids = Array.from({ length: n }, (_, i) => i);
  const once = async (): Promise<void> => {
    const clean = tf.tensor4d(pixels, c.batch);
    const out = distortBatch(clean, c.spec, { seed: 1, ids });
    clean.dispose();
    await out.data();
    out.dispose();
  };
  await once();
  let images = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    await once();
    images += n;
  }
  const elapsed = (performance.now() - start) / 1000;
  return {
    bench: 'distort',
    backend,
    kind: c.spec.kind,
    level: c.spec.level,
    shape: `${h}x${w}x${ch}`,
    batch: n,
    img_s: round(images / elapsed, 0),
  };
}
