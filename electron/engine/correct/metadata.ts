import type * as tf from '@tensorflow/tfjs';
import { correctedArch } from '../../../shared/models.ts';
import type { ModelMetadata } from '../models/metadata.ts';
import { summarize } from '../models/summary.ts';
import type { Placement, PlanEntry } from './build.ts';
import { UNIT_PREFIX } from './unit.ts';

/** What a corrected model's deepcorrect.json records about its units (provenance.correction). */
export interface CorrectionProvenance {
  baseModel: string;
  baseArch: string;
  layers: string[];
  beta?: number;
  rankingMethod?: string;
  placement: Placement;
  plan: PlanEntry[];
  trainableParameters: number;
}

/**
 * Metadata of a corrected model: the base's classes and input, arch `<base arch>+deepcorrect`, the base conv
 * layers only (the units' convs are an implementation detail), and the correction in provenance.
 */
export function correctedMetadata(
  model: tf.LayersModel,
  base: ModelMetadata,
  correction: Omit<CorrectionProvenance, 'trainableParameters' | 'baseArch'>,
  provenance: Record<string, unknown> = {},
): ModelMetadata {
  const summary = summarize(model);
  return {
    format: 'deepcorrect-model',
    version: 1,
    arch: correctedArch(base.arch),
    inputShape: base.inputShape,
    classes: [...base.classes],
    normalisation: { kind: 'unit' },
    parameters: summary.parameters,
    convLayers: summary.convLayers.map((c) => c.name).filter((n) => !n.startsWith(UNIT_PREFIX)),
    provenance: {
      ...provenance,
      correction: {
        ...correction,
        baseArch: base.arch,
        trainableParameters: summary.trainableParameters,
      } satisfies CorrectionProvenance,
    },
  };
}
