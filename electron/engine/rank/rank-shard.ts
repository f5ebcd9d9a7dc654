import * as tf from '@tensorflow/tfjs';
import type { DistortionSpec } from '../../../shared/distortions.ts';
import { contiguousSplit, type Shard } from '../../../shared/shard.ts';
import { APP_VERSION } from '../../../shared/version.ts';
import { summarize, type ConvLayerSummary } from '../models/summary.ts';
import { weightsSha256 } from '../models/weights-hash.ts';
import type { Part } from '../shard/part-file.ts';
import type { Tally } from './layer-tally.ts';
import {
  layerJobOf,
  loadPreparedSet,
  prepareRanking,
  progressTicker,
  rankingHeader,
  type RankingHeader,
  type RankOptions,
} from './rank-filters.ts';
import { filterGroups, layerUnits, tallyLayer } from './rank-layer.ts';

/** Everything that must be equal across the parts of one sharded ranking. */
export interface RankPartSettings {
  /** The engine's version: another version may plan the slices or count otherwise. */
  engine: string;
  header: RankingHeader;
  spec: Omit<DistortionSpec, 'level'>;
  layers: { name: string; activation: string; filters: number }[];
  batchRows: number;
}

/** A tally in JSON: the per-filter entries of the slice's filters only. */
interface TallyJson {
  images: number;
  clean: number;
  baseline: number[];
  perFilter: number[][];
  cleanScale: number[];
  distance: number[][];
}

/** What one shard ranked: filters [from, to) of a layer, with one tally per half (or one for the whole set). */
export interface RankSlice {
  layer: string;
  from: number;
  to: number;
  seconds: number;
  tallies: TallyJson[];
}

export interface RankPartBody {
  slices: RankSlice[];
  /** Where the shard read the model (absolute; provenance only: nodes may mount a shared folder elsewhere). */
  modelFolder?: string;
}

export type RankPart = Part<RankPartSettings, RankPartBody>;

/** One planned slice: filters [from, to) of the layer at `layer` in the ranked layers. */
export interface PlannedSlice {
  layer: number;
  from: number;
  to: number;
}

/**
 * Rough multiply-adds of one image's pass through the network after each conv layer's map (the tail a swapped
 * variant runs): the later conv layers' output size x kernel area x input channels, plus the map itself so the
 * last layer still costs something.
 */
function tailCosts(all: readonly ConvLayerSummary[]): Map<string, number> {
  const costs = new Map<string, number>();
  all.forEach((layer, i) => {
    const own = layer.outputShape.reduce((p, d) => p * Math.max(1, d), 1);
    let tail = own;
    for (let k = i + 1; k < all.length; k++) {
      const c = all[k] as ConvLayerSummary;
      const inChannels = (all[k - 1] as ConvLayerSummary).filters;
      tail += c.outputShape.reduce((p, d) => p * Math.max(1, d), 1) * c.kernel * c.kernel * inChannels;
    }
    costs.set(layer.name, tail);
  });
  return costs;
}

/**
 * The slices of shard `shard.index` of `shard.count`: the layers' tail-pass groups (as the whole run groups the
 * filters of a pass, so each filter's counts are bit for bit the whole run's) in forward order, cut into
 * contiguous runs of near-equal estimated cost. A layer's head passes (clean and per level) cost every shard
 * that touches it, so they are counted once, with its first group. Proxy-only rankings have no tail passes:
 * their items are whole layers.
 */
export function planShard(
  layers: readonly ConvLayerSummary[],
  all: readonly ConvLayerSummary[],
  method: RankOptions['method'],
  images: number,
  batchRows: number,
  levels: number,
  shard: Shard,
): PlannedSlice[] {
  const tails = tailCosts(all);
  const partSize = Math.min(images, Math.max(1, batchRows));
  const items: { slice: PlannedSlice; cost: number }[] = [];
  layers.forEach((layer, index) => {
    const tail = tails.get(layer.name) ?? 1;
    const head = (levels + 1) * (tail + layer.outputShape.reduce((p, d) => p * Math.max(1, d), 1));
    if (method === 'proxy') {
      items.push({ slice: { layer: index, from: 0, to: layer.filters }, cost: head });
      return;
    }
    const chunk = Math.max(1, Math.min(layer.filters, Math.floor(Math.max(1, batchRows) / partSize)));
    filterGroups(layer.filters, chunk, [0, layer.filters]).forEach((group, g) => {
      const from = group[0] as number;
      items.push({
        slice: { layer: index, from, to: from + group.length },
        cost: group.length * levels * tail + (g === 0 ? head : 0),
      });
    });
  });
  const runs = contiguousSplit(
    items.map((i) => i.cost),
    shard.count,
  );
  const [from, to] = runs[shard.index] ?? [0, 0];
  // Neighbouring groups of one layer join into one slice.
  const slices: PlannedSlice[] = [];
  for (const { slice } of items.slice(from, to)) {
    const last = slices.at(-1);
    if (last !== undefined && last.layer === slice.layer && last.to === slice.from) last.to = slice.to;
    else slices.push({ ...slice });
  }
  return slices;
}

function tallyJson(t: Tally, from: number, to: number): TallyJson {
  return {
    images: t.images,
    clean: t.clean,
    baseline: [...t.baseline],
    perFilter: t.perFilter.slice(from, to).map((row) => [...row]),
    cleanScale: Array.from(t.cleanScale.subarray(from, to)),
    distance: t.distance.map((d) => Array.from(d.subarray(from, to))),
  };
}

/**
 * One shard of a ranking: the same options as rankFilters, and the slice `shard` of its work. Every shard
 * loads the same ranking set and runs the head passes of the layers it touches; the swaps of its filters
 * alone. The part it returns merges with the others' into rankFilters' result (mergeRankParts).
 */
export async function rankShard(options: RankOptions, shard: Shard): Promise<RankPart> {
  const started = performance.now();
  const prepared = prepareRanking(options);
  const all = summarize(options.model).convLayers;
  const weights = await weightsSha256(options.model);
  const set = await loadPreparedSet(options, prepared);
  const batchRows = options.batchRows ?? 1000;
  const { levels, method } = options;
  const slices: RankSlice[] = [];
  try {
    const plan = planShard(prepared.layers, all, method, set.images.n, batchRows, levels.length, shard);
    const total = plan.reduce(
      (sum, s) => sum + layerUnits(s.to - s.from, levels.length, method === 'proxy' ? 'proxy' : 'oracle'),
      0,
    );
    const tick = progressTicker(options, total);
    for (const planned of plan) {
      const sliceStarted = performance.now();
      const layer = prepared.layers[planned.layer] as ConvLayerSummary;
      const job = layerJobOf(options, prepared, set, layer, tick);
      const tallies = await tallyLayer({ ...job, filterRange: [planned.from, planned.to] });
      slices.push({
        layer: layer.name,
        from: planned.from,
        to: planned.to,
        seconds: (performance.now() - sliceStarted) / 1000,
        tallies: tallies.map((t) => tallyJson(t, planned.from, planned.to)),
      });
    }
  } finally {
    set.images.pixels.dispose();
  }
  return {
    format: 'deepcorrect-part',
    version: 1,
    kind: 'rank',
    shard,
    settings: {
      engine: APP_VERSION,
      header: rankingHeader(options, prepared, set, weights),
      spec: { ...options.spec },
      layers: prepared.layers.map((l) => ({ name: l.name, activation: l.activation, filters: l.filters })),
      batchRows,
    },
    body: { slices },
    backend: tf.getBackend(),
    seconds: (performance.now() - started) / 1000,
  };
}
