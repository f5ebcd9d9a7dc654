import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../../../shared/backends.ts';
import type { ProgressListener } from '../../../shared/progress.ts';
import type { TrainingStop } from '../../../shared/training.ts';
import type { Dataset } from '../data/dataset.ts';
import { oneHot } from '../data/one-hot.ts';
import { comparableRecord, recordPath, type PathRecording } from '../io/recorded-path.ts';
import type { ModelMetadata } from '../models/metadata.ts';
import { saveModel } from '../models/model-io.ts';
import { buildModel, summarize, type Architecture } from '../models/registry.ts';
import { augmentBatch, describeAugment, type AugmentOptions } from './augment.ts';
import {
  BASELINE_CHECKPOINT,
  CHECKPOINT_FOLDER,
  checkpointDir,
  readCheckpoint,
  settingDifferences,
  type CheckpointSettings,
} from './checkpoint.ts';
import { folderEntries } from './checkpoint-store.ts';
import { isBetter, type EpochSummary } from './epoch-summary.ts';
import { checkEpochs, runEpochs } from './epoch-loop.ts';
import { evaluateBytes } from './evaluate.ts';
import { heldOutRecord } from './held-out.ts';
import { describeOptimizer, type OptimizerSpec } from './optimizer.ts';
import { describeSchedule, type LearningRateSchedule } from './schedule.ts';
import { hasSplit, loadTrainingData, type TrainingData } from './training-data.ts';
import { recordedNow } from '../io/recorded-time.ts';

export type { EpochSummary } from './epoch-summary.ts';

export interface TrainingOptions {
  /** An opened dataset: its 'train' split is trained on; its 'val' split validates if it has one, else a
   * seeded stratified `validationFraction` of 'train' is held out. The caller closes it. */
  dataset: Dataset;
  arch: Architecture;
  /** Where the final model goes; the checkpoint lives in <outDir>/checkpoint. Must be empty unless resuming. */
  outDir: string;
  /** The budget: the most epochs trained. */
  epochs: number;
  /** Stop once this many epochs in a row have not improved the validation accuracy; 0 or absent: never. */
  patience?: number;
  batchSize: number;
  /** Seeds the weights, the validation split, the subset, every epoch's shuffle and augmentation. */
  seed: number;
  optimizer: OptimizerSpec;
  schedule: LearningRateSchedule;
  augment: AugmentOptions;
  /** 0..0.5 (0: no validation, the last epoch is kept). Ignored when the dataset has a 'val' split. */
  validationFraction: number;
  /** Train on a seeded stratified subset of this many images per class. */
  trainPerClass?: number;
  /** Continue from <outDir>/checkpoint when there is one (its data settings must match). */
  resume?: boolean;
  backend: BackendName;
  replicas?: number;
  signal?: AbortSignal;
  /**
   * After every batch: stage `epoch e/E`, the fraction of the whole run, and metrics epoch, batch, batches,
   * loss and accuracy (running over the epoch so far, as in EpochSummary), imagesPerSecond (the epoch's so
   * far), learningRate, and valAccuracy/valLoss (of the latest finished epoch, once there is one).
   */
  onProgress?: ProgressListener;
  /** After every epoch, once its checkpoint is on disk. */
  onEpoch?: (record: EpochSummary) => void;
  /** Told once the data is loaded and the trainer is up, before the first step. */
  onStart?: (info: TrainingStart) => void;
  /** The command line that started the run, for the model's provenance. */
  command?: string;
  /** How the dataset's path is recorded (default: portable, io/recorded-path.ts). */
  paths?: PathRecording;
}

export interface TrainingStart {
  trainImages: number;
  valImages: number;
  /** 'val' when the dataset's own split validates, else 'train' (a held-out fraction). */
  valSource: 'val' | 'train';
  classes: number;
  replicas: number;
  parameters: number;
  /** The first epoch this run trains (> 1 when resumed). */
  firstEpoch: number;
}

export interface TrainingResult {
  /** The best epoch's model, also saved in outDir; the caller disposes it. */
  model: tf.LayersModel;
  metadata: ModelMetadata;
  history: EpochSummary[];
  bestEpoch: number;
  /** Why training ended (budget or early stop); also in the metadata's provenance. */
  stop: TrainingStop;
  /** Epochs the checkpoint had completed when this run resumed it. */
  resumedFrom?: number;
}

/** Stream number of the per-epoch shuffle in imageSeed. */
const SHUFFLE_STREAM = 0x5f1;

