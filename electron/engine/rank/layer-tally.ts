import { rankOrder, spearman } from './spearman.ts';
import { rankingStability } from './stability.ts';
import { cellChanges, correctionPriority, countTies, type TauKind } from './tau.ts';
import type { LayerRanking, RankMethod } from './types.ts';

/** Keeps the proxy finite for a filter that is silent on the clean images. */
export const PROXY_EPSILON = 1e-6;

/**
 * What one part of the ranking set (the whole set, or one half) has counted. Errors are counts; the proxy's
 * parts are sums over images of per-image channel means, so parts add up to the whole set's, and a filter's
 * entries depend on that filter alone: shards that rank different filters of a layer merge exactly.
 */
export interface Tally {
  images: number;
  clean: number;
  /** e_j per level, and e_ij as [filter][level]. */
  baseline: number[];
  perFilter: number[][];
  /** Per filter, sum over images of mean |A_c|; per level and filter, of mean |A_d - A_c|. */
  cleanScale: Float64Array;
  distance: Float64Array[];
}

export function emptyTally(filters: number, levels: number): Tally {
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

/** What summarising a layer needs to know besides its tallies. */
export interface LayerSummaryInput {
  layer: { name: string; activation: string; filters: number };
  levels: readonly number[];
  method: RankMethod;
  tau: TauKind;
  stabilityBeta: number;
}

/** A layer's ranking from its tallies: tau or the proxy, the order, ties, cells and the halves' agreement. */
export function summariseLayer(job: LayerSummaryInput, tallies: readonly Tally[]): LayerRanking {
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
