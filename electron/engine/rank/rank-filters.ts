import * as tf from '@tensorflow/tfjs';
import type { SplitName } from '../../../shared/datasets.ts';
import type { DistortionSpec } from '../../../shared/distortions.ts';
import { etaSeconds, type ProgressListener } from '../../../shared/progress.ts';
import type { Dataset } from '../data/dataset.ts';
import { summarize, type ConvLayerSummary } from '../models/summary.ts';
import { RANK_DEFAULTS } from '../../../shared/bridge/defaults.ts';
import { defaultRankingImages } from '../../../shared/ranking-size.ts';
import { loadRankingSet, type RankingSetSize } from './ranking-set.ts';
import { layerUnits, rankLayer } from './rank-layer.ts';
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

/** Correction priority of every filter of the chosen conv layers (docs/method.md §2), oracle and/or proxy. */
export async function rankFilters(options: RankOptions): Promise<RankingResult> {
  const started = performance.now();
  const { model, dataset, levels } = options;
  const split = options.split ?? 'train';
  const tauKind = options.tau ?? RANK_DEFAULTS.tau;
  const beta = options.stabilityBeta ?? RANK_DEFAULTS.stabilityBeta;
  if (levels.length === 0) throw new Error('ranking needs at least one distortion level');
  if (!TAU_KINDS.includes(tauKind))
    throw new RangeError(`tau "${String(tauKind)}" is not one of ${TAU_KINDS.join(', ')}`);
  if (!(beta > 0 && beta <= 1))
    throw new RangeError(`the stability's beta must be within (0, 1], not ${beta}`);
  const layers = chooseLayers(model, options.layers);
  const available = dataset.summary.splits.find((s) => s.name === split)?.count ?? 0;
  const size = setSize(options, available);
  const total = layers.reduce((sum, l) => sum + layerUnits(l.filters, levels.length, options.method), 0);
  let done = 0;
  const images = await loadRankingSet(dataset, split, size, {
    seed: options.seed,
    halves: options.stability ?? RANK_DEFAULTS.stability,
    option: options.imagesOption ?? 'images',
    signal: options.signal,
  });
  // Halves of one image cannot both be ranked.
  const halves = images.n >= 2 ? images.halves : undefined;
  const results: LayerRanking[] = [];
  try {
    if (images.n === 0) throw new Error(`the ${split} split gave no ranking images`);
    for (const layer of layers) {
      results.push(
        await rankLayer({
          model,
          images,
          halves,
          layer,
          spec: options.spec,
          levels,
          seed: options.seed,
          method: options.method,
          tau: tauKind,
          stabilityBeta: beta,
          batchRows: options.batchRows ?? 1000,
          signal: options.signal,
          tick: (stage, units) => {
            done += units;
            const fraction = total === 0 ? 1 : Math.min(1, done / total);
            options.onProgress?.({
              stage,
              fraction,
              etaSeconds: etaSeconds(fraction, (performance.now() - started) / 1000),
            });
          },
        }),
      );
    }
  } finally {
    images.pixels.dispose();
  }
  const inFirst = halves?.reduce((sum, h) => sum + (h === 0 ? 1 : 0), 0) ?? 0;
  return {
    model: options.modelName ?? model.name,
    dataset: recordPath(dataset.summary.path, options.paths),
    method: options.method,
    kind: options.spec.kind,
    levels: [...levels],
    seed: options.seed,
    tauKind,
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
    layers: results,
    backend: tf.getBackend(),
    seconds: (performance.now() - started) / 1000,
  };
}
