import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../../../shared/backends.ts';
import type { DistortionSpec } from '../../../shared/distortions.ts';
import { etaSeconds, type ProgressListener } from '../../../shared/progress.ts';
import type { StudyEpoch } from '../../../shared/study.ts';
import { imageSeed, mulberry32, shuffledIndices } from '../../../shared/random.ts';
import type { Dataset } from '../data/dataset.ts';
import { loadImages, type LoadedImages } from '../data/load-images.ts';
import type { AugmentOptions } from '../train/augment.ts';
import {
  loadOptimizerAt,
  loadWeightsAt,
  readCheckpointAt,
  writeCheckpointAt,
} from '../train/checkpoint-store.ts';
import { DataParallelTrainer } from '../train/data-parallel.ts';
import {
  createOptimizer,
  describeOptimizer,
  disposeOptimizer,
  setLearningRate,
  type OptimizerSpec,
} from '../train/optimizer.ts';
import { learningRateAt, type LearningRateSchedule } from '../train/schedule.ts';
import { stratifiedValidationSplit } from '../train/split.ts';
import { trainEpoch } from '../train/train-epoch.ts';
import { mixedBatch, type MixSettings } from './mixed-batch.ts';
import {
  checkpointMetadata,
  MIXED_CHECKPOINT,
  mixedSettingsOf,
  modelFingerprint,
  openMixedCheckpoint,
  type MixedSettings,
  type MixedState,
} from './mixed-checkpoint.ts';
import { conditionAccuracies, mean, prepareConditions } from './validate.ts';

/** Stream number of the per-epoch shuffle, apart from the baseline trainer's. */
const SHUFFLE_STREAM = 0xc5f;

/** The data, budget and protocol shared by unit training and fine-tuning (method.md section 4). */
export interface MixedTrainingOptions {
  /** Its 'train' split is trained on; its 'val' split validates if it has one, else a held-out fraction. */
  dataset: Dataset;
  /** The distortion, without its level (one model per distortion kind). */
  spec: Omit<DistortionSpec, 'level'>;
  levels: number[];
  epochs: number;
  /** Default 128. */
  batchSize?: number;
  /** Seeds the split, the shuffles, the clean/distorted draws, the distortions and the augmentation. */
  seed: number;
  /** Default per caller (SGD Nesterov 0.9 at 0.1 for units, 0.01 for fine-tuning). */
  optimizer?: OptimizerSpec;
  /** Default step:10:0.1 (method.md: divided by 10 every 10 to 15 epochs). */
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
  /**
   * Write a complete checkpoint here after every epoch (mixed-checkpoint.ts; trainCorrection and fineTune use
   * <outDir>/checkpoint). A fresh run refuses a non-empty folder.
   */
  checkpointDir?: string;
  /** Continue from the checkpoint in checkpointDir when it has one (same settings); else start afresh. */
  resume?: boolean;
}

/** One epoch of mixed clean/distorted training: the record a study's report keeps per epoch. */
export type MixedEpoch = StudyEpoch;

export interface MixedTrainingResult {
  history: MixedEpoch[];
  bestEpoch: number;
  trainImages: number;
  valImages: number;
  replicas: number;
  optimizer: string;
  seconds: number;
  /** Epochs the checkpoint had completed when this run resumed it. */
  resumedFrom?: number;
}

export const DEFAULT_AUGMENT: AugmentOptions = { flip: true, shift: 2 };
const DEFAULT_SCHEDULE: LearningRateSchedule = { kind: 'step', every: 10, factor: 0.1 };

function check(o: MixedTrainingOptions): void {
  if (!Number.isInteger(o.epochs) || o.epochs < 1)
    throw new RangeError(`epochs must be a positive integer, not ${o.epochs}`);
  const batch = o.batchSize ?? 128;
  if (!Number.isInteger(batch) || batch < 1)
    throw new RangeError(`batch size must be a positive integer, not ${batch}`);
  if (o.levels.length === 0) throw new RangeError('training needs at least one distortion level');
  const f = o.distortedFraction ?? 0.5;
  if (!(f >= 0 && f <= 1)) throw new RangeError(`distorted fraction must be within 0..1, not ${f}`);
  const v = o.validationFraction ?? 0.1;
  if (!(v > 0 && v <= 0.5)) throw new RangeError(`validation fraction must be within (0, 0.5], not ${v}`);
}

