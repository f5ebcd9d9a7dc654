import * as tf from '@tensorflow/tfjs';
import type { DistortionSpec } from '../../../shared/distortions.ts';
import { imageSeed, mulberry32 } from '../../../shared/random.ts';
import { readAndDispose } from '../backend/read.ts';
import type { LoadedImages } from '../data/load-images.ts';
import { oneHot } from '../data/one-hot.ts';
import { distortBatch } from '../distort/apply.ts';
import { augmentBatch, type AugmentOptions } from '../train/augment.ts';

/** Stream numbers in imageSeed, apart from the shuffle, augmentation, subset and validation streams. */
const MIX_STREAM = 0xd15;
const DISTORT_STREAM = 0xd16;

export interface MixSettings {
  spec: Omit<DistortionSpec, 'level'>;
  levels: readonly number[];
  /** Share of images distorted (docs/method.md §4: about half). */
  distortedFraction: number;
  /** Light augmentation of the clean images. */
  augment: AugmentOptions;
  seed: number;
}

/**
 * Whether an image is distorted in an epoch, and at which level (an index into `levels`): a function of
 * (seed, epoch, image id) alone, so it does not depend on the batch an image lands in.
 */
export function drawCondition(settings: MixSettings, epoch: number, imageId: number): number | undefined {
  const random = mulberry32(imageSeed(imageSeed(settings.seed, epoch, MIX_STREAM), imageId, MIX_STREAM));
  const distorted = random() < settings.distortedFraction;
  const level = Math.min(settings.levels.length - 1, Math.floor(random() * settings.levels.length));
  return distorted && settings.levels.length > 0 ? level : undefined;
}

/**
 * One training batch: the rows' images on 0..1, each either clean with light augmentation or distorted (on the
 * 0..255 bytes, then / 255) at its drawn level; the distortion's own random draws are seeded per epoch and image.
 */
export async function mixedBatch(
  train: LoadedImages,
  rows: ArrayLike<number>,
  classes: number,
  settings: MixSettings,
  epoch: number,
): Promise<{ x: Float32Array; y: Float32Array; n: number; distorted: number }> {
  const [h, w, c] = train.imageShape;
  const pixels = h * w * c;
  const n = rows.length;
  const x = new Float32Array(n * pixels);
  const labels = new Int32Array(n);
  const byLevel = new Map<number, number[]>();
  const clean: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = rows[i] as number;
    labels[i] = train.labels[row] as number;
    const level = drawCondition(settings, epoch, train.ids[row] as number);
    if (level === undefined) clean.push(i);
    else byLevel.set(level, [...(byLevel.get(level) ?? []), i]);
    const source = train.images.subarray(row * pixels, (row + 1) * pixels);
    for (let p = 0; p < pixels; p++) x[i * pixels + p] = (source[p] as number) / 255;
  }
  // Augment the clean images only: gather them, augment, put them back.
  if (clean.length > 0 && (settings.augment.flip || settings.augment.shift > 0)) {
    const part = new Float32Array(clean.length * pixels);
    clean.forEach((i, k) => part.set(x.subarray(i * pixels, (i + 1) * pixels), k * pixels));
    const ids = clean.map((i) => train.ids[rows[i] as number] as number);
    augmentBatch(part, ids, train.imageShape, settings.augment, settings.seed, epoch);
    clean.forEach((i, k) => x.set(part.subarray(k * pixels, (k + 1) * pixels), i * pixels));
  }
  const seed = imageSeed(settings.seed, epoch, DISTORT_STREAM);
  let distorted = 0;
  for (const [level, members] of byLevel) {
    const bytes = new Float32Array(members.length * pixels);
    members.forEach((i, k) => {
      const row = rows[i] as number;
      const source = train.images.subarray(row * pixels, (row + 1) * pixels);
      for (let p = 0; p < pixels; p++) bytes[k * pixels + p] = source[p] as number;
    });
    const ids = members.map((i) => train.ids[rows[i] as number] as number);
    const values = tf.tidy(() => {
      const images = tf.tensor4d(bytes, [members.length, h, w, c]);
      const spec = { ...settings.spec, level: settings.levels[level] as number };
      return distortBatch(images, spec, { seed, ids }).div(255);
    });
    const data = await readAndDispose(values);
    members.forEach((i, k) => x.set(data.subarray(k * pixels, (k + 1) * pixels), i * pixels));
    distorted += members.length;
  }
  return { x, y: oneHot(labels, classes), n, distorted };
}
