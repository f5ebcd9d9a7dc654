import { etaSeconds, type ProgressListener } from '../../../shared/progress.ts';
import { mulberry32, shuffledIndices } from '../../../shared/random.ts';
import { oneHot } from '../data/one-hot.ts';
import type { DataParallelTrainer } from './data-parallel.ts';
import { runSteps } from './run-steps.ts';

export interface FitData {
  /** Images [n, ...imageShape] in row-major order. */
  x: Float32Array;
  labels: Int32Array;
  n: number;
  imageShape: number[];
  classes: number;
}

export interface FitOptions {
  epochs: number;
  batchSize: number;
  seed: number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export interface EpochRecord {
  epoch: number;
  loss: number;
  seconds: number;
  imagesPerSecond: number;
}

export class AbortError extends Error {
  override name = 'AbortError';
  constructor() {
    super('cancelled');
  }
}

/** Trains for whole epochs over shuffled batches, reporting progress after every batch. */
export async function fit(
  trainer: DataParallelTrainer,
  data: FitData,
  options: FitOptions,
): Promise<EpochRecord[]> {
  const { epochs, batchSize } = options;
  if (!(batchSize >= 1) || !(epochs >= 1))
    throw new Error(`epochs (${epochs}) and batch size (${batchSize}) must be at least 1`);
  const pixels = data.imageShape.reduce((a, b) => a * b, 1);
  const random = mulberry32(options.seed);
  const batchesPerEpoch = Math.ceil(data.n / batchSize);
  const started = performance.now();
  const history: EpochRecord[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const epochStart = performance.now();
    const order = shuffledIndices(data.n, random);
    let lossSum = 0;
    await runSteps(
      batchesPerEpoch,
      (b) => {
        const rows = order.subarray(b * batchSize, Math.min(data.n, (b + 1) * batchSize));
        const x = new Float32Array(rows.length * pixels);
        const labels = new Int32Array(rows.length);
        rows.forEach((row, i) => {
          x.set(data.x.subarray(row * pixels, (row + 1) * pixels), i * pixels);
          labels[i] = data.labels[row] as number;
        });
        return { x, y: oneHot(labels, data.classes), n: rows.length };
      },
      (batch) => trainer.step(batch, data.imageShape, data.classes),
      (loss, batch, b) => {
        lossSum += loss * batch.n;
        const fraction = ((epoch - 1) * batchesPerEpoch + b + 1) / (epochs * batchesPerEpoch);
        const elapsed = (performance.now() - started) / 1000;
        const eta = etaSeconds(fraction, elapsed);
        options.onProgress?.({
          stage: `epoch ${epoch}/${epochs}`,
          fraction,
          ...(eta === undefined ? {} : { etaSeconds: eta }),
          metrics: {
            loss,
            imagesPerSecond: ((b + 1) * batchSize) / ((performance.now() - epochStart) / 1000),
          },
        });
      },
      { overlap: trainer.overlapsSteps, ...(options.signal === undefined ? {} : { signal: options.signal }) },
    );
    const seconds = (performance.now() - epochStart) / 1000;
    history.push({ epoch, loss: lossSum / data.n, seconds, imagesPerSecond: data.n / seconds });
  }
  return history;
}
