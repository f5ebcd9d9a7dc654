export { rankFilters, chooseLayers, type RankOptions } from './rank-filters.ts';
export {
  oracleExperiment,
  correctedCount,
  EXPERIMENT_FRACTIONS,
  type ExperimentOptions,
} from './experiment.ts';
export { spearman, averageRanks, rankOrder } from './spearman.ts';
export { correctionPriority, PROXY_EPSILON } from './rank-layer.ts';
export { splitModel, runGraph, type SplitModel } from './graph.ts';
export * from './types.ts';
