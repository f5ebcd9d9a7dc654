import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../../../shared/backends.ts';
import type { DistortionSpec } from '../../../shared/distortions.ts';
import type { ProgressListener } from '../../../shared/progress.ts';
import { MIX_DEFAULTS } from '../../../shared/bridge/defaults.ts';
import type { StudyEpoch, StudyTraining } from '../../../shared/study.ts';
import type { TrainingStop, ValidationSource } from '../../../shared/training.ts';
import type { Dataset } from '../data/dataset.ts';
import type { ModelMetadata } from '../models/metadata.ts';
import type { AugmentOptions } from '../train/augment.ts';
import { checkEpochs, runEpochs, type LoopCheckpoint } from '../train/epoch-loop.ts';
import { describeOptimizer, type OptimizerSpec } from '../train/optimizer.ts';
import { chooseValidation } from '../train/held-out.ts';
import type { LearningRateSchedule } from '../train/schedule.ts';
import { hasSplit, loadTrainingData } from '../train/training-data.ts';
import { mixedBatch, type MixSettings } from './mixed-batch.ts';
import {
  betterMean,
  checkpointMetadata,
  MIXED_CHECKPOINT,
  mixedSettingsOf,
  modelFingerprint,
  openMixedCheckpoint,
  type MixedSettings,
  type ResolvedMix,
} from './mixed-checkpoint.ts';
import { conditionAccuracies, mean, prepareConditions } from './validate.ts';
import type { PathRecording } from '../io/recorded-path.ts';

/** Stream number of the per-epoch shuffle, apart from the baseline trainer's. */
const SHUFFLE_STREAM = 0xc5f;

/** The data, budget and protocol shared by unit training and fine-tuning (docs/method.md §4). */
export interface MixedTrainingOptions {
  /** Its 'train' split is trained on; its 'val' split validates if it has one, else a held-out fraction. */
  dataset: Dataset;
  /** The distortion, without its level (one model per distortion kind). */
  spec: Omit<DistortionSpec, 'level'>;
  levels: number[];
  /** The budget: the most epochs trained. */
  epochs: number;
  /**
   * Stop once this many epochs in a row have not improved the validation mean (clean plus levels); 0: never.
   * Default MIX_DEFAULTS.patience.
   */
  patience?: number;
  /**
   * The base model's metadata: when it records the images the base model was validated on
   * (provenance.validationSplit), the run validates on exactly those and trains on the rest, whatever its seed.
   */
  baseMetadata?: ModelMetadata;
  /** Default 128. */
  batchSize?: number;
  /** Seeds the split, the shuffles, the clean/distorted draws, the distortions and the augmentation. */
  seed: number;
  /** Default per caller (SGD Nesterov 0.9 at 0.1 for units, 0.01 for fine-tuning). */
  optimizer?: OptimizerSpec;
  /** Default MIX_DEFAULTS.schedule (docs/method.md §4 has step decay, divided by 10 every 10 to 15 epochs). */
  schedule?: LearningRateSchedule;
  /** Share of each batch distorted, default 0.5. */
  distortedFraction?: number;
  /** Augmentation of the clean images, default flip and 2-pixel shifts. */
  augment?: AugmentOptions;
  /** Held out of 'train' for model selection when there is no 'val' split; 0..0.5, default 0.1. */
  validationFraction?: number;
  /** Train on a seeded stratified subset of this many images per class (tests, quick runs). */
  trainPerClass?: number;
  backend: BackendName;
  replicas?: number;
  signal?: AbortSignal;
  /** After every batch: stage `epoch e/E` and loss, accuracy, learningRate, valMean (latest epoch). */
  onProgress?: ProgressListener;
  /** After every epoch, once its checkpoint (if any) is on disk. */
  onEpoch?: (record: MixedEpoch) => void;
  /** Told once which images validate (ValidationChoice's note), before training starts. */
  onNote?: (line: string) => void;
  /**
   * Write a complete checkpoint here after every epoch (mixed-checkpoint.ts; trainCorrection and fineTune use
   * <outDir>/checkpoint). A fresh run refuses a non-empty folder.
   */
  checkpointDir?: string;
  /** Continue from the checkpoint in checkpointDir when it has one (same settings); else start afresh. */
  resume?: boolean;
  /** How paths are recorded in the checkpoint and the saved model (default: portable, io/recorded-path.ts). */
  paths?: PathRecording;
}

/** One epoch of mixed clean/distorted training: the record a study's report keeps per epoch. */
export type MixedEpoch = StudyEpoch;

/** What a study's report keeps of a training run, and where a resumed run started. */
export interface MixedTrainingResult extends StudyTraining {
  stop: TrainingStop;
  validation: ValidationSource;
  /** Epochs the checkpoint had completed when this run resumed it. */
  resumedFrom?: number;
}

export const DEFAULT_AUGMENT: AugmentOptions = { flip: true, shift: 2 };
export const DEFAULT_SCHEDULE: LearningRateSchedule = MIX_DEFAULTS.schedule;

