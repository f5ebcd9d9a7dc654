import type { Batch, DataParallelTrainer } from './data-parallel.ts';
import { runSteps } from './run-steps.ts';

/** Running figures of an epoch after each batch (and, at the end, of the whole epoch). */
export interface EpochStats {
  batch: number;
  batches: number;
  /** Mean loss and training accuracy over the images seen so far (weights before each batch's update). */
  loss: number;
  accuracy: number;
  /** Images per second of the training steps alone. */
  imagesPerSecond: number;
}

export interface EpochOptions {
  /** The epoch's order of training rows. */
  order: Uint32Array;
  batchSize: number;
  /** The batch of those rows (augmented, mixed, one-hot), ready for a step (a promise when it reads a tensor back). */
  batchOf: (rows: Uint32Array) => Batch | Promise<Batch>;
  imageShape: number[];
  classes: number;
  signal?: AbortSignal;
  onBatch?: (stats: EpochStats) => void;
}

/** One pass over the training rows in the given order: the loop every training run (baseline, units, fine-tuning) shares. */
export async function trainEpoch(trainer: DataParallelTrainer, o: EpochOptions): Promise<EpochStats> {
  const batches = Math.ceil(o.order.length / o.batchSize);
  let lossSum = 0;
  let correct = 0;
  let seen = 0;
  let trainSeconds = 0;
  const stats = (batch: number): EpochStats => ({
    batch,
    batches,
    loss: lossSum / seen,
    accuracy: correct / seen,
    imagesPerSecond: seen / trainSeconds,
  });
  const started = performance.now();
  await runSteps(
    batches,
    (b) => o.batchOf(o.order.subarray(b * o.batchSize, Math.min(o.order.length, (b + 1) * o.batchSize))),
    (batch) => trainer.stepWithStats(batch, o.imageShape, o.classes),
    (result, batch, b) => {
      trainSeconds = (performance.now() - started) / 1000;
      lossSum += result.loss * batch.n;
      correct += result.correct;
      seen += batch.n;
      o.onBatch?.(stats(b + 1));
    },
    { overlap: trainer.overlapsSteps, ...(o.signal === undefined ? {} : { signal: o.signal }) },
  );
  return stats(batches);
}
