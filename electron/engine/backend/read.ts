import type * as tf from '@tensorflow/tfjs';

/*
 * Every read of a tensor's values back to JavaScript goes through here, and every one is asynchronous.
 * tfjs-backend-webgpu implements the synchronous reads (dataSync, arraySync, bufferSync) with an
 * OffscreenCanvas, which Node lacks, so on a GPU they throw; `await t.data()` maps the GPU buffer instead.
 * On wasm and cpu the values already sit in memory and the promise settles at once, so a read costs those
 * backends a microtask. ESLint forbids the synchronous reads in electron/ (eslint.config.js).
 */

/** A tensor's values (a typed array of its dtype), without disposing it. */
export async function readValues<D extends tf.DataType = 'float32'>(
  t: tf.Tensor,
): Promise<tf.DataTypeMap[D]> {
  return t.data<D>();
}

/** A tensor's values, then the tensor disposed (also when the read fails). */
export async function readAndDispose<D extends tf.DataType = 'float32'>(
  t: tf.Tensor,
): Promise<tf.DataTypeMap[D]> {
  try {
    return await t.data<D>();
  } finally {
    t.dispose();
  }
}

/** The first value of a tensor (a scalar's value) as a number, then the tensor disposed. */
export async function readScalarAndDispose(t: tf.Tensor): Promise<number> {
  const values = await readAndDispose<'float32' | 'int32'>(t);
  return values[0] as number;
}

/**
 * Several tensors' values in one go: the reads are issued together, so a GPU backend waits for its queue
 * once rather than once per tensor. Disposes nothing.
 */
export async function readAll(tensors: readonly tf.Tensor[]): Promise<Float32Array[]> {
  return Promise.all(tensors.map((t) => readFloats(t)));
}

/** A float32 tensor's values (weights, gradients, images); any other dtype is refused, not reinterpreted. */
export async function readFloats(t: tf.Tensor): Promise<Float32Array> {
  if (t.dtype !== 'float32') throw new Error(`expected a float32 tensor, got ${t.dtype}`);
  return t.data<'float32'>();
}
