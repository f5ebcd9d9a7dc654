export { rankFilters, chooseLayers, type RankOptions } from './rank-filters.ts';
export {
  oracleExperiment,
  correctedCount,
  EXPERIMENT_FRACTIONS,
  type ExperimentOptions,
} from './experiment.ts';
export { spearman, averageRanks, rankOrder } from './spearman.ts';
export { PROXY_EPSILON } from './rank-layer.ts';
export { correctionPriority, cellChanges, countTies, TAU_KINDS, type TauKind } from './tau.ts';
export { rankingStability, type OrderStability } from './stability.ts';
export { balancedQuotas, stratifiedHalves, type RankingSetSize } from './ranking-set.ts';
export { splitModel, runGraph, type SplitModel } from './graph.ts';
export * from './types.ts';
