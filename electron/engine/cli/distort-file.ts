/** `deepcorrect distort` on one image file: loaded only when a command gets that far (tfjs, sharp). */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { DistortionSpec } from '../../../shared/distortions.ts';
import { distortBatch } from '../distort/apply.ts';
import { toUint8 } from '../distort/quantize.ts';
import { writePng } from '../io/png.ts';
import { readImageFile } from '../io/read-image.ts';
import type { DistortFlags } from './commands/distort.ts';

async function isDirectory(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined))?.isDirectory() ?? false;
}

/** One image file in, one PNG out; the image's seed id is 0. */
export async function distortFile(opts: DistortFlags, spec: DistortionSpec): Promise<string> {
  const image = await readImageFile(opts.in, opts.channels);
  const out = (await isDirectory(opts.out))
    ? path.join(opts.out, `${path.parse(opts.in).name}-${spec.kind}-${spec.level}.png`)
    : opts.out;
  const clean = tf.tensor4d(Float32Array.from(image.data), [1, image.height, image.width, image.channels]);
  const distorted = distortBatch(clean, spec, { seed: opts.seed, ids: [0] });
  clean.dispose();
  let data: Uint8Array;
  try {
    data = await toUint8(distorted);
  } finally {
    distorted.dispose();
  }
  await writePng(out, { ...image, data });
  return out;
}
