export {
  buildCorrectedModel,
  resolvePlan,
  unitLayerNames,
  PLACEMENTS,
  type PlanEntry,
  type Placement,
} from './build.ts';
export { planFromRanking, correctedCount } from './plan.ts';
export { correctedMetadata, type CorrectionProvenance } from './metadata.ts';
export { unitParameters, UNIT_PREFIX, UNIT_L1 } from './unit.ts';
export {
  trainMixed,
  type MixedEpoch,
  type MixedTrainingOptions,
  type MixedTrainingResult,
} from './train-loop.ts';
export {
  trainCorrection,
  UNIT_OPTIMIZER,
  type CorrectionOptions,
  type TrainedModel,
} from './train-correction.ts';
export {
  fineTune,
  parseFineTuneLayers,
  copyModel,
  FINE_TUNE_OPTIMIZER,
  type FineTuneLayers,
} from './fine-tune.ts';
