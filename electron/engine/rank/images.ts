import * as tf from '@tensorflow/tfjs';
import type { SplitName } from '../../../shared/datasets.ts';
import type { DistortionSpec } from '../../../shared/distortions.ts';
import type { Dataset } from '../data/dataset.ts';
import { loadImages, type LoadedImages } from '../data/load-images.ts';
import { stratifiedSubset } from '../data/subset.ts';
import { distortBatch } from '../distort/apply.ts';

/** A small image set held as one tensor of 0..255 floats (ranking and experiment sets are a few hundred images). */
export interface ImageSet {
  pixels: tf.Tensor4D;
  labels: Int32Array;
  /** Each image's index in its split: the seed id of its distortion, as in evaluate. */
  ids: Uint32Array;
  n: number;
}

/**
 * Refuses a ranking set that would miss a class: the correction priority counts misclassified images, and a
 * class with no images would silently drop out of every filter's score.
 */
export async function checkEveryClass(dataset: Dataset, split: SplitName): Promise<Int32Array> {
  const { classes, name } = dataset.summary;
  if (!dataset.summary.splits.some((s) => s.name === split)) throw new Error(`${name} has no ${split} split`);
  const labels = await dataset.labels(split);
  const counts = new Uint32Array(classes.length);
  for (const label of labels)
    if (label >= 0 && label < counts.length) counts[label] = (counts[label] ?? 0) + 1;
  const missing = classes.filter((_, k) => counts[k] === 0);
  if (missing.length > 0)
    throw new Error(
      `${dataset.summary.path}: the ${split} split has no images of ${missing.length === 1 ? 'class' : 'classes'} ` +
        `${missing.map((c) => `"${c}"`).join(', ')}, so a ranking set cannot cover every class`,
    );
  return labels;
}

/** A seeded stratified subset of a split (a quota for every class, or one per class), read into memory. The caller disposes `pixels`. */
export async function loadSubset(
  dataset: Dataset,
  split: SplitName,
  perClass: number | readonly number[],
  seed: number,
  signal?: AbortSignal,
): Promise<ImageSet> {
  const classes = dataset.summary.classes.length;
  const indices = stratifiedSubset(await checkEveryClass(dataset, split), perClass, seed, classes);
  return imageSet(await loadImages(dataset, split, indices, signal));
}

/** Loaded images as a set held in one tensor. The caller disposes `pixels`. */
export function imageSet(loaded: LoadedImages): ImageSet {
  const [h, w, c] = loaded.imageShape;
  return {
    pixels: tf.tensor4d(Float32Array.from(loaded.images), [loaded.n, h, w, c]),
    labels: loaded.labels,
    ids: loaded.ids,
    n: loaded.n,
  };
}

/** Rows start..start+size of a set (fewer at its end); the caller disposes the slice's `pixels`. */
export function sliceSet(set: ImageSet, start: number, size: number): ImageSet {
  const n = Math.min(size, set.n - start);
  return {
    pixels: set.pixels.slice([start, 0, 0, 0], [n, -1, -1, -1]),
    labels: set.labels.subarray(start, start + n),
    ids: set.ids.subarray(start, start + n),
    n,
  };
}

/** The model's input for a set, clean (level undefined) or distorted at one level: pixels / 255. */
export function modelInput(
  set: ImageSet,
  spec: Omit<DistortionSpec, 'level'>,
  level: number | undefined,
  seed: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const x =
      level === undefined ? set.pixels : distortBatch(set.pixels, { ...spec, level }, { seed, ids: set.ids });
    return x.div(255);
  });
}

/** Lets a host process answer messages (a cancel, other requests) between long synchronous passes. */
export async function yieldToEventLoop(signal?: AbortSignal): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  signal?.throwIfAborted();
}
