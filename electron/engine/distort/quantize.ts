import type * as tf from '@tensorflow/tfjs';
import { readValues } from '../backend/read.ts';

/**
 * Rounds to the nearest integer (halves away from zero, as a decoder or image writer would), clips to
 * 0..255 (NaN becomes 0) and returns the bytes in the tensor's own order (NHWC for images). Reads the tensor
 * back asynchronously (backend/read.ts); it does not dispose it.
 */
export async function toUint8(images: tf.Tensor): Promise<Uint8Array> {
  return bytesOf(await readValues(images));
}

/** toUint8's rounding and clipping of values already read back. */
export function bytesOf(values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    // `v > 0` is false for NaN, which leaves the 0 the array starts with.
    if (v >= 254.5) bytes[i] = 255;
    else if (v > 0) bytes[i] = Math.floor(v + 0.5);
  }
  return bytes;
}
