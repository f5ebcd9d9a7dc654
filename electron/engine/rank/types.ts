import type { SplitName } from '../../../shared/datasets.ts';
import type { DistortionKind } from '../../../shared/distortions.ts';
import type { TauKind } from './tau.ts';

export type RankMethod = 'oracle' | 'proxy' | 'both';
export const RANK_METHODS: readonly RankMethod[] = ['oracle', 'proxy', 'both'];

/** Misclassified ranking images (counts, so equality tests are exact; divide by `images` for rates). */
export interface OracleErrors {
  images: number;
  /** On the clean ranking set. */
  clean: number;
  /** e_j: per level, nothing swapped. */
  baseline: number[];
  /** e_ij: [filter][level], that filter's map replaced by its clean map. */
  perFilter: number[][];
}

export interface LayerRanking {
  /** The conv layer. */
  layer: string;
  /** The layer whose output was ranked on: the conv's post-activation map. */
  activation: string;
  filters: number;
  /** The order used downstream: the oracle's when it ran, else the proxy's. Filter indices, most important first. */
  order: number[];
  /** Correction priority tau_i of the result's tauKind (docs/method.md §2); absent when only the proxy ran. */
  tau?: number[];
  errors?: OracleErrors;
  /** Filter x level cells where the filter's clean map added errors (e_ij > e_j) or removed some (e_ij < e_j). */
  worseCells?: number;
  betterCells?: number;
  /**
   * Filters that share the order's score (tau, or the proxy when only the proxy ran) with another filter, in
   * how many groups, the largest of how many: their order among themselves is the tie-breaker's.
   */
  ties: { filters: number; groups: number; largest: number };
  /** The agreement of the orders from the two halves of the ranking set (see RankingResult.stability). */
  stability?: { spearman: number | null; topOverlap: number };
  /**
   * Levels left out of tau because no ranking image was misclassified there (e_j = 0, the ratio undefined);
   * tau then sums over the other levels.
   */
  skippedLevels?: number[];
  /** Normalised L1 distance of clean and distorted maps, summed over levels; absent when only the oracle ran. */
  proxy?: number[];
  proxyOrder?: number[];
  /** Spearman rank correlation of tau and the proxy (average ranks for ties); NaN (null in JSON) when either is constant. */
  spearman?: number;
  seconds: number;
}

export interface RankingResult {
  model: string;
  dataset: string;
  method: RankMethod;
  kind: DistortionKind;
  levels: number[];
  seed: number;
  /** Which tau orders the filters: the authors' abs, or signed (tau.ts). */
  tauKind: TauKind;
  /** The ranking set: a seeded stratified subset of this split, of `rankImages` images or `perClass` a class. */
  split: SplitName;
  rankImages?: number;
  perClass?: number;
  /** The images it held (fewer than asked where a class ran short). */
  rankingImages: number;
  /**
   * Stability of each layer's order: the ranking set split into two disjoint stratified halves (`images`),
   * each ranked on its own by `score`; per layer the Spearman of the halves' scores and the overlap of their
   * top-beta filters (LayerRanking.stability). Absent when not asked for.
   */
  stability?: { method: 'split-half'; images: [number, number]; score: 'tau' | 'proxy'; beta: number };
  layers: LayerRanking[];
  backend: string;
  seconds: number;
  /** SHA-256 of the ranked model's weights as loaded (models/weights-hash.ts), so a ranking names its model. */
  weightsSha256?: string;
  /** Present when merged from shards (rank/rank-shard.ts): their count and each one's seconds. */
  shards?: { count: number; seconds: number[] };
}

export interface FractionAccuracy {
  fraction: number;
  /** Filters corrected: round(fraction * filters), at least 1. */
  corrected: number;
  /** Top-1 accuracy per level. */
  accuracy: number[];
  /** Mean over the distorted levels alone. */
  meanLevels: number;
}

export interface LayerExperiment {
  layer: string;
  fractions: FractionAccuracy[];
}

export interface ExperimentResult {
  split: SplitName;
  perClass: number;
  images: number;
  seed: number;
  kind: DistortionKind;
  levels: number[];
  /** Top-1 accuracy on the clean images. */
  clean: number;
  /** Top-1 accuracy per level, nothing corrected. */
  baseline: number[];
  /** Mean of `baseline` over the distorted levels alone. */
  baselineMeanLevels: number;
  layers: LayerExperiment[];
  seconds: number;
}
