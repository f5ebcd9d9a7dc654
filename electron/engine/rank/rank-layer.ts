import * as tf from '@tensorflow/tfjs';
import type { DistortionSpec } from '../../../shared/distortions.ts';
import { readAndDispose } from '../backend/read.ts';
import type { ConvLayerSummary } from '../models/summary.ts';
import { splitModel } from './graph.ts';
import { modelInput, sliceSet, yieldToEventLoop, type ImageSet } from './images.ts';
import { emptyTally, summariseLayer, type Tally } from './layer-tally.ts';
import { oneHotMasks, predictedClasses, repeatRows, swapStack } from './swap.ts';
import type { TauKind } from './tau.ts';
import type { LayerRanking, RankMethod } from './types.ts';

export { PROXY_EPSILON } from './layer-tally.ts';

export interface LayerJob {
  model: tf.LayersModel;
  images: ImageSet;
  /** Per image (row), which of two disjoint halves it is in, for the stability; absent: no halves. */
  halves?: Uint8Array | undefined;
  layer: ConvLayerSummary;
  spec: Omit<DistortionSpec, 'level'>;
  levels: readonly number[];
  seed: number;
  method: RankMethod;
  tau: TauKind;
  /** Share of the filters whose top sets the stability compares. */
  stabilityBeta: number;
  /**
   * Rows per pass: images are taken at most this many at a time, and per tail pass
   * floor(rows / images of the pass) filters are swapped, so memory stays bounded whatever the set's size.
   */
  batchRows: number;
  signal?: AbortSignal | undefined;
  /**
   * The filters [from, to) whose swaps this job runs (a shard's slice; default all). The tail passes group
   * filters as the whole layer's run does, cut at the slice's ends, so each filter's counts are the same.
   */
  filterRange?: readonly [number, number];
  /** Called after each unit of work (a head pass, or one filter at one level, per image) with a stage text. */
  tick: (stage: string, units: number) => void;
}

/** Work units of one layer, for progress: a head pass per level, plus one per filter and level for the oracle. */
export function layerUnits(filters: number, levels: number, method: RankMethod): number {
  return levels * (1 + (method === 'proxy' ? 0 : filters));
}

/** The tail passes' groups of filters: the whole layer's groups of `chunk`, cut to [from, to). */
export function filterGroups(filters: number, chunk: number, range: readonly [number, number]): number[][] {
  const [from, to] = range;
  const groups: number[][] = [];
  for (let first = 0; first < filters; first += chunk) {
    const lo = Math.max(first, from);
    const hi = Math.min(first + chunk, filters, to);
    if (lo < hi) groups.push(Array.from({ length: hi - lo }, (_, k) => lo + k));
  }
  return groups;
}

/** Per image, per channel, mean |x| over the spatial axes: [images * channels], row-major. */
async function perImageMeanAbs(t: tf.Tensor): Promise<Float32Array> {
  const [n, ...rest] = t.shape;
  const channels = rest.at(-1) as number;
  const means = tf.tidy(() => t.abs().reshape([n, -1, channels]).mean(1));
  return readAndDispose(means);
}

/**
 * The oracle of docs/method.md §2 and/or the proxy for one conv layer. The ranking set is taken
 * `batchRows` images at a time; per part, the clean activation is computed once and per level one head pass
 * gives the distorted activation (and the tail's other inputs); then each tail pass runs K swapped variants
 * stacked on the batch axis. Each image's errors and proxy terms go to its half's tally (halves given) so
 * the two halves' orders come from the same passes as the whole set's, at no extra cost.
 */
