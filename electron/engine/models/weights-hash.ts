import { createHash } from 'node:crypto';
import type * as tf from '@tensorflow/tfjs';
import { readValues } from '../backend/read.ts';

/**
 * SHA-256 of a model's weights as loaded: each weight's name, shape and dtype, then its values' bytes, in the
 * model's weight order. It names the weights, not their files, so a model saved twice or read from a copy
 * hashes the same, and any retrained or fine-tuned model hashes differently. Reads are asynchronous (GPU-safe).
 */
export async function weightsSha256(model: tf.LayersModel): Promise<string> {
  const hash = createHash('sha256');
  for (const w of model.weights) {
    const value = w.read();
    // The name as saved: tfjs renames a second load of one model in a process (conv1/kernel_1).
    hash.update(`${w.originalName}|${value.shape.join('x')}|${value.dtype}\n`);
    const data = await readValues<'float32'>(value);
    hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return hash.digest('hex');
}