function checkOptions(o: TrainingOptions): void {
  checkEpochs(o.epochs, o.batchSize, o.patience ?? 0);
  if (!Number.isSafeInteger(o.seed) || o.seed < 0)
    throw new RangeError(`seed must be a non-negative integer, not ${o.seed}`);
  if (!(o.optimizer.learningRate > 0 && Number.isFinite(o.optimizer.learningRate)))
    throw new RangeError(`learning rate must be positive, not ${o.optimizer.learningRate}`);
  if (o.optimizer.kind === 'sgd' && !(o.optimizer.momentum >= 0 && o.optimizer.momentum < 1))
    throw new RangeError(`momentum must be within [0, 1), not ${o.optimizer.momentum}`);
  if (!(o.validationFraction >= 0 && o.validationFraction <= 0.5))
    throw new RangeError(`validation fraction must be within 0..0.5, not ${o.validationFraction}`);
  if (!Number.isInteger(o.augment.shift) || o.augment.shift < 0)
    throw new RangeError(`augmentation shift must be a non-negative integer, not ${o.augment.shift}`);
}

function settingsOf(o: TrainingOptions): CheckpointSettings {
  return {
    arch: o.arch,
    dataset: recordPath(o.dataset.summary.path, o.paths),
    batchSize: o.batchSize,
    seed: o.seed,
    validationFraction: hasSplit(o.dataset, 'val') ? 0 : o.validationFraction,
    trainPerClass: o.trainPerClass ?? null,
    optimizer: o.optimizer.kind === 'adam' ? 'adam' : o.optimizer.momentum === 0 ? 'sgd' : 'momentum',
    epochs: o.epochs,
    optimizerDescription: describeOptimizer(o.optimizer),
    schedule: describeSchedule(o.schedule),
    augment: describeAugment(o.augment),
  };
}

/**
 * A fresh run writes into an empty (or new) folder only, so it never overwrites another run's files. With
 * `resume`, a checkpoint folder without a committed state (a run killed while writing its first) is allowed.
 */
async function checkOutDir(outDir: string, resume: boolean): Promise<void> {
  const entries = await folderEntries(outDir);
  if (entries.length === 0 || (resume && entries.length === 1 && entries[0] === CHECKPOINT_FOLDER)) return;
  const hint = entries.includes(CHECKPOINT_FOLDER)
    ? 'it holds a checkpoint: resume it, or choose another folder'
    : 'choose a new or empty folder';
  throw new Error(`${outDir} is not empty: ${hint}`);
}

function metadataOf(
  o: TrainingOptions,
  model: tf.LayersModel,
  data: TrainingData,
  history: EpochSummary[],
  best: EpochSummary,
  stop?: TrainingStop,
): ModelMetadata {
  const summary = summarize(model);
  const validationSplit = heldOutRecord({
    ...data,
    seed: o.seed,
    fraction: o.validationFraction,
    ...(o.trainPerClass === undefined ? {} : { trainPerClass: o.trainPerClass }),
  });
  const { height, width, channels } = o.dataset.summary;
  return {
    format: 'deepcorrect-model',
    version: 1,
    arch: o.arch,
    inputShape: [height, width, channels],
    classes: [...o.dataset.summary.classes],
    normalisation: { kind: 'unit' },
    parameters: summary.parameters,
    convLayers: summary.convLayers.map((l) => l.name),
    provenance: {
      dataset: recordPath(o.dataset.summary.path, o.paths),
      seed: o.seed,
      epochs: history.length,
      backend: o.backend,
      optimizer: describeOptimizer(o.optimizer),
      trainImages: data.train.n,
      ...(Number.isNaN(best.valAccuracy) ? {} : { valAccuracy: best.valAccuracy }),
      trainedAt: recordedNow(),
      ...(o.command === undefined ? {} : { command: o.command }),
      bestEpoch: best.epoch,
      valImages: data.val.n,
      batchSize: o.batchSize,
      schedule: describeSchedule(o.schedule),
      augment: describeAugment(o.augment),
      ...(o.trainPerClass === undefined ? {} : { trainPerClass: o.trainPerClass }),
      // The images validated on, so that unit training and fine-tuning validate on them too (held-out.ts).
      ...(validationSplit === undefined ? {} : { validationSplit }),
      patience: o.patience ?? 0,
      ...(stop === undefined ? {} : { stop }),
      history,
    },
  };
}

