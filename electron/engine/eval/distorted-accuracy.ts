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
export function accuracyVersusLevel(
  model: tf.LayersModel,
  data: LoadedImages,
  spec: Omit<DistortionSpec, 'level'>,
  levels: number[],
  seed: number,
  onProgress?: ProgressListener,
  batchSize = 256,
): LevelAccuracy[] {
  const [h, w, c] = data.imageShape;
  const size = h * w * c;
  const conditions: (number | undefined)[] = [undefined, ...levels];
  return conditions.map((level, k) => {
    let correct = 0;
    for (let start = 0; start < data.n; start += batchSize) {
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
    return { ...(level === undefined ? {} : { level }), accuracy: data.n === 0 ? 0 : correct / data.n };
  });
}
