import * as tf from '@tensorflow/tfjs';
import type { DistortionSpec } from '../../../shared/distortions.ts';
import { readAndDispose } from '../backend/read.ts';
import type { ConvLayerSummary } from '../models/summary.ts';
import { splitModel } from './graph.ts';
import { modelInput, sliceSet, yieldToEventLoop, type ImageSet } from './images.ts';
import { rankOrder, spearman } from './spearman.ts';
import { rankingStability } from './stability.ts';
import { oneHotMasks, predictedClasses, repeatRows, swapStack } from './swap.ts';
import { cellChanges, correctionPriority, countTies, type TauKind } from './tau.ts';
import type { LayerRanking, RankMethod } from './types.ts';

/** Keeps the proxy finite for a filter that is silent on the clean images. */
export const PROXY_EPSILON = 1e-6;

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
  /** Called after each unit of work (a head pass, or one filter at one level, per image) with a stage text. */
  tick: (stage: string, units: number) => void;
}

/** Work units of one layer, for progress: a head pass per level, plus one per filter and level for the oracle. */
export function layerUnits(filters: number, levels: number, method: RankMethod): number {
  return levels * (1 + (method === 'proxy' ? 0 : filters));
}

/**
 * What one part of the ranking set (the whole set, or one half) has counted. Errors are counts; the proxy's
 * parts are sums over images of per-image channel means, so parts add up to the whole set's.
 */
interface Tally {
  images: number;
  clean: number;
  /** e_j per level, and e_ij as [filter][level]. */
  baseline: number[];
  perFilter: number[][];
  /** Per filter, sum over images of mean |A_c|; per level and filter, of mean |A_d - A_c|. */
  cleanScale: Float64Array;
  distance: Float64Array[];
}

function emptyTally(filters: number, levels: number): Tally {
  return {
    images: 0,
    clean: 0,
    baseline: new Array<number>(levels).fill(0),
    perFilter: Array.from({ length: filters }, () => new Array<number>(levels).fill(0)),
    cleanScale: new Float64Array(filters),
    distance: Array.from({ length: levels }, () => new Float64Array(filters)),
  };
}

/** The proxy of a tally: sum_j mean|A_c - A_d,j| / (mean|A_c| + eps), per filter. */
function proxyOf(t: Tally): number[] {
  return Array.from(t.cleanScale, (scale, f) =>
    t.distance.reduce((sum, d) => sum + (d[f] as number) / t.images / (scale / t.images + PROXY_EPSILON), 0),
  );
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
  const { images, layer, levels } = job;
  const oracle = job.method !== 'proxy';
  const proxyWanted = job.method !== 'oracle';
  const split = splitModel(job.model, layer.activation);
  const n = images.n;
  const rows = Math.max(1, job.batchRows);
  const partSize = Math.min(n, rows);
  const filters = layer.filters;
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
          for (let first = 0; first < filters; first += chunk) {
            await yieldToEventLoop(job.signal);
            const group = Array.from({ length: Math.min(chunk, filters - first) }, (_, k) => first + k);
            const predicted = await predictedClasses(() => {
              const swapped = swapStack(cleanAct, dist, oneHotMasks(filters, group));
              const repeated = context.map((c) => repeatRows(c, group.length));
              return split.tail(swapped, repeated);
            });
            countErrors(predicted, part, start, group.length, (t, v) => {
              const row = t.perFilter[group[v] as number] as number[];
              row[j] = (row[j] as number) + 1;
            });
            job.tick(`${where(j)}, filters ${first + group.length}/${filters}`, group.length * share);
          }
        } finally {
          tf.dispose([dist, ...context]);
        }
      }
    } finally {
      tf.dispose([cleanAct, part.pixels, ...cleanContext.filter((t) => !t.isDisposed)]);
    }
  }
  const result = summarise(job, tallies);
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

/** Adds the halves' tallies into the whole set's. */
function combined(tallies: readonly Tally[], filters: number, levels: number): Tally {
  if (tallies.length === 1) return tallies[0] as Tally;
  const all = emptyTally(filters, levels);
  for (const t of tallies) {
    all.images += t.images;
    all.clean += t.clean;
    t.baseline.forEach((e, j) => (all.baseline[j] = (all.baseline[j] as number) + e));
    t.perFilter.forEach((row, f) =>
      row.forEach((e, j) => {
        const into = all.perFilter[f] as number[];
        into[j] = (into[j] as number) + e;
      }),
    );
    t.cleanScale.forEach((v, f) => (all.cleanScale[f] = (all.cleanScale[f] as number) + v));
    t.distance.forEach((d, j) =>
      d.forEach(
        (v, f) =>
          ((all.distance[j] as Float64Array)[f] = ((all.distance[j] as Float64Array)[f] as number) + v),
      ),
    );
  }
  return all;
}

/** A layer's ranking from its tallies: tau or the proxy, the order, ties, cells and the halves' agreement. */
function summarise(job: LayerJob, tallies: readonly Tally[]): LayerRanking {
  const oracle = job.method !== 'proxy';
  const proxyWanted = job.method !== 'oracle';
  const filters = job.layer.filters;
  const all = combined(tallies, filters, job.levels.length);
  const proxy = proxyWanted ? proxyOf(all) : undefined;
  const result: LayerRanking = {
    layer: job.layer.name,
    activation: job.layer.activation,
    filters,
    order: [],
    ties: { filters: 0, groups: 0, largest: 0 },
    seconds: 0,
  };
  if (proxy) {
    result.proxy = proxy;
    result.proxyOrder = rankOrder(proxy);
  }
  if (oracle) {
    const { tau, skipped } = correctionPriority(all.baseline, all.perFilter, job.tau);
    result.tau = tau;
    result.errors = {
      images: all.images,
      clean: all.clean,
      baseline: all.baseline,
      perFilter: all.perFilter,
    };
    result.skippedLevels = skipped.map((j) => job.levels[j] as number);
    const cells = cellChanges(all.baseline, all.perFilter);
    result.worseCells = cells.worse;
    result.betterCells = cells.better;
    result.order = rankOrder(tau, proxy);
    result.ties = countTies(tau);
    if (proxy) result.spearman = spearman(tau, proxy);
  } else {
    result.order = result.proxyOrder ?? [];
    result.ties = countTies(proxy ?? []);
  }
  if (tallies.length === 2) {
    // Each half ordered as the whole set is: by its own tau (tie-broken by its own proxy), else its proxy.
    const [a, b] = tallies.map((t) => {
      const p = proxyWanted ? proxyOf(t) : undefined;
      const score = oracle ? correctionPriority(t.baseline, t.perFilter, job.tau).tau : (p as number[]);
      return oracle && p ? { score, tieBreak: p } : { score };
    }) as [{ score: number[]; tieBreak?: number[] }, { score: number[]; tieBreak?: number[] }];
    const { spearman: rho, topOverlap } = rankingStability(a, b, job.stabilityBeta);
    result.stability = { spearman: rho, topOverlap };
  }
  return result;
}