/** One batch's inputs: rows of the loaded bytes scaled to 0..1, augmented, and their one-hot labels. */
function batchOf(
  data: TrainingData,
  rows: Uint32Array,
  o: TrainingOptions,
  epoch: number,
): { x: Float32Array; y: Float32Array; n: number } {
  const { train, classes } = data;
  const pixels = train.imageShape[0] * train.imageShape[1] * train.imageShape[2];
  const x = new Float32Array(rows.length * pixels);
  const labels = new Int32Array(rows.length);
  const ids = new Uint32Array(rows.length);
  rows.forEach((row, i) => {
    const source = train.images.subarray(row * pixels, (row + 1) * pixels);
    for (let p = 0; p < pixels; p++) x[i * pixels + p] = (source[p] as number) / 255;
    labels[i] = train.labels[row] as number;
    ids[i] = train.ids[row] as number;
  });
  augmentBatch(x, ids, train.imageShape, o.augment, o.seed, epoch);
  return { x, y: oneHot(labels, classes), n: rows.length };
}

/**
 * Trains a baseline classifier from scratch (docs/method.md §4): seeded shuffled batches with light augmentation,
 * a per-epoch learning-rate schedule, validation after every epoch, a checkpoint after every epoch, and the
 * epoch with the best validation accuracy saved to outDir with its provenance. Each epoch's shuffle and
 * augmentation depend only on (seed, epoch), so a run resumed from its checkpoint ends with the weights an
 * uninterrupted run would have. Cancelling (signal) stops before the next batch; the last checkpoint stays.
 */
export async function runTraining(o: TrainingOptions): Promise<TrainingResult> {
  checkOptions(o);
  const outDir = path.resolve(o.outDir);
  const settings = settingsOf(o);
  const saved = o.resume === true ? await readCheckpoint(outDir) : undefined;
  if (saved === undefined) await checkOutDir(outDir, o.resume === true);
  else {
    if (saved.epoch > o.epochs)
      throw new Error(
        `cannot resume ${outDir} to ${o.epochs} epochs: its checkpoint has already completed ${saved.epoch}`,
      );
    const differences = settingDifferences(saved.settings, {
      ...settings,
      // A checkpoint made before paths were portable recorded the dataset's absolute path.
      dataset: comparableRecord(saved.settings.dataset, o.dataset.summary.path, o.paths),
    });
    if (differences.length > 0)
      throw new Error(
        `cannot resume ${outDir}: the checkpoint was made with other settings (${differences.join('; ')})`,
      );
  }
  const data = await loadTrainingData(o.dataset, { ...o, subsetDraw: 'subset' });
  const { train, val, classes } = data;
  const model = buildModel(o.arch, { inputShape: train.imageShape, classes, seed: o.seed });
  try {
    await mkdir(outDir, { recursive: true });
    const run = await runEpochs({
      ...o,
      model,
      shuffleStream: SHUFFLE_STREAM,
      train,
      classes,
      batchOf: (rows, epoch) => batchOf(data, rows, o, epoch),
      selection: {
        validate: async () => {
          const v =
            val.n === 0
              ? { loss: NaN, accuracy: NaN }
              : await evaluateBytes(model, val.images, val.labels, train.imageShape, classes, {
                  signal: o.signal,
                });
          return { valLoss: v.loss, valAccuracy: v.accuracy };
        },
        isBetter,
        score: (r) => r.valAccuracy,
        progress: (last): Record<string, number> =>
          Number.isNaN(last.valAccuracy) ? {} : { valAccuracy: last.valAccuracy, valLoss: last.valLoss },
      },
      checkpoint: {
        root: checkpointDir(outDir),
        kind: BASELINE_CHECKPOINT,
        settings,
        saved,
        metadata: (history, record) => metadataOf(o, model, data, history, record),
      },
      reportEpochEnd: true,
      onStart: (start) =>
        o.onStart?.({
          trainImages: train.n,
          valImages: val.n,
          valSource: data.valSource,
          classes,
          parameters: summarize(model).parameters,
          ...start,
        }),
    });
    // Model selection (docs/method.md §4): runEpochs left the model holding the best validation accuracy's epoch.
    const metadata = metadataOf(o, model, data, run.history, run.best, run.stop);
    await saveModel(model, outDir, metadata);
    return {
      model,
      metadata,
      history: run.history,
      bestEpoch: run.best.epoch,
      stop: run.stop,
      ...(run.resumedFrom === undefined ? {} : { resumedFrom: run.resumedFrom }),
    };
  } catch (error) {
    model.dispose();
    throw error;
  }
}
