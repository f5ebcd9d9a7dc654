import * as tf from '@tensorflow/tfjs';
import { readAndDispose } from '../backend/read.ts';

/** Top-1 accuracy of a classifier over images [n, ...imageShape], predicted in batches. */
export async function accuracy(
  model: tf.LayersModel,
  x: Float32Array,
  labels: Int32Array,
  imageShape: number[],
  batchSize = 256,
): Promise<number> {
  const pixels = imageShape.reduce((a, b) => a * b, 1);
  const n = labels.length;
  let correct = 0;
  for (let start = 0; start < n; start += batchSize) {
    const m = Math.min(batchSize, n - start);
    const predicted = tf.tidy(() => {
      const batch = tf.tensor(x.subarray(start * pixels, (start + m) * pixels), [m, ...imageShape]);
      return tf.argMax(model.predict(batch) as tf.Tensor, -1);
    });
    const classes = await readAndDispose<'int32'>(predicted);
    for (let i = 0; i < m; i++) if (classes[i] === labels[start + i]) correct++;
  }
  return n === 0 ? 0 : correct / n;
}
