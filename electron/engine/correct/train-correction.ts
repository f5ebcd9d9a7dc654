import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { correctedArch } from '../../../shared/models.ts';
import { MIX_DEFAULTS } from '../../../shared/bridge/defaults.ts';
import { readValues } from '../backend/read.ts';
import type { ModelMetadata } from '../models/metadata.ts';
import { saveModel } from '../models/model-io.ts';
import { summarize } from '../models/summary.ts';
import { describeSchedule } from '../train/schedule.ts';
import { buildCorrectedModel, type Placement, type PlanEntry } from './build.ts';
import { correctedMetadata } from './metadata.ts';
import { MIXED_CHECKPOINT_FOLDER } from './mixed-checkpoint.ts';
import {
  DEFAULT_SCHEDULE,
  trainMixed,
  type MixedTrainingOptions,
  type MixedTrainingResult,
} from './train-loop.ts';
import { UNIT_PREFIX } from './unit.ts';
import { recordPath } from '../io/recorded-path.ts';
import { recordedNow } from '../io/recorded-time.ts';

/**
 * Units train with SGD and Nesterov momentum 0.9 (docs/method.md §4), but at learning rate 0.01, not the
 * paper's 0.1: on the demo cnn4 (no batch norm in the frozen network) 0.1 diverged in the first epoch (loss
 * 8.3, chance accuracy; docs/correction.md). --lr 0.1 still gives the paper's setting.
 */
export const UNIT_OPTIMIZER = {
  kind: 'sgd',
  learningRate: 0.01,
  momentum: 0.9,
  nesterov: true,
} as const;

export interface CorrectionOptions extends MixedTrainingOptions {
  /**
   * The base model with `plan` (a corrected model is built from them; the base is left untouched), or an
   * already corrected model (from buildCorrectedModel or a saved one) without `plan`, trained in place.
   */
  model: tf.LayersModel;
  plan?: PlanEntry[];
  placement?: Placement;
  /** The base model's metadata: needed to save (classes, arch). */
  baseMetadata?: ModelMetadata;
  /**
   * Where to save the selected model (saveModel); the run's checkpoint goes to <outDir>/checkpoint unless
   * checkpointDir says otherwise. Nothing is written without it.
   */
  outDir?: string;
  /** Recorded in the saved model's provenance. */
  baseModelPath?: string;
  beta?: number;
  rankingMethod?: string;
  command?: string;
}

export interface TrainedModel extends MixedTrainingResult {
  /** The selected model (best mean validation accuracy); the caller disposes it. */
  model: tf.LayersModel;
  trainableParameters: number;
  metadata?: ModelMetadata;
}

/** The plan a corrected model was built with, read back from its layers (for a model given ready-made). */
async function planOf(model: tf.LayersModel): Promise<PlanEntry[]> {
  const gathers = model.layers.filter((l) => l.name.startsWith(UNIT_PREFIX) && l.name.endsWith('_gather'));
  const kernels = await Promise.all(
    gathers.map(async (l) => {
      const weight = l.getWeights()[0];
      return weight === undefined ? new Float32Array() : readValues(weight);
    }),
  );
  return gathers.map((l, i) => {
    const kernel = kernels[i] as Float32Array;
    const [, , channels = 0, d = 0] = l.getWeights()[0]?.shape ?? [];
    const filters = new Array<number>(d);
    for (let c = 0; c < channels; c++)
      for (let j = 0; j < d; j++) if (kernel[c * d + j] === 1) filters[j] = c;
    return { layer: l.name.slice(UNIT_PREFIX.length, -'_gather'.length), filters };
  });
}

/**
 * Trains DeepCorrect units (docs/method.md §4): only the units' weights change; every base weight stays
 * frozen. Returns the history and the selected model, saved to outDir when given (its checkpoint stays
 * there, as the baseline trainer's does).
 */
export async function trainCorrection(o: CorrectionOptions): Promise<TrainedModel> {
  const built = o.plan !== undefined;
  const model = built
    ? await buildCorrectedModel(o.model, o.plan ?? [], {
        seed: o.seed,
        placement: o.placement ?? 'post-activation',
      })
    : o.model;
  if (!model.layers.some((l) => l.name.startsWith(UNIT_PREFIX)))
    throw new Error('the model has no correction units: give the base model with a plan');
  try {
    const result = await trainMixed(
      model,
      withCheckpoint(o, o.outDir),
      UNIT_OPTIMIZER,
      correctedArch(o.baseMetadata?.arch ?? 'unknown'),
    );
    const trainableParameters = summarize(model).trainableParameters;
    let metadata: ModelMetadata | undefined;
    if (o.outDir !== undefined) {
      if (o.baseMetadata === undefined) throw new Error('saving a corrected model needs the base metadata');
      const plan = o.plan ?? (await planOf(model));
      metadata = correctedMetadata(
        model,
        o.baseMetadata,
        {
          baseModel: o.baseModelPath === undefined ? 'unknown' : recordPath(o.baseModelPath, o.paths),
          layers: plan.map((p) => p.layer),
          ...(o.beta === undefined ? {} : { beta: o.beta }),
          ...(o.rankingMethod === undefined ? {} : { rankingMethod: o.rankingMethod }),
          placement: o.placement ?? 'post-activation',
          plan,
        },
        provenanceOf(o, result),
      );
      await saveModel(model, o.outDir, metadata);
    }
    return { ...result, model, trainableParameters, ...(metadata === undefined ? {} : { metadata }) };
  } catch (error) {
    if (built) model.dispose();
    throw error;
  }
}

/** The options with checkpointDir <outDir>/checkpoint, unless the caller chose one or there is no outDir. */
export function withCheckpoint<T extends MixedTrainingOptions>(o: T, outDir: string | undefined): T {
  if (o.checkpointDir !== undefined || outDir === undefined) return o;
  return { ...o, checkpointDir: path.join(outDir, MIXED_CHECKPOINT_FOLDER) };
}

/** The training run's facts for a saved model's provenance (shared with fine-tuning). */
export function provenanceOf(
  o: MixedTrainingOptions & { command?: string },
  r: MixedTrainingResult,
): Record<string, unknown> {
  const best = r.history.find((h) => h.epoch === r.bestEpoch);
  return {
    dataset: recordPath(o.dataset.summary.path, o.paths),
    seed: o.seed,
    epochs: r.history.length,
    backend: o.backend,
    optimizer: r.optimizer,
    trainImages: r.trainImages,
    trainedAt: recordedNow(),
    ...(o.command === undefined ? {} : { command: o.command }),
    distortion: { ...o.spec, levels: o.levels },
    distortedFraction: o.distortedFraction ?? 0.5,
    schedule: describeSchedule(o.schedule ?? DEFAULT_SCHEDULE),
    bestEpoch: r.bestEpoch,
    patience: o.patience ?? MIX_DEFAULTS.patience,
    stop: r.stop,
    validation: r.validation,
    valImages: r.valImages,
    ...(best === undefined
      ? {}
      : { valMeanAccuracy: best.valMean, valAccuracyPerCondition: best.valAccuracy }),
    history: r.history,
  };
}
