import * as tf from '@tensorflow/tfjs';
import type { DistortionSpec } from '../../../shared/distortions.ts';
import { readAndDispose } from '../backend/read.ts';
import type { LoadedImages } from '../data/load-images.ts';
import { distortBatch } from '../distort/apply.ts';
import { AbortError } from '../train/fit.ts';

/** Validation images prepared once for every condition: clean, then each level, on 0..1. */
export interface ConditionSet {
  /** One float buffer per condition (clean first), images in the same order. */
  inputs: Float32Array[];
  labels: Int32Array;
  n: number;
  imageShape: [number, number, number];
}

const BATCH = 250;

/**
 * Distorts the validation images once (seeded by image id, as evaluate does, so every epoch and every model
 * sees the same pixels); model selection then costs one forward pass per condition.
 */
export async function prepareConditions(
  images: LoadedImages,
  spec: Omit<DistortionSpec, 'level'>,
  levels: readonly number[],
  seed: number,
): Promise<ConditionSet> {
  const [h, w, c] = images.imageShape;
  const pixels = h * w * c;
  const clean = new Float32Array(images.n * pixels);
  for (let i = 0; i < clean.length; i++) clean[i] = (images.images[i] as number) / 255;
  const inputs = [clean];
  for (const level of levels) {
    const out = new Float32Array(images.n * pixels);
    for (let start = 0; start < images.n; start += BATCH) {
      const m = Math.min(BATCH, images.n - start);
      const values = tf.tidy(() => {
        const bytes = Float32Array.from(images.images.subarray(start * pixels, (start + m) * pixels));
        const x = tf.tensor4d(bytes, [m, h, w, c]);
        const ids = images.ids.subarray(start, start + m);
        return distortBatch(x, { ...spec, level }, { seed, ids }).div(255);
      });
      out.set(await readAndDispose(values), start * pixels);
    }
    inputs.push(out);
  }
  return { inputs, labels: images.labels, n: images.n, imageShape: images.imageShape };
}

/** Top-1 accuracy per condition (clean first), inference mode; yields between batches so a cancel is seen. */
export async function conditionAccuracies(
  model: tf.LayersModel,
  set: ConditionSet,
  signal?: AbortSignal,
): Promise<number[]> {
  const pixels = set.imageShape[0] * set.imageShape[1] * set.imageShape[2];
  const out: number[] = [];
  for (const input of set.inputs) {
    let correct = 0;
    for (let start = 0; start < set.n; start += BATCH) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (signal?.aborted) throw new AbortError();
      const m = Math.min(BATCH, set.n - start);
      const predicted = tf.tidy(() => {
        const x = tf.tensor4d(input.subarray(start * pixels, (start + m) * pixels), [m, ...set.imageShape]);
        return tf.argMax(model.predict(x) as tf.Tensor, -1);
      });
      const classes = await readAndDispose<'int32'>(predicted);
      for (let i = 0; i < m; i++) if (classes[i] === set.labels[start + i]) correct++;
    }
    out.push(set.n === 0 ? NaN : correct / set.n);
  }
  return out;
}

export const mean = (values: readonly number[]): number =>
  values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
