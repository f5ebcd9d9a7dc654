import * as tf from '@tensorflow/tfjs';
import { readAndDispose, readScalarAndDispose } from '../backend/read.ts';
import { AbortError } from './fit.ts';
import { crossEntropy } from './gradients.ts';

export interface Evaluation {
  /** Mean cross-entropy over the images. */
  loss: number;
  /** Top-1 accuracy. */
  accuracy: number;
}

/**
 * Loss and accuracy of a model (inference mode) over images held as bytes, scaled to 0..1 batch by batch so
 * a large validation set never exists as float32 all at once. Yields to the event loop between batches so a
 * cancel is seen.
 */
export async function evaluateBytes(
  model: tf.LayersModel,
  images: Uint8Array,
  labels: Int32Array,
  imageShape: readonly number[],
  classes: number,
  options: { batchSize?: number; signal?: AbortSignal } = {},
): Promise<Evaluation> {
  const batchSize = options.batchSize ?? 256;
  const pixels = imageShape.reduce((a, b) => a * b, 1);
  const n = labels.length;
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < n; start += batchSize) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (options.signal?.aborted) throw new AbortError();
    const m = Math.min(batchSize, n - start);
    const x = new Float32Array(m * pixels);
    for (let i = 0; i < x.length; i++) x[i] = (images[start * pixels + i] as number) / 255;
    const [loss, predicted] = tf.tidy((): [tf.Scalar, tf.Tensor] => {
      const probs = model.predict(tf.tensor(x, [m, ...imageShape])) as tf.Tensor;
      const y = tf.oneHot(tf.tensor1d(labels.subarray(start, start + m), 'int32'), classes);
      return [crossEntropy(y, probs), tf.argMax(probs, -1)];
    });
    // Both reads are issued before either is awaited: one wait for the GPU's queue per batch.
    const [lossValue, classesOut] = await Promise.all([
      readScalarAndDispose(loss),
      readAndDispose<'int32'>(predicted),
    ]);
    lossSum += lossValue * m;
    for (let i = 0; i < m; i++) if (classesOut[i] === labels[start + i]) correct++;
  }
  return n === 0 ? { loss: NaN, accuracy: 0 } : { loss: lossSum / n, accuracy: correct / n };
}
