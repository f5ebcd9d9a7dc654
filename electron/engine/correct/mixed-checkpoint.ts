import { createHash } from 'node:crypto';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { readValues } from '../backend/read.ts';
import type { Dataset } from '../data/dataset.ts';
import type { ModelMetadata } from '../models/metadata.ts';
import { summarize } from '../models/summary.ts';
import { describeAugment, type AugmentOptions } from '../train/augment.ts';
import {
  differencesOf,
  finiteOrNaN,
  folderEntries,
  readCheckpointAt,
  type CheckpointKind,
  type StoredState,
} from '../train/checkpoint-store.ts';
import { improvements } from '../train/early-stop.ts';
import { describeOptimizer, type OptimizerSpec } from '../train/optimizer.ts';
import { describeSchedule, learningRateAt, type LearningRateSchedule } from '../train/schedule.ts';
import type { MixedEpoch, MixedTrainingOptions } from './train-loop.ts';
import { recordPath, sameRecordedPlace } from '../io/recorded-path.ts';

/** The folder a unit or fine-tuning run keeps its checkpoint in, inside its output folder. */
export const MIXED_CHECKPOINT_FOLDER = 'checkpoint';

/** The settings a resumed run must match (epochs is checked on its own, see resumeProblems). */
const FIXED = [
  'dataset',
  'seed',
  'batchSize',
  'distortion',
  'levels',
  'distortedFraction',
  'validationFraction',
  'trainPerClass',
  'optimizer',
  'schedule',
  'augment',
  'model',
  'validation',
] as const;

const settingsSchema = z.object({
  /** The dataset's path as recorded (io/recorded-path.ts; absolute in checkpoints of earlier versions). */
  dataset: z.string(),
  seed: z.number().int(),
  epochs: z.number().int(),
  batchSize: z.number().int(),
  /** The distortion spec without its level, as JSON. */
  distortion: z.string(),
  levels: z.string(),
  distortedFraction: z.number(),
  /** 0 when the dataset's own val split validates (the fraction is then unused). */
  validationFraction: z.number(),
  trainPerClass: z.number().int().nullable(),
  optimizer: z.string(),
  schedule: z.string(),
  augment: z.string(),
  /** Trainable and total parameters and a digest of the starting weights' names, shapes, roles and values. */
  model: z.string(),
  /** Which images validate (a ValidationSource); checkpoints written before it was recorded used a seeded split. */
  validation: z.string().default('seeded split'),
});

export type MixedSettings = z.infer<typeof settingsSchema>;

const epochSchema = z.object({
  epoch: z.number().int(),
  loss: finiteOrNaN,
  accuracy: finiteOrNaN,
  valAccuracy: z.array(finiteOrNaN),
  valMean: finiteOrNaN,
  learningRate: z.number(),
  seconds: z.number(),
  imagesPerSecond: finiteOrNaN,
});

export const MIXED_CHECKPOINT: CheckpointKind<MixedSettings, MixedEpoch> = {
  trainer: 'correct/finetune',
  settings: settingsSchema,
  record: epochSchema,
  fixed: FIXED,
};

export type MixedState = StoredState<MixedSettings, MixedEpoch>;

/** The mixed trainers' selection rule: a higher validation mean over clean plus levels (ties: the earlier epoch). */
export function betterMean(
  candidate: Pick<MixedEpoch, 'valMean'>,
  best: Pick<MixedEpoch, 'valMean'> | undefined,
): boolean {
  return best === undefined || candidate.valMean > best.valMean;
}

/**
 * What the run starts from: the base weights (fine-tuning), the frozen base and the plan's gather kernels
 * and the seeded unit weights (units), and which weights train. Taken before any checkpoint is restored, so a
 * resumed run is refused when its base model, plan, layer choice or seed differ from the checkpoint's.
 */
export async function modelFingerprint(model: tf.LayersModel): Promise<string> {
  const trainable = new Set(model.trainableWeights);
  const hash = createHash('sha256');
  const values = await Promise.all(model.weights.map((w) => readValues<'float32' | 'int32'>(w.read())));
  model.weights.forEach((w, i) => {
    hash.update(`${w.originalName}|${w.shape.join('x')}|${trainable.has(w) ? 't' : 'f'};`);
    const data = values[i] as Float32Array | Int32Array;
    hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  });
  const { parameters, trainableParameters } = summarize(model);
  return `${trainableParameters} trainable of ${parameters} parameters, weights ${hash.digest('hex').slice(0, 16)}`;
}