function hasSplit(dataset: Dataset, name: string): boolean {
  return dataset.summary.splits.some((s) => s.name === name && s.count > 0);
}

async function loadSplit(
  o: MixedTrainingOptions,
): Promise<{ train: LoadedImages; val: LoadedImages; classes: number }> {
  const { dataset, seed, signal } = o;
  const classes = dataset.summary.classes.length;
  const has = (name: string): boolean => hasSplit(dataset, name);
  if (!has('train')) throw new Error(`${dataset.summary.path} has no train split to train on`);
  const labels = await dataset.labels('train');
  if (has('val')) {
    const { train } = stratifiedValidationSplit(labels, classes, 0, seed, o.trainPerClass);
    return {
      train: await loadImages(dataset, 'train', train, signal),
      val: await loadImages(dataset, 'val', undefined, signal),
      classes,
    };
  }
  const split = stratifiedValidationSplit(
    labels,
    classes,
    o.validationFraction ?? 0.1,
    seed,
    o.trainPerClass,
  );
  return {
    train: await loadImages(dataset, 'train', split.train, signal),
    val: await loadImages(dataset, 'train', split.val, signal),
    classes,
  };
}

interface CheckpointRun {
  root: string;
  settings: MixedSettings;
  saved: MixedState | undefined;
}

