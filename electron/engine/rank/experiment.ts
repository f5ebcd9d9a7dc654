import * as tf from '@tensorflow/tfjs';
import { EXPERIMENT_DEFAULTS } from '../../../shared/bridge/defaults.ts';
import type { SplitName } from '../../../shared/datasets.ts';
import type { DistortionSpec } from '../../../shared/distortions.ts';
import { etaSeconds, type ProgressListener } from '../../../shared/progress.ts';
import type { Dataset } from '../data/dataset.ts';
import { splitModel } from './graph.ts';
import { loadSubset, modelInput, sliceSet, yieldToEventLoop } from './images.ts';
import { errorsPerVariant, predictedClasses, repeatRows, swapStack } from './swap.ts';
import type { ExperimentResult, LayerExperiment, LayerRanking, RankingResult } from './types.ts';

export const EXPERIMENT_FRACTIONS = EXPERIMENT_DEFAULTS.fractions;

export interface ExperimentOptions {
  model: tf.LayersModel;
  dataset: Dataset;
  /** The layers and filter orders tested (a ranking's, or orders given), with the distortion kind and levels. */
  ranking: Pick<RankingResult, 'kind' | 'levels'> & {
    layers: readonly Pick<LayerRanking, 'layer' | 'activation' | 'filters' | 'order'>[];
  };
  /** The distortion's options beyond its kind (kernel size, clipping), as given to rankFilters. */
  spec?: Omit<DistortionSpec, 'level'>;
  fractions?: readonly number[];
  /** Evaluation images per class (default 50). */
  evalPerClass?: number;
  /** Split of the evaluation subset (default test, apart from the training images the ranking used). */
  split?: SplitName;
  seed: number;
  /** Images per head pass (default 250); each tail pass runs one variant per fraction on them. */
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

/** Filters corrected for a fraction of a layer: at least one, at most all. */
export function correctedCount(fraction: number, filters: number): number {
  return Math.min(filters, Math.max(1, Math.round(fraction * filters)));
}

const mean = (v: readonly number[]): number =>
  v.length === 0 ? Number.NaN : v.reduce((a, b) => a + b, 0) / v.length;

/**
 * The oracle experiment of docs/method.md §2: per ranked layer, the top fraction of its filters get their
 * clean maps on distorted images, and top-1 accuracy is measured per level, next to the clean accuracy and
 * the uncorrected baseline. All fractions of a batch run as one stacked tail pass.
 */
export async function oracleExperiment(options: ExperimentOptions): Promise<ExperimentResult> {
  const started = performance.now();
  const { model, ranking } = options;
  const spec = options.spec ?? { kind: ranking.kind };
  if (spec.kind !== ranking.kind) throw new Error(`the ranking is for ${ranking.kind}, not ${spec.kind}`);
  const fractions = [...(options.fractions ?? EXPERIMENT_FRACTIONS)];
  if (fractions.some((f) => !(f > 0 && f <= 1))) throw new Error('fractions must lie in (0, 1]');
  const split = options.split ?? 'test';
  const perClass = options.evalPerClass ?? 50;
  const batchSize = options.batchSize ?? 250;
  const levels = ranking.levels;
  const set = await loadSubset(options.dataset, split, perClass, options.seed, options.signal);
  let cleanCorrect = 0;
  const baselineCorrect = new Array<number>(levels.length).fill(0);
  const layers: LayerExperiment[] = [];
  const batches = Math.ceil(set.n / batchSize);
  const total = ranking.layers.length * batches * levels.length;
  let done = 0;
  try {
    for (const [li, layer] of ranking.layers.entries()) {
      const cut = splitModel(model, layer.activation);
      const masks = fractions.map((f) => {
        const mask = new Array<number>(layer.filters).fill(0);
        for (const i of layer.order.slice(0, correctedCount(f, layer.filters))) mask[i] = 1;
        return mask;
      });
      const correct = fractions.map(() => new Array<number>(levels.length).fill(0));
      for (let b = 0; b < batches; b++) {
        const part = sliceSet(set, b * batchSize, batchSize);
        const [clean, ...cleanContext] = tf.tidy(() =>
          cut.head(modelInput(part, spec, undefined, options.seed)),
        );
        try {
          if (li === 0) {
            const wrong = errorsPerVariant(
              await predictedClasses(() => cut.tail(clean as tf.Tensor, cleanContext)),
              part.labels,
              1,
            );
            cleanCorrect += part.n - (wrong[0] ?? 0);
          }
          for (const [j, level] of levels.entries()) {
            await yieldToEventLoop(options.signal);
            const [distorted, ...context] = tf.tidy(() =>
              cut.head(modelInput(part, spec, level, options.seed)),
            );
            const d = distorted as tf.Tensor;
            let predicted: [Int32Array | undefined, Int32Array];
            try {
              // Both forward passes are queued before either read waits.
              predicted = await Promise.all([
                li === 0 ? predictedClasses(() => cut.tail(d, context)) : undefined,
                predictedClasses(() => {
                  const swapped = swapStack(clean as tf.Tensor, d, masks);
                  const repeated = context.map((c) => repeatRows(c, masks.length));
                  return cut.tail(swapped, repeated);
                }),
              ]);
            } finally {
              tf.dispose([d, ...context]);
            }
            const wrong = {
              base: predicted[0] === undefined ? [] : errorsPerVariant(predicted[0], part.labels, 1),
              fixed: errorsPerVariant(predicted[1], part.labels, masks.length),
            };
            if (li === 0) baselineCorrect[j] = (baselineCorrect[j] as number) + part.n - (wrong.base[0] ?? 0);
            wrong.fixed.forEach(
              (w, f) => ((correct[f] as number[])[j] = ((correct[f] as number[])[j] as number) + part.n - w),
            );
            done++;
            const fraction = done / total;
            options.onProgress?.({
              stage: `experiment ${layer.layer}: level ${j + 1}/${levels.length}, images ${Math.min(set.n, (b + 1) * batchSize)}/${set.n}`,
              fraction,
              etaSeconds: etaSeconds(fraction, (performance.now() - started) / 1000),
            });
          }
        } finally {
          tf.dispose([clean, ...cleanContext, part.pixels]);
        }
      }
      layers.push({
        layer: layer.layer,
        fractions: fractions.map((fraction, f) => {
          const accuracy = (correct[f] as number[]).map((c) => c / set.n);
          return {
            fraction,
            corrected: correctedCount(fraction, layer.filters),
            accuracy,
            meanLevels: mean(accuracy),
          };
        }),
      });
    }
  } finally {
    set.pixels.dispose();
  }
  const baseline = baselineCorrect.map((c) => c / set.n);
  return {
    split,
    perClass,
    images: set.n,
    seed: options.seed,
    kind: ranking.kind,
    levels: [...levels],
    clean: cleanCorrect / set.n,
    baseline,
    baselineMeanLevels: mean(baseline),
    layers,
    seconds: (performance.now() - started) / 1000,
  };
}