export interface ResolvedMix {
  optimizer: OptimizerSpec;
  schedule: LearningRateSchedule;
  batchSize: number;
  augment: AugmentOptions;
  distortedFraction: number;
}

export function mixedSettingsOf(
  o: MixedTrainingOptions,
  r: ResolvedMix,
  hasVal: boolean,
  model: string,
  validation: string,
): MixedSettings {
  return {
    dataset: recordPath(o.dataset.summary.path, o.paths),
    seed: o.seed,
    epochs: o.epochs,
    batchSize: r.batchSize,
    distortion: JSON.stringify(o.spec),
    levels: o.levels.join(','),
    distortedFraction: r.distortedFraction,
    validationFraction: hasVal ? 0 : (o.validationFraction ?? 0.1),
    trainPerClass: o.trainPerClass ?? null,
    optimizer: describeOptimizer(r.optimizer),
    schedule: describeSchedule(r.schedule),
    augment: describeAugment(r.augment),
    model,
    validation,
  };
}

/**
 * Why `saved` cannot continue as a run of `wanted`: fixed settings that differ, and an epoch count that is
 * too small or that would change the learning rate of an epoch already trained (a cosine schedule's rates
 * depend on the total); a longer run under a step or constant schedule is an exact continuation.
 */
export function resumeProblems(
  saved: MixedState,
  wanted: MixedSettings,
  o: { epochs: number; schedule: LearningRateSchedule; learningRate: number },
): string[] {
  const problems = differencesOf(FIXED, saved.settings, wanted);
  const improved = improvements(saved.history, betterMean);
  if (saved.epoch > o.epochs)
    problems.push(`epochs: the checkpoint has already completed ${saved.epoch}, more than ${o.epochs}`);
  else if (
    saved.history.some(
      (h) => learningRateAt(o.schedule, o.learningRate, h.epoch, o.epochs, improved) !== h.learningRate,
    )
  )
    problems.push(
      `epochs: ${saved.settings.epochs} in the checkpoint, ${o.epochs} now (the ${wanted.schedule} schedule would change the rates of epochs already trained)`,
    );
  return problems;
}

/** Metadata of a checkpoint's epoch model, so each epoch folder is an ordinary loadable model folder. */
export function checkpointMetadata(
  model: tf.LayersModel,
  dataset: Dataset,
  arch: string,
  settings: MixedSettings,
  history: MixedEpoch[],
): ModelMetadata {
  const summary = summarize(model);
  const { height, width, channels, classes } = dataset.summary;
  return {
    format: 'deepcorrect-model',
    version: 1,
    arch,
    inputShape: [height, width, channels],
    classes: [...classes],
    normalisation: { kind: 'unit' },
    parameters: summary.parameters,
    convLayers: summary.convLayers.map((l) => l.name),
    provenance: {
      dataset: settings.dataset,
      seed: settings.seed,
      epochs: history.length,
      optimizer: settings.optimizer,
      checkpoint: true,
      history,
    },
  };
}

/**
 * The checkpoint a run continues from, or undefined for a fresh start. A fresh run (no `resume`) never
 * overwrites another run's checkpoint; `resume` without a committed one starts afresh, as the baseline
 * trainer does (a folder left by a run killed while writing its first checkpoint holds no committed state).
 */
export async function openMixedCheckpoint(
  root: string,
  resume: boolean,
  wanted: MixedSettings,
  o: { epochs: number; schedule: LearningRateSchedule; learningRate: number },
): Promise<MixedState | undefined> {
  if (!resume) {
    if ((await folderEntries(root)).length > 0)
      throw new Error(
        `${root} holds the checkpoint of an earlier run: resume it (--resume) or choose another output folder`,
      );
    return undefined;
  }
  const saved = await readCheckpointAt(root, MIXED_CHECKPOINT);
  if (saved === undefined) return undefined;
  // A checkpoint made before paths were portable recorded the dataset's absolute path: the same place passes.
  const earlier = saved.settings.dataset;
  const same = path.isAbsolute(earlier) && sameRecordedPlace(earlier, wanted.dataset);
  const problems = resumeProblems(saved, same ? { ...wanted, dataset: earlier } : wanted, o);
  if (problems.length > 0)
    throw new Error(
      `cannot resume ${root}: the checkpoint was made with other settings (${problems.join('; ')})`,
    );
  return saved;
}
