import * as tf from '@tensorflow/tfjs';
import type { SplitName } from '../../../shared/datasets.ts';
import type { DistortionSpec } from '../../../shared/distortions.ts';
import { etaSeconds, type ProgressListener } from '../../../shared/progress.ts';
import type { Dataset } from '../data/dataset.ts';
import { summarize, type ConvLayerSummary } from '../models/summary.ts';
import { RANK_DEFAULTS } from '../../../shared/bridge/defaults.ts';
import { defaultRankingImages } from '../../../shared/ranking-size.ts';
import { loadRankingSet, type RankingSet, type RankingSetSize } from './ranking-set.ts';
import { layerUnits, rankLayer, type LayerJob } from './rank-layer.ts';
import { weightsSha256 } from '../models/weights-hash.ts';
import { TAU_KINDS, type TauKind } from './tau.ts';
import { recordPath, type PathRecording } from '../io/recorded-path.ts';
import type { LayerRanking, RankingResult, RankMethod } from './types.ts';

export interface RankOptions {
  model: tf.LayersModel;
  dataset: Dataset;
  /** Conv layers to rank, by name; every conv layer in forward order when absent. */
  layers?: readonly string[];
  /** The distortion, without its level: the levels come from `levels`. */
  spec: Omit<DistortionSpec, 'level'>;
  levels: readonly number[];
  /** Seed of the ranking subset, of its halves and of the distortions. */
  seed: number;
  /**
   * The ranking set's size: `images` spread evenly over the classes (default RANK_DEFAULTS.images, or the whole
   * split when smaller), or `perClass` images of each class (the alternative; not both).
   */
  images?: number;
  perClass?: number;
  /** The split the ranking set is drawn from (default train, as the authors). */
  split?: SplitName;
  method: RankMethod;
  /** Which tau orders the filters (default abs, the authors'). */
  tau?: TauKind;
  /** Measure each order's stability on two disjoint halves of the set (default true; no extra passes). */
  stability?: boolean;
  /** Share of the filters whose top sets the stability compares (default RANK_DEFAULTS.stabilityBeta). */
  stabilityBeta?: number;
  /** How errors name the size's option (default "images", the request's field; the CLI's "--rank-images"). */
  imagesOption?: string;
  /** How the dataset's path is recorded in the result (default: portable, io/recorded-path.ts). */
  paths?: PathRecording;
  /** Rows per oracle tail pass, and images per head pass (default 1000). */
  batchRows?: number;
  /** A name for the model in the result (default the model's own). */
  modelName?: string;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

/** The conv layers of the summary to rank, checked against the model. */
export function chooseLayers(model: tf.LayersModel, names?: readonly string[]): ConvLayerSummary[] {
  const convs = summarize(model).convLayers;
  if (names === undefined || names.length === 0) return convs;
  return names.map((name) => {
    const found = convs.find((c) => c.name === name);
    if (found === undefined) {
      throw new Error(
        `"${name}" is not a conv layer of the model; its conv layers are ${convs.map((c) => c.name).join(', ')}`,
      );
    }
    return found;
  });
}

/** The ranking set's size from the options: refused when both or neither fit, before any image is read. */
function setSize(options: RankOptions, available: number): RankingSetSize {
  if (options.images !== undefined && options.perClass !== undefined)
    throw new RangeError('give the ranking images or the images per class, not both');
  if (options.perClass !== undefined) {
    if (!Number.isInteger(options.perClass) || options.perClass < 1)
      throw new RangeError(`images per class must be a positive integer, not ${options.perClass}`);
    return { perClass: options.perClass };
  }
  return { images: options.images ?? defaultRankingImages(available) };
}

/** The options checked and resolved, before any image is read. */
export interface PreparedRanking {
  split: SplitName;
  tauKind: TauKind;
  beta: number;
  layers: ConvLayerSummary[];
  size: RankingSetSize;
}

/** Checks the options and resolves defaults and layers; refuses bad ones before any image is read. */
export function prepareRanking(options: RankOptions): PreparedRanking {
  const split = options.split ?? 'train';
  const tauKind = options.tau ?? RANK_DEFAULTS.tau;
  const beta = options.stabilityBeta ?? RANK_DEFAULTS.stabilityBeta;
  if (options.levels.length === 0) throw new Error('ranking needs at least one distortion level');
  if (!TAU_KINDS.includes(tauKind))
    throw new RangeError(`tau "${String(tauKind)}" is not one of ${TAU_KINDS.join(', ')}`);
  if (!(beta > 0 && beta <= 1))
    throw new RangeError(`the stability's beta must be within (0, 1], not ${beta}`);
  const layers = chooseLayers(options.model, options.layers);
  const available = options.dataset.summary.splits.find((s) => s.name === split)?.count ?? 0;
  return { split, tauKind, beta, layers, size: setSize(options, available) };
}

/** The ranking set loaded, with its halves where it can be split; the caller disposes `images.pixels`. */
export async function loadPreparedSet(
  options: RankOptions,
  prepared: PreparedRanking,
): Promise<{ images: RankingSet; halves: Uint8Array | undefined }> {
  const images = await loadRankingSet(options.dataset, prepared.split, prepared.size, {
    seed: options.seed,
    halves: options.stability ?? RANK_DEFAULTS.stability,
    option: options.imagesOption ?? 'images',
    signal: options.signal,
  });
  if (images.n === 0) {
    images.pixels.dispose();
    throw new Error(`the ${prepared.split} split gave no ranking images`);
  }
  // Halves of one image cannot both be ranked.
  return { images, halves: images.n >= 2 ? images.halves : undefined };
}

/** One layer's job, its progress reported through `tick`. */
export function layerJobOf(
  options: RankOptions,
  prepared: PreparedRanking,
  set: { images: RankingSet; halves: Uint8Array | undefined },
  layer: ConvLayerSummary,
  tick: LayerJob['tick'],
): LayerJob {
  return {
    model: options.model,
    images: set.images,
    halves: set.halves,
    layer,
    spec: options.spec,
    levels: options.levels,
    seed: options.seed,
    method: options.method,
    tau: prepared.tauKind,
    stabilityBeta: prepared.beta,
    batchRows: options.batchRows ?? 1000,
    signal: options.signal,
    tick,
  };
}

/** A progress tick that turns units done of `total` into the listener's fraction and ETA. */
export function progressTicker(options: RankOptions, total: number): LayerJob['tick'] {
  const started = performance.now();
  let done = 0;
  return (stage, units) => {
    done += units;
    const fraction = total === 0 ? 1 : Math.min(1, done / total);
    options.onProgress?.({
      stage,
      fraction,
      etaSeconds: etaSeconds(fraction, (performance.now() - started) / 1000),
    });
  };
}

/** What a ranking result says of its settings and set, whole or merged from shards. */
export type RankingHeader = Omit<RankingResult, 'layers' | 'backend' | 'seconds' | 'shards'>;

export function rankingHeader(
  options: RankOptions,
  prepared: PreparedRanking,
  set: { images: RankingSet; halves: Uint8Array | undefined },
  weights: string,
): RankingHeader {
  const { size, split, beta } = prepared;
  const { images, halves } = set;
  const inFirst = halves?.reduce((sum, h) => sum + (h === 0 ? 1 : 0), 0) ?? 0;
  return {
    model: options.modelName ?? options.model.name,
    dataset: recordPath(options.dataset.summary.path, options.paths),
    method: options.method,
    kind: options.spec.kind,
    levels: [...options.levels],
    seed: options.seed,
    tauKind: prepared.tauKind,
    split,
    ...('images' in size ? { rankImages: size.images } : { perClass: size.perClass }),
    rankingImages: images.n,
    ...(halves
      ? {
          stability: {
            method: 'split-half' as const,
            images: [inFirst, images.n - inFirst] as [number, number],
            score: options.method === 'proxy' ? ('proxy' as const) : ('tau' as const),
            beta,
          },
        }
      : {}),
    weightsSha256: weights,
  };
}

/** Correction priority of every filter of the chosen conv layers (docs/method.md §2), oracle and/or proxy. */
export async function rankFilters(options: RankOptions): Promise<RankingResult> {
  const started = performance.now();
  const prepared = prepareRanking(options);
  const { levels } = options;
  const total = prepared.layers.reduce(
    (sum, l) => sum + layerUnits(l.filters, levels.length, options.method),
    0,
  );
  const tick = progressTicker(options, total);
  const weights = await weightsSha256(options.model);
  const set = await loadPreparedSet(options, prepared);
  const results: LayerRanking[] = [];
  try {
    for (const layer of prepared.layers)
      results.push(await rankLayer(layerJobOf(options, prepared, set, layer, tick)));
  } finally {
    set.images.pixels.dispose();
  }
  return {
    ...rankingHeader(options, prepared, set, weights),
    layers: results,
    backend: tf.getBackend(),
    seconds: (performance.now() - started) / 1000,
  };
}
