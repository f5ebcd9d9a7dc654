import * as tf from '@tensorflow/tfjs';
import type { SplitName } from '../../../shared/datasets.ts';
import type { DistortionSpec } from '../../../shared/distortions.ts';
import { etaSeconds, type ProgressListener } from '../../../shared/progress.ts';
import type { Dataset } from '../data/dataset.ts';
import { summarize, type ConvLayerSummary } from '../models/summary.ts';
import { loadSubset } from './images.ts';
import { layerUnits, rankLayer } from './rank-layer.ts';
import type { LayerRanking, RankingResult, RankMethod } from './types.ts';

export interface RankOptions {
  model: tf.LayersModel;
  dataset: Dataset;
  /** Conv layers to rank, by name; every conv layer in forward order when absent. */
  layers?: readonly string[];
  /** The distortion, without its level: the levels come from `levels`. */
  spec: Omit<DistortionSpec, 'level'>;
  levels: readonly number[];
  /** Seed of the ranking subset and of the distortions. */
  seed: number;
  /** Ranking images per class (default 10, as the authors). */
  perClass?: number;
  /** The split the ranking set is drawn from (default train, as the authors). */
  split?: SplitName;
  method: RankMethod;
  /** Rows per oracle tail pass (default 1000). */
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

/** Correction priority of every filter of the chosen conv layers (method.md section 2), oracle and/or proxy. */
export async function rankFilters(options: RankOptions): Promise<RankingResult> {
  const started = performance.now();
  const { model, dataset, levels } = options;
  const perClass = options.perClass ?? 10;
  const split = options.split ?? 'train';
  if (levels.length === 0) throw new Error('ranking needs at least one distortion level');
  const layers = chooseLayers(model, options.layers);
  const total = layers.reduce((sum, l) => sum + layerUnits(l.filters, levels.length, options.method), 0);
  let done = 0;
  const images = await loadSubset(dataset, split, perClass, options.seed, options.signal);
  const results: LayerRanking[] = [];
  try {
    if (images.n === 0) throw new Error(`the ${split} split gave no ranking images`);
    for (const layer of layers) {
      results.push(
        await rankLayer({
          model,
          images,
          layer,
          spec: options.spec,
          levels,
          seed: options.seed,
          method: options.method,
          batchRows: options.batchRows ?? 1000,
          signal: options.signal,
          tick: (stage, units) => {
            done += units;
            const fraction = total === 0 ? 1 : done / total;
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
  return {
    model: options.modelName ?? model.name,
    dataset: dataset.summary.path,
    method: options.method,
    kind: options.spec.kind,
    levels: [...levels],
    seed: options.seed,
    split,
    perClass,
    rankingImages: images.n,
    layers: results,
    backend: tf.getBackend(),
    seconds: (performance.now() - started) / 1000,
  };
}