function check(o: MixedTrainingOptions): void {
  checkEpochs(o.epochs, o.batchSize ?? 128, o.patience ?? MIX_DEFAULTS.patience);
  if (o.levels.length === 0) throw new RangeError('training needs at least one distortion level');
  const f = o.distortedFraction ?? 0.5;
  if (!(f >= 0 && f <= 1)) throw new RangeError(`distorted fraction must be within 0..1, not ${f}`);
  const v = o.validationFraction ?? 0.1;
  if (!(v > 0 && v <= 0.5)) throw new RangeError(`validation fraction must be within (0, 0.5], not ${v}`);
}

/** Opens (or refuses) the run's checkpoint before any data is loaded, so a bad resume fails fast. */
async function openCheckpoint(
  model: tf.LayersModel,
  o: MixedTrainingOptions,
  resolved: ResolvedMix,
  arch: string,
  validation: string,
): Promise<LoopCheckpoint<MixedSettings, Pick<MixedEpoch, 'valAccuracy' | 'valMean'>> | undefined> {
  if (o.checkpointDir === undefined) return undefined;
  const root = path.resolve(o.checkpointDir);
  // The fingerprint is of the starting weights: taken before a checkpoint replaces them.
  const settings = mixedSettingsOf(
    o,
    resolved,
    hasSplit(o.dataset, 'val'),
    await modelFingerprint(model),
    validation,
  );
  const saved = await openMixedCheckpoint(root, o.resume === true, settings, {
    epochs: o.epochs,
    schedule: resolved.schedule,
    learningRate: resolved.optimizer.learningRate,
  });
  return {
    root,
    kind: MIXED_CHECKPOINT,
    settings,
    saved,
    metadata: (history) => checkpointMetadata(model, o.dataset, arch, settings, history),
  };
}

/**
 * Trains the model's trainable weights (DataParallelTrainer trains model.trainableWeights only) on batches that
 * are about half distorted at a level drawn uniformly from `levels` and half clean with light augmentation,
 * validates after every epoch on clean plus every level, and leaves the model holding the weights of the epoch
 * with the best mean validation accuracy (ties: the earlier epoch). With checkpointDir, every epoch ends with a
 * checkpoint and `resume` continues one: shuffles, mix, distortions and augmentation depend only on (seed,
 * epoch, image id), so a resumed run ends with the weights and history of an uninterrupted one. Cancelling
 * stops before the next batch with an AbortError; the model then holds the weights of the last step, and the
 * checkpoint of the last finished epoch stays.
 */
export async function trainMixed(
  model: tf.LayersModel,
  o: MixedTrainingOptions,
  defaultOptimizer: OptimizerSpec,
  /** The arch recorded in the checkpoint's epoch models (they are ordinary model folders). */
  checkpointArch = 'unknown',
): Promise<MixedTrainingResult> {
  check(o);
  const started = performance.now();
  const spec = o.optimizer ?? defaultOptimizer;
  const schedule = o.schedule ?? DEFAULT_SCHEDULE;
  const batchSize = o.batchSize ?? 128;
  const mix: MixSettings = {
    spec: o.spec,
    levels: o.levels,
    distortedFraction: o.distortedFraction ?? 0.5,
    augment: o.augment ?? DEFAULT_AUGMENT,
    seed: o.seed,
  };
  const validation = await chooseValidation(o.baseMetadata, o.dataset, hasSplit(o.dataset, 'val'));
  o.onNote?.(validation.note);
  const checkpoint = await openCheckpoint(
    model,
    o,
    { ...mix, optimizer: spec, schedule, batchSize },
    checkpointArch,
    validation.source,
  );
  const { train, val, classes } = await loadTrainingData(o.dataset, {
    ...o,
    validationFraction: o.validationFraction ?? 0.1,
    subsetDraw: 'hold-out',
    ...(validation.rows === undefined ? {} : { heldOut: validation.rows }),
  });
  const conditions = await prepareConditions(val, o.spec, o.levels, o.seed);
  const run = await runEpochs({
    ...o,
    model,
    optimizer: spec,
    schedule,
    patience: o.patience ?? MIX_DEFAULTS.patience,
    batchSize,
    shuffleStream: SHUFFLE_STREAM,
    train,
    classes,
    batchOf: (rows, epoch) => mixedBatch(train, rows, classes, mix, epoch),
    selection: {
      validate: async () => {
        const valAccuracy = await conditionAccuracies(model, conditions, o.signal);
        return { valAccuracy, valMean: mean(valAccuracy) };
      },
      isBetter: betterMean,
      score: (r) => r.valMean,
      progress: (last) => ({ valAccuracy: last.valMean }),
    },
    checkpoint,
  });
  return {
    history: run.history,
    bestEpoch: run.best.epoch,
    stop: run.stop,
    validation: validation.source,
    trainImages: train.n,
    valImages: val.n,
    replicas: run.replicas,
    optimizer: describeOptimizer(spec),
    seconds: (performance.now() - started) / 1000,
    ...(run.resumedFrom === undefined ? {} : { resumedFrom: run.resumedFrom }),
  };
}