/** Opens (or refuses) the run's checkpoint before any data is loaded, so a bad resume fails fast. */
async function openCheckpoint(
  model: tf.LayersModel,
  o: MixedTrainingOptions,
  resolved: Parameters<typeof mixedSettingsOf>[1],
): Promise<CheckpointRun | undefined> {
  if (o.checkpointDir === undefined) return undefined;
  const root = path.resolve(o.checkpointDir);
  // The fingerprint is of the starting weights: taken before a checkpoint replaces them.
  const settings = mixedSettingsOf(o, resolved, hasSplit(o.dataset, 'val'), await modelFingerprint(model));
  const saved = await openMixedCheckpoint(root, o.resume === true, settings, {
    epochs: o.epochs,
    schedule: resolved.schedule,
    learningRate: resolved.optimizer.learningRate,
  });
  return { root, settings, saved };
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
  const checkpoint = await openCheckpoint(model, o, {
    optimizer: spec,
    schedule,
    batchSize,
    augment: mix.augment,
    distortedFraction: mix.distortedFraction,
  });
  const saved = checkpoint?.saved;
  const { train, val, classes } = await loadSplit(o);
  if (train.n === 0) throw new Error(`${o.dataset.summary.path}: no training images selected`);
  const conditions = await prepareConditions(val, o.spec, o.levels, o.seed);
  const optimizer = createOptimizer(spec);
  let trainer: DataParallelTrainer | undefined;
  // The best epoch: its weights are kept in memory without a checkpoint, in its checkpoint folder with one.
  let best: { epoch: number; valMean: number; weights?: tf.Tensor[] } | undefined = saved && {
    epoch: saved.best.epoch,
    valMean: saved.best.valAccuracy,
  };
  try {
    if (checkpoint !== undefined && saved !== undefined) {
      await loadWeightsAt(checkpoint.root, saved.latest, model);
      await loadOptimizerAt(checkpoint.root, saved.latest, optimizer);
    }
    trainer = await DataParallelTrainer.create(model, optimizer, {
      backend: o.backend,
      ...(o.replicas === undefined ? {} : { replicas: o.replicas }),
    });
    const history: MixedEpoch[] = saved ? [...saved.history] : [];
    const batches = Math.ceil(train.n / batchSize);
    const firstEpoch = (saved?.epoch ?? 0) + 1;
    const totalSteps = o.epochs * batches;
    const startStep = (firstEpoch - 1) * batches;
    for (let epoch = firstEpoch; epoch <= o.epochs; epoch++) {
      const epochStart = performance.now();
      const learningRate = learningRateAt(schedule, spec.learningRate, epoch, o.epochs);
      setLearningRate(optimizer, learningRate);
      const order = shuffledIndices(train.n, mulberry32(imageSeed(o.seed, epoch, SHUFFLE_STREAM)));
      const epochStats = await trainEpoch(trainer, {
        order,
        batchSize,
        batchOf: (rows) => mixedBatch(train, rows, classes, mix, epoch),
        imageShape: train.imageShape,
        classes,
        ...(o.signal ? { signal: o.signal } : {}),
        onBatch: (st) => {
          if (o.onProgress === undefined) return;
          const step = (epoch - 1) * batches + st.batch;
          const fraction = step / totalSteps;
          const eta = etaSeconds(
            (step - startStep) / Math.max(1, totalSteps - startStep),
            (performance.now() - started) / 1000,
          );
          const last = history.at(-1);
          o.onProgress({
            stage: `epoch ${epoch}/${o.epochs}`,
            fraction,
            ...(eta === undefined ? {} : { etaSeconds: eta }),
            metrics: {
              epoch,
              batch: st.batch,
              batches,
              loss: st.loss,
              accuracy: st.accuracy,
              imagesPerSecond: st.imagesPerSecond,
              learningRate,
              ...(last === undefined ? {} : { valAccuracy: last.valMean }),
            },
          });
        },
      });
      const valAccuracy = await conditionAccuracies(model, conditions, o.signal);
      const record: MixedEpoch = {
        epoch,
        loss: epochStats.loss,
        accuracy: epochStats.accuracy,
        valAccuracy,
        valMean: mean(valAccuracy),
        learningRate,
        seconds: (performance.now() - epochStart) / 1000,
        imagesPerSecond: epochStats.imagesPerSecond,
      };
      history.push(record);
      if (best === undefined || record.valMean > best.valMean) {
        if (best?.weights !== undefined) tf.dispose(best.weights);
        best = { epoch, valMean: record.valMean };
        // Every weight, batch-norm statistics included: they change during training too.
        if (checkpoint === undefined) best.weights = model.getWeights().map((w) => tf.clone(w));
      }
      if (checkpoint !== undefined)
        await writeCheckpointAt(checkpoint.root, MIXED_CHECKPOINT, {
          model,
          metadata: checkpointMetadata(model, o.dataset, checkpointArch, checkpoint.settings, history),
          optimizer,
          settings: checkpoint.settings,
          epoch,
          history,
          best: { epoch: best.epoch, valAccuracy: best.valMean },
        });
      o.onEpoch?.(record);
    }
    if (best === undefined) throw new Error('no epoch was trained');
    const lastEpoch = history.at(-1)?.epoch;
    if (best.epoch !== lastEpoch) {
      if (best.weights !== undefined) model.setWeights(best.weights);
      else if (checkpoint !== undefined) await restoreBest(checkpoint.root, model);
    }
    return {
      history,
      bestEpoch: best.epoch,
      trainImages: train.n,
      valImages: val.n,
      replicas: trainer.replicaCount,
      optimizer: describeOptimizer(spec),
      seconds: (performance.now() - started) / 1000,
      ...(saved === undefined ? {} : { resumedFrom: saved.epoch }),
    };
  } finally {
    if (best?.weights !== undefined) tf.dispose(best.weights);
    await trainer?.dispose();
    disposeOptimizer(optimizer);
  }
}

/** Model selection from the committed checkpoint: the best epoch's folder (saved exactly, float32 bytes). */
async function restoreBest(root: string, model: tf.LayersModel): Promise<void> {
  const state = await readCheckpointAt(root, MIXED_CHECKPOINT);
  if (state === undefined) throw new Error(`${root}: the run wrote no checkpoint`);
  await loadWeightsAt(root, state.best.folder, model);
}
