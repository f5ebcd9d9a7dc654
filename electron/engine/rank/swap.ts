import * as tf from '@tensorflow/tfjs';
import { readAndDispose } from '../backend/read.ts';

/**
 * K variants of a distorted activation stacked along the batch axis: in variant k the channels with
 * masks[k][c] = 1 come from the clean activation, the others from the distorted one. Row k*n + i is image i
 * of variant k. Mixing by multiplying with exact 0/1 weights (d*1 + c*0 and d*0 + c*1) gives bit-exact copies,
 * unlike d + m*(c - d), so swapping every channel reproduces the clean activation exactly.
 */
export function swapStack(
  clean: tf.Tensor,
  distorted: tf.Tensor,
  masks: readonly (readonly number[])[],
): tf.Tensor {
  return tf.tidy(() => {
    const shape = distorted.shape;
    const channels = shape.at(-1) as number;
    const k = masks.length;
    const take = new Float32Array(k * channels);
    masks.forEach((m, row) => m.forEach((v, c) => (take[row * channels + c] = v)));
    const keep = take.map((v) => 1 - v);
    // Mask shape [K, 1, ..., 1, C]: broadcast over the images and the spatial axes.
    const maskShape = [k, ...shape.slice(0, -1).map(() => 1), channels];
    const mixed = distorted
      .expandDims(0)
      .mul(tf.tensor(keep, maskShape))
      .add(clean.expandDims(0).mul(tf.tensor(take, maskShape)));
    return mixed.reshape([k * shape[0], ...shape.slice(1)]);
  });
}

/** A tensor repeated K times along the batch axis, in the same row order as swapStack. */
export function repeatRows(t: tf.Tensor, k: number): tf.Tensor {
  return k === 1 ? t.clone() : tf.tile(t, [k, ...t.shape.slice(1).map(() => 1)]);
}

/** One-hot masks for the given channels, one variant each. */
export function oneHotMasks(channels: number, filters: readonly number[]): number[][] {
  return filters.map((f) => Array.from({ length: channels }, (_, c) => (c === f ? 1 : 0)));
}

/** Misclassified rows of each variant: predictions [K*n] against the n labels. */
export function errorsPerVariant(
  predicted: ArrayLike<number>,
  labels: ArrayLike<number>,
  k: number,
): number[] {
  const n = labels.length;
  const out = new Array<number>(k).fill(0);
  for (let v = 0; v < k; v++)
    for (let i = 0; i < n; i++) if (predicted[v * n + i] !== labels[i]) out[v] = (out[v] as number) + 1;
  return out;
}

/**
 * Top-1 predictions of the probabilities `forward` returns, read back. `forward` runs inside a tidy, so
 * everything it makes but the predictions is freed before the read waits.
 */
export async function predictedClasses(forward: () => tf.Tensor): Promise<Int32Array> {
  return readAndDispose<'int32'>(tf.tidy(() => tf.argMax(forward(), -1)));
}
