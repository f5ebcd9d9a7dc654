import * as tf from '@tensorflow/tfjs';
import type { SplitName } from '../../../shared/datasets.ts';
import { DISTORTIONS, type DistortionKind, type DistortionSpec } from '../../../shared/distortions.ts';
import { etaSeconds, type ProgressListener } from '../../../shared/progress.ts';
import { readAndDispose } from '../backend/read.ts';
import type { Dataset } from '../data/dataset.ts';
import { distortBatch } from '../distort/apply.ts';

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
  batchSize?: number;
  /** Also record which images each condition got right, for paired tests between models on the same images. */
  perImage?: boolean;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

/** One condition: clean (no level) or one level of the distortion. */
export interface ConditionResult {
  level?: number;
  top1: number;
  top5: number;
  /** Top-1 accuracy per true class (NaN for a class with no images). */
  perClass: number[];
  /** confusion[true][predicted] counts. */
  confusion: number[][];
  /** With `perImage`: 1 where the top-1 prediction was right, per image in the order of `imageIndices`. */
  correct?: Uint8Array;
}

export interface EvaluationResult {
  kind: DistortionKind;
  /** The level's parameter and unit, e.g. "sigma (px)", for tables and axes. */
  parameter: string;
  images: number;
  /** With `perImage`: the split index of each evaluated image, in the order of the conditions' `correct`. */
  imageIndices?: Uint32Array;
  classes: string[];
  conditions: ConditionResult[];
  /** Mean top-1 over clean plus every level: the paper's tables. */
  meanWithClean: number;
  /** Mean top-1 over the distorted levels alone. */
  meanLevels: number;
  seconds: number;
}

interface Tally {
  top1: number;
  top5: number;
  confusion: number[][];
  /** Per batch, with `perImage`: joined at the end, as images a folder dataset skips make the count unsure. */
  correct: Uint8Array[];
}

/**
 * Accuracy versus distortion level: top-1, top-5, per-class accuracy and the confusion matrix, on clean images
 * and at each level. The data is read once, batch by batch; every condition is evaluated on each batch while
 * it is in memory, so memory follows the batch and not the dataset.
 */
export async function evaluate(options: EvaluationOptions): Promise<EvaluationResult> {
  const started = performance.now();
  const { model, dataset, levels } = options;
  const classes = dataset.summary.classes.length;
  const outputs = model.outputs[0]?.shape.at(-1) ?? 0;
  if (outputs !== classes)
    throw new Error(`the model has ${outputs} outputs but ${dataset.summary.name} has ${classes} classes`);
  const k = Math.min(5, classes);
  const conditions: (number | undefined)[] = [undefined, ...levels];
  const tallies: Tally[] = conditions.map(() => ({
    top1: 0,
    top5: 0,
    confusion: Array.from({ length: classes }, () => new Array<number>(classes).fill(0)),
    correct: [],
  }));
  const imageIndices: Uint32Array[] = [];
  const total =
    options.indices?.length ?? dataset.summary.splits.find((s) => s.name === options.split)?.count ?? 0;
  let seen = 0;
  const batches = dataset.batches(options.split, {
    batchSize: options.batchSize ?? 250,
    ...(options.indices ? { indices: options.indices } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  for await (const batch of batches) {
    const { n, height, width, channels } = batch;
    const clean = tf.tensor4d(Float32Array.from(batch.images), [n, height, width, channels]);
    if (options.perImage) imageIndices.push(batch.indices.slice(0, n));
    try {
      for (const [c, level] of conditions.entries()) {
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
        const tally = tallies[c] as Tally;
        const correct = options.perImage ? new Uint8Array(n) : undefined;
        if (correct) tally.correct.push(correct);
        for (let i = 0; i < n; i++) {
          const truth = batch.labels[i] as number;
          const best = predicted[i * k] as number;
          if (best === truth) {
            tally.top1++;
            if (correct) correct[i] = 1;
          }
          for (let j = 0; j < k; j++) if (predicted[i * k + j] === truth) tally.top5++;
          const row = tally.confusion[truth] as number[];
          row[best] = (row[best] ?? 0) + 1;
        }
        seen += n / conditions.length;
        const fraction = total === 0 ? 1 : seen / total;
        options.onProgress?.({
          stage: level === undefined ? 'clean' : `${options.spec.kind} ${level}`,
          fraction,
          etaSeconds: etaSeconds(fraction, (performance.now() - started) / 1000),
          metrics: { imagesPerSecond: (seen * conditions.length) / ((performance.now() - started) / 1000) },
        });
      }
    } finally {
      clean.dispose();
    }
  }
  const images = Math.round(seen);
  const results: ConditionResult[] = tallies.map((t, c) => ({
    ...(conditions[c] === undefined ? {} : { level: conditions[c] }),
    top1: images === 0 ? 0 : t.top1 / images,
    top5: images === 0 ? 0 : t.top5 / images,
    perClass: t.confusion.map((row, truth) => {
      const count = row.reduce((a, b) => a + b, 0);
      return count === 0 ? Number.NaN : (row[truth] as number) / count;
    }),
    confusion: t.confusion,
    ...(options.perImage ? { correct: joined(t.correct, new Uint8Array(images)) } : {}),
  }));
  const top1 = results.map((r) => r.top1);
  const mean = (v: number[]): number =>
    v.length === 0 ? Number.NaN : v.reduce((a, b) => a + b, 0) / v.length;
  return {
    kind: options.spec.kind,
    parameter: DISTORTIONS[options.spec.kind].parameter,
    images,
    ...(options.perImage ? { imageIndices: joined(imageIndices, new Uint32Array(images)) } : {}),
    classes: dataset.summary.classes,
    conditions: results,
    meanWithClean: mean(top1),
    meanLevels: mean(top1.slice(1)),
    seconds: (performance.now() - started) / 1000,
  };
}

function joined<T extends Uint8Array | Uint32Array>(chunks: readonly T[], into: T): T {
  let at = 0;
  for (const chunk of chunks) {
    into.set(chunk, at);
    at += chunk.length;
  }
  return into;
}