export async function rankLayer(job: LayerJob): Promise<LayerRanking> {
  const started = performance.now();
  const result = summariseLayer(job, await tallyLayer(job));
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

/**
 * The passes of rankLayer, returning what they counted (one tally, or one per half): a shard keeps the
 * entries of its filter range, and the merge summarises the shards' tallies as rankLayer does its own.
 */
export async function tallyLayer(job: LayerJob): Promise<Tally[]> {
  const { images, layer, levels } = job;
  const oracle = job.method !== 'proxy';
  const proxyWanted = job.method !== 'oracle';
  const split = splitModel(job.model, layer.activation);
  const n = images.n;
  const rows = Math.max(1, job.batchRows);
  const partSize = Math.min(n, rows);
  const filters = layer.filters;
  const range = job.filterRange ?? [0, filters];
  const tallies = (job.halves ? [0, 1] : [0]).map(() => emptyTally(filters, levels.length));
  const tallyOf = (row: number): Tally => tallies[job.halves?.[row] ?? 0] as Tally;
  for (let row = 0; row < n; row++) tallyOf(row).images++;
  /** Adds each row's misclassification (of variant v, row i of the part at `start`) to its half's tally. */
  const countErrors = (
    predicted: Int32Array,
    part: ImageSet,
    start: number,
    variants: number,
    add: (t: Tally, v: number) => void,
  ): void => {
    for (let v = 0; v < variants; v++)
      for (let i = 0; i < part.n; i++)
        if (predicted[v * part.n + i] !== part.labels[i]) add(tallyOf(start + i), v);
  };
  const addMeans = (means: Float32Array, start: number, count: number, into: (t: Tally) => Float64Array) => {
    for (let i = 0; i < count; i++) {
      const sums = into(tallyOf(start + i));
      for (let f = 0; f < filters; f++) sums[f] = (sums[f] as number) + (means[i * filters + f] as number);
    }
  };

  for (let start = 0; start < n; start += partSize) {
    const part = sliceSet(images, start, partSize);
    const where = (j: number): string =>
      `${layer.name}: level ${j + 1}/${levels.length}` +
      (partSize < n ? `, images ${start + 1}-${start + part.n}/${n}` : '');
    const share = part.n / n;
    const chunk = Math.max(1, Math.min(filters, Math.floor(rows / part.n)));
    const [clean, ...cleanContext] = tf.tidy(() =>
      split.head(modelInput(part, job.spec, undefined, job.seed)),
    );
    const cleanAct = clean as tf.Tensor;
    try {
      if ((cleanAct.shape.at(-1) as number) !== filters)
        throw new Error(
          `${layer.name}: ${cleanAct.shape.at(-1)} channels at ${layer.activation}, not ${filters}`,
        );
      const cleanPredicted = await predictedClasses(() => split.tail(cleanAct, cleanContext));
      countErrors(cleanPredicted, part, start, 1, (t) => t.clean++);
      tf.dispose(cleanContext);
      if (proxyWanted) addMeans(await perImageMeanAbs(cleanAct), start, part.n, (t) => t.cleanScale);
      for (const [j, level] of levels.entries()) {
        await yieldToEventLoop(job.signal);
        const [distorted, ...context] = tf.tidy(() =>
          split.head(modelInput(part, job.spec, level, job.seed)),
        );
        const dist = distorted as tf.Tensor;
        try {
          if (proxyWanted) {
            const diff = tf.tidy(() => dist.sub(cleanAct));
            addMeans(
              await perImageMeanAbs(diff).finally(() => diff.dispose()),
              start,
              part.n,
              (t) => t.distance[j] as Float64Array,
            );
          }
          if (oracle) {
            const predicted = await predictedClasses(() => split.tail(dist, context));
            countErrors(predicted, part, start, 1, (t) => (t.baseline[j] = (t.baseline[j] as number) + 1));
          }
          job.tick(`${where(j)}, filters 0/${filters}`, share);
          if (!oracle) continue;
          for (const group of filterGroups(filters, chunk, range)) {
            await yieldToEventLoop(job.signal);
            const predicted = await predictedClasses(() => {
              const swapped = swapStack(cleanAct, dist, oneHotMasks(filters, group));
              const repeated = context.map((c) => repeatRows(c, group.length));
              return split.tail(swapped, repeated);
            });
            countErrors(predicted, part, start, group.length, (t, v) => {
              const row = t.perFilter[group[v] as number] as number[];
              row[j] = (row[j] as number) + 1;
            });
            job.tick(`${where(j)}, filters ${(group.at(-1) as number) + 1}/${filters}`, group.length * share);
          }
        } finally {
          tf.dispose([dist, ...context]);
        }
      }
    } finally {
      tf.dispose([cleanAct, part.pixels, ...cleanContext.filter((t) => !t.isDisposed)]);
    }
  }
  return tallies;
}
