import * as tf from '@tensorflow/tfjs';
import type { DistortionSpec } from '../../../shared/distortions.ts';
import { readAndDispose } from '../backend/read.ts';
import type { ConvLayerSummary } from '../models/summary.ts';
import { splitModel } from './graph.ts';
import { modelInput, yieldToEventLoop, type ImageSet } from './images.ts';
import { rankOrder, spearman } from './spearman.ts';
import { errorsPerVariant, oneHotMasks, predictedClasses, repeatRows, swapStack } from './swap.ts';
import type { LayerRanking, RankMethod } from './types.ts';

/** Keeps the proxy finite for a filter that is silent on the clean images. */
export const PROXY_EPSILON = 1e-6;

export interface LayerJob {
  model: tf.LayersModel;
  images: ImageSet;
  layer: ConvLayerSummary;
  spec: Omit<DistortionSpec, 'level'>;
  levels: readonly number[];
  seed: number;
  method: RankMethod;
  /** Rows per tail pass: filters are swapped ceil(rows / images) at a time. */
  batchRows: number;
  signal?: AbortSignal | undefined;
  /** Called after each unit of work (a head pass, or one filter at one level) with a stage text. */
  tick: (stage: string, units: number) => void;
}

/** Work units of one layer, for progress: a head pass per level, plus one per filter and level for the oracle. */
export function layerUnits(filters: number, levels: number, method: RankMethod): number {
  return levels * (1 + (method === 'proxy' ? 0 : filters));
}

/** Per-filter mean |x| over every axis but the channels, as float64. */
async function channelMeanAbs(t: tf.Tensor): Promise<Float64Array> {
  const means = tf.tidy(() =>
    t
      .abs()
      .reshape([-1, t.shape.at(-1) as number])
      .mean(0),
  );
  return Float64Array.from(await readAndDispose(means));
}

/**
 * The oracle of method.md section 2 and/or the proxy for one conv layer. Per level, one head pass gives the
 * distorted activation (and the tail's other inputs); then each tail pass runs K swapped variants stacked on
 * the batch axis. The clean activation is computed once.
 */
export async function rankLayer(job: LayerJob): Promise<LayerRanking> {
  const started = performance.now();
  const { images, layer, levels } = job;
  const oracle = job.method !== 'proxy';
  const proxyWanted = job.method !== 'oracle';
  const split = splitModel(job.model, layer.activation);
  const n = images.n;
  const [clean, ...cleanContext] = tf.tidy(() =>
    split.head(modelInput(images, job.spec, undefined, job.seed)),
  );
  const cleanAct = clean as tf.Tensor;
  const filters = cleanAct.shape.at(-1) as number;
  const chunk = Math.max(1, Math.min(filters, Math.floor(job.batchRows / Math.max(1, n))));
  const baseline: number[] = [];
  const perFilter = Array.from({ length: filters }, () => new Array<number>(levels.length).fill(0));
  const proxy = new Float64Array(filters);
  let cleanErrors = 0;
  try {
    cleanErrors =
      errorsPerVariant(
        await predictedClasses(() => split.tail(cleanAct, cleanContext)),
        images.labels,
        1,
      )[0] ?? 0;
    tf.dispose(cleanContext);
    const cleanScale = proxyWanted ? await channelMeanAbs(cleanAct) : new Float64Array(filters);
    for (const [j, level] of levels.entries()) {
      const where = `${layer.name}: level ${j + 1}/${levels.length}`;
      await yieldToEventLoop(job.signal);
      const [distorted, ...context] = tf.tidy(() =>
        split.head(modelInput(images, job.spec, level, job.seed)),
      );
      const dist = distorted as tf.Tensor;
      try {
        if (proxyWanted) {
          const diff = tf.tidy(() => dist.sub(cleanAct));
          let distance: Float64Array;
          try {
            distance = await channelMeanAbs(diff);
          } finally {
            diff.dispose();
          }
          for (let f = 0; f < filters; f++)
            proxy[f] =
              (proxy[f] as number) + (distance[f] as number) / ((cleanScale[f] as number) + PROXY_EPSILON);
        }
        if (oracle) {
          baseline.push(
            errorsPerVariant(await predictedClasses(() => split.tail(dist, context)), images.labels, 1)[0] ??
              0,
          );
        }
        job.tick(`${where}, filters 0/${filters}`, 1);
        if (!oracle) continue;
        for (let start = 0; start < filters; start += chunk) {
          await yieldToEventLoop(job.signal);
          const group = Array.from({ length: Math.min(chunk, filters - start) }, (_, k) => start + k);
          const predicted = await predictedClasses(() => {
            const swapped = swapStack(cleanAct, dist, oneHotMasks(filters, group));
            const repeated = context.map((c) => repeatRows(c, group.length));
            return split.tail(swapped, repeated);
          });
          const errors = errorsPerVariant(predicted, images.labels, group.length);
          group.forEach((f, k) => ((perFilter[f] as number[])[j] = errors[k] as number));
          job.tick(`${where}, filters ${start + group.length}/${filters}`, group.length);
        }
      } finally {
        tf.dispose([dist, ...context]);
      }
    }
  } finally {
    cleanAct.dispose();
    tf.dispose(cleanContext.filter((t) => !t.isDisposed));
  }
  const proxyValues = proxyWanted ? Array.from(proxy) : undefined;
  const result: LayerRanking = {
    layer: layer.name,
    activation: layer.activation,
    filters,
    order: [],
    seconds: 0,
  };
  if (proxyValues) {
    result.proxy = proxyValues;
    result.proxyOrder = rankOrder(proxyValues);
  }
  if (oracle) {
    const { tau, skipped } = correctionPriority(baseline, perFilter);
    result.tau = tau;
    result.errors = { images: n, clean: cleanErrors, baseline, perFilter };
    result.skippedLevels = skipped.map((j) => levels[j] as number);
    result.order = rankOrder(tau, proxyValues);
    if (proxyValues) result.spearman = spearman(tau, proxyValues);
  } else {
    result.order = result.proxyOrder ?? [];
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

/**
 * tau_i = sum_j |e_ij - e_j| / e_j from error counts (the ratio is the same for counts and rates). Levels with
 * e_j = 0 are skipped: nothing is misclassified there, so no filter can be credited with a correction.
 */
export function correctionPriority(
  baseline: readonly number[],
  perFilter: readonly (readonly number[])[],
): { tau: number[]; skipped: number[] } {
  const skipped = baseline.flatMap((e, j) => (e === 0 ? [j] : []));
  const tau = perFilter.map((row) =>
    baseline.reduce((sum, e, j) => (e === 0 ? sum : sum + Math.abs((row[j] as number) - e) / e), 0),
  );
  return { tau, skipped };
}
