import * as tf from '@tensorflow/tfjs';
import type { SplitName } from '../../../shared/datasets.ts';
import type { DistortionSpec } from '../../../shared/distortions.ts';
import { etaSeconds, type ProgressListener } from '../../../shared/progress.ts';
import { readAndDispose } from '../backend/read.ts';
import type { Dataset } from '../data/dataset.ts';
import { distortBatch } from '../distort/apply.ts';
import {
  emptyCounts,
  evaluationFromCounts,
  joined,
  type EvaluationCounts,
  type EvaluationResult,
} from './evaluation-counts.ts';

export type { ConditionResult, EvaluationResult } from './evaluation-counts.ts';

/** The images an evaluation reads in one batch unless told otherwise. */
export const EVALUATION_BATCH = 250;

export interface EvaluationOptions {
  model: tf.LayersModel;
  dataset: Dataset;
  split: SplitName;
  /** Images of the split to use (a stratified subset, say); all when absent. */
  indices?: ArrayLike<number>;
  /** The distortion, without its level: the levels come from `levels`. */
  spec: Omit<DistortionSpec, 'level'>;
  levels: number[];
  /** Seed of the distortions' random draws (each image seeded by its index, so every model sees the same pixels). */
  seed: number;
  /** Images per batch (default EVALUATION_BATCH). */
  batchSize?: number;
  /** Also record which images each condition got right, for paired tests between models on the same images. */
  perImage?: boolean;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

/**
 * Accuracy versus distortion level: top-1, top-5, per-class accuracy and the confusion matrix, on clean images
 * and at each level. The data is read once, batch by batch; every condition is evaluated on each batch while
 * it is in memory, so memory follows the batch and not the dataset.
 */
export async function evaluate(options: EvaluationOptions): Promise<EvaluationResult> {
  const started = performance.now();
  const counts = await countEvaluation(options);
  return evaluationFromCounts(counts, (performance.now() - started) / 1000);
}

/**
 * What evaluate() works its figures out from: per condition, the images right at top-1 and top-5 and the
 * confusion counts (and, with `perImage`, which images were right). Counts of disjoint image sets add up
 * (addCounts), which is how the shards of one evaluation are merged.
 */
export async function countEvaluation(options: EvaluationOptions): Promise<EvaluationCounts> {
  const started = performance.now();
  const { model, dataset, levels } = options;
  const classes = dataset.summary.classes.length;
  const outputs = model.outputs[0]?.shape.at(-1) ?? 0;
  if (outputs !== classes)
    throw new Error(`the model has ${outputs} outputs but ${dataset.summary.name} has ${classes} classes`);
  const k = Math.min(5, classes);
  const counts = emptyCounts(options.spec.kind, dataset.summary.classes, levels);
  // Per batch, with `perImage`: joined at the end, as images a folder dataset skips make the count unsure.
  const correct: Uint8Array[][] = counts.conditions.map(() => []);
  const imageIndices: Uint32Array[] = [];
  const total =
    options.indices?.length ?? dataset.summary.splits.find((s) => s.name === options.split)?.count ?? 0;
  let seen = 0;
  const batches = dataset.batches(options.split, {
    batchSize: options.batchSize ?? EVALUATION_BATCH,
    ...(options.indices ? { indices: options.indices } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  for await (const batch of batches) {
    const { n, height, width, channels } = batch;
    const clean = tf.tensor4d(Float32Array.from(batch.images), [n, height, width, channels]);
    if (options.perImage) imageIndices.push(batch.indices.slice(0, n));
    try {
      for (const [c, tally] of counts.conditions.entries()) {
        const { level } = tally;
        // Between conditions: let the process answer messages (a cancel, other requests).
        await new Promise((resolve) => setImmediate(resolve));
        options.signal?.throwIfAborted();
        const top = tf.tidy(() => {
          const x =
            level === undefined
              ? clean
              : distortBatch(clean, { ...options.spec, level }, { seed: options.seed, ids: batch.indices });
          const probabilities = model.predict(x.div(255)) as tf.Tensor;
          return tf.topk(probabilities, k).indices;
        });
        const predicted = await readAndDispose<'int32'>(top);
        const right = options.perImage ? new Uint8Array(n) : undefined;
        if (right) correct[c]?.push(right);
        for (let i = 0; i < n; i++) {
          const truth = batch.labels[i] as number;
          const best = predicted[i * k] as number;
          if (best === truth) {
            tally.top1++;
            if (right) right[i] = 1;
          }
          for (let j = 0; j < k; j++) if (predicted[i * k + j] === truth) tally.top5++;
          const row = tally.confusion[truth] as number[];
          row[best] = (row[best] ?? 0) + 1;
        }
        seen += n / counts.conditions.length;
        const fraction = total === 0 ? 1 : seen / total;
        options.onProgress?.({
          stage: level === undefined ? 'clean' : `${options.spec.kind} ${level}`,
          fraction,
          etaSeconds: etaSeconds(fraction, (performance.now() - started) / 1000),
          metrics: {
            imagesPerSecond: (seen * counts.conditions.length) / ((performance.now() - started) / 1000),
          },
        });
      }
    } finally {
      clean.dispose();
    }
  }
  const images = Math.round(seen);
  counts.images = images;
  if (options.perImage) {
    for (const [c, tally] of counts.conditions.entries())
      tally.correct = joined(correct[c] ?? [], new Uint8Array(images));
    counts.imageIndices = joined(imageIndices, new Uint32Array(images));
  }
  return counts;
}
