import * as tf from '@tensorflow/tfjs';
import {
  DistortionSpecError,
  validateSpec,
  type DistortionKind,
  type DistortionSpec,
} from '../../../shared/distortions.ts';
import { imageSeed } from '../../../shared/random.ts';
import { defocusBlur, gaussianBlur, motionBlur } from './blurs.ts';
import { jpegRoundTrip } from './jpeg.ts';
import { additiveNoise, saltPepperNoise, speckleNoise } from './noise.ts';
import { pixelate } from './pixelate.ts';
import { scaleContrast, shiftBrightness } from './point-ops.ts';
import { streamOf } from './streams.ts';

/**
 * The run's seed (an integer; imageSeed uses its low 32 bits) and, for each image of the batch, its id
 * (its index in its split, an integer in 0..2^32-1).
 */
export interface ImageSeeds {
  seed: number;
  ids: ArrayLike<number>;
}

const MAX_ID = 0xffffffff;

function checkImages(images: tf.Tensor4D): void {
  if (images.rank !== 4) {
    throw new DistortionSpecError(
      `images must be a [n, h, w, c] tensor, got shape [${images.shape.join(', ')}]`,
    );
  }
  if (images.dtype !== 'float32')
    throw new DistortionSpecError(`images must be float32, got ${images.dtype}`);
  const [, h, w, c] = images.shape;
  if (h < 1 || w < 1) throw new DistortionSpecError(`images must be at least 1 x 1 pixels, got ${h} x ${w}`);
  if (c !== 1 && c !== 3) throw new DistortionSpecError(`images must have 1 or 3 channels, got ${c}`);
}

/**
 * One 32-bit stream seed per image from the run seed, the image's id and the kind (shared/random.ts
 * imageSeed), so an image's draws are the same alone or in any batch, at any position.
 */
function streamSeeds(seeds: ImageSeeds, count: number, kind: DistortionKind): Uint32Array {
  if (!Number.isInteger(seeds.seed))
    throw new DistortionSpecError(`seed must be an integer, got ${seeds.seed}`);
  if (seeds.ids.length !== count) {
    throw new DistortionSpecError(`got ${seeds.ids.length} image ids for a batch of ${count} images`);
  }
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const id = seeds.ids[i] as number;
    if (!Number.isInteger(id) || id < 0 || id > MAX_ID) {
      throw new DistortionSpecError(`image id ${id} (position ${i}) is not an integer in 0..${MAX_ID}`);
    }
    out[i] = imageSeed(seeds.seed, id, streamOf(kind));
  }
  return out;
}

/**
 * Distorts a batch of images at one level. images: float32 [n, h, w, c] on the 0..255 scale, c = 1 or 3.
 * Returns a new float32 tensor of the same shape (the caller disposes it; the input is not disposed). The
 * result is not rounded (except JPEG's, which is whole grey levels as a decoder's output is; toUint8 makes
 * bytes); noise is unclipped unless spec.clip (as in the paper), every other kind keeps 0..255 inputs in
 * 0..255. The spec is validated with validateSpec; a bad spec, shape or seed throws
 * DistortionSpecError. Runs on the active backend and leaves no tensors behind.
 *
 * Seeding: the random kinds (noise, speckle, salt-pepper) draw image i's field from
 * imageSeed(seeds.seed, seeds.ids[i], streamOf(kind)), so results do not depend on the batch, and the same
 * field serves every level of that image (see random-fields.ts). The other kinds ignore the seeds but
 * still check them, so a caller's mistake shows whatever the kind.
 */
export function distortBatch(images: tf.Tensor4D, spec: DistortionSpec, seeds: ImageSeeds): tf.Tensor4D {
  validateSpec(spec);
  checkImages(images);
  const imageSeeds = streamSeeds(seeds, images.shape[0], spec.kind);
  if (images.shape[0] === 0) return tf.clone(images);
  const level = spec.level;
  switch (spec.kind) {
    case 'blur':
      return gaussianBlur(images, level, spec.kernelSize);
    case 'noise':
      if (level === 0 && spec.clip !== true) return tf.clone(images);
      return additiveNoise(images, level, spec.clip === true, imageSeeds);
    case 'motion-blur':
      return motionBlur(images, level, spec.angle ?? 0);
    case 'defocus':
      return defocusBlur(images, level);
    case 'jpeg':
      return jpegRoundTrip(images, level);
    case 'contrast':
      return scaleContrast(images, level);
    case 'brightness':
      return shiftBrightness(images, level);
    case 'salt-pepper':
      if (level === 0) return tf.clone(images);
      return saltPepperNoise(images, level, imageSeeds);
    case 'speckle':
      return speckleNoise(images, level, imageSeeds);
    case 'pixelate':
      return pixelate(images, level);
  }
}
