import * as tf from '@tensorflow/tfjs';
import type { DistortionSpec } from '../../../shared/distortions.ts';
import type { ProgressListener } from '../../../shared/progress.ts';
import type { LoadedImages } from '../data/load-images.ts';
import { distortBatch } from '../distort/apply.ts';

export interface LevelAccuracy {
  /** The distortion's parameter; undefined for clean images. */
  level?: number;
  accuracy: number;
}

/**
 * Top-1 accuracy of a model (inputs on 0..1) on clean images and on the same images distorted at each level,
 * the distortion seeded per image by its id, so every model sees the same distorted pixels.
 */
export async function accuracyVersusLevel(
  model: tf.LayersModel,
  data: LoadedImages,
  spec: Omit<DistortionSpec, 'level'>,
  levels: number[],
  seed: number,
  options: { onProgress?: ProgressListener; signal?: AbortSignal; batchSize?: number } = {},
): Promise<LevelAccuracy[]> {
  const { onProgress, signal, batchSize = 256 } = options;
  const [h, w, c] = data.imageShape;
  const size = h * w * c;
  const conditions: (number | undefined)[] = [undefined, ...levels];
  const rows: LevelAccuracy[] = [];
  for (const [k, level] of conditions.entries()) {
    let correct = 0;
    for (let start = 0; start < data.n; start += batchSize) {
      // Between batches: let the process answer messages (cancel, other requests) and honour a cancel.
      await new Promise((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
      const m = Math.min(batchSize, data.n - start);
      const predicted = tf.tidy(() => {
        const bytes = data.images.subarray(start * size, (start + m) * size);
        let x: tf.Tensor4D = tf.tensor4d(Float32Array.from(bytes), [m, h, w, c]);
        if (level !== undefined) {
          x = distortBatch(
            x,
            { ...spec, level },
            {
              seed,
              ids: data.ids.subarray(start, start + m),
            },
          );
        }
        return tf.argMax(model.predict(x.div(255)) as tf.Tensor, -1);
      });
      const classes = predicted.dataSync();
      predicted.dispose();
      for (let i = 0; i < m; i++) if (classes[i] === data.labels[start + i]) correct++;
      onProgress?.({
        stage: level === undefined ? 'clean' : `${spec.kind} ${level}`,
        fraction: (k + (start + m) / data.n) / conditions.length,
      });
    }
    rows.push({ ...(level === undefined ? {} : { level }), accuracy: data.n === 0 ? 0 : correct / data.n });
  }
  return rows;
}
