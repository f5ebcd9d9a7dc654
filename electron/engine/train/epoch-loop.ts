import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../../../shared/backends.ts';
import type { TrainingStop } from '../../../shared/training.ts';
import { etaSeconds, type ProgressListener } from '../../../shared/progress.ts';
import { imageSeed, mulberry32, shuffledIndices } from '../../../shared/random.ts';
import type { LoadedImages } from '../data/load-images.ts';
import type { ModelMetadata } from '../models/metadata.ts';
import {
  epochFolder,
  loadOptimizerAt,
  loadWeightsAt,
  writeCheckpointAt,
  type CheckpointKind,
  type SettingValue,
  type StoredState,
} from './checkpoint-store.ts';
import { DataParallelTrainer, type Batch } from './data-parallel.ts';
import { checkPatience, earlyStopEpoch, improvements } from './early-stop.ts';
import { createOptimizer, disposeOptimizer, setLearningRate, type OptimizerSpec } from './optimizer.ts';
import { learningRateAt, type LearningRateSchedule } from './schedule.ts';
import { trainEpoch, type EpochStats } from './train-epoch.ts';

/** What every trainer's epoch record holds; each adds its own validation figures. */
export interface EpochCore {
  epoch: number;
  loss: number;
  accuracy: number;
  learningRate: number;
  /** Wall time of the epoch's training and validation (its checkpoint write excluded). */
  seconds: number;
  imagesPerSecond: number;
}

/** An epoch record with the validation figures V (the baseline's loss and accuracy, the mixed per-condition ones). */
export type EpochOf<V> = EpochCore & V;

/** How a trainer validates an epoch and selects the model. */
export interface Selection<V> {
  validate: () => Promise<V>;
  isBetter: (candidate: EpochOf<V>, best: EpochOf<V> | undefined) => boolean;
  /** The selection score, stored as the checkpoint's best valAccuracy. */
  score: (record: EpochOf<V>) => number;
  /** Progress metrics of the latest finished epoch, added to every batch's. */
  progress: (last: EpochOf<V>) => Record<string, number>;
}

export interface LoopCheckpoint<S extends Record<string, SettingValue>, V> {
  /** The checkpoint folder (checkpoint-store.ts). */
  root: string;
  kind: CheckpointKind<S, EpochOf<V>>;
  settings: S;
  /** The committed state this run continues, already checked against the settings. */
  saved: StoredState<S, EpochOf<V>> | undefined;
  /** Metadata saved with an epoch's model. */
  metadata: (history: EpochOf<V>[], record: EpochOf<V>) => ModelMetadata;
}

export interface EpochLoopOptions<S extends Record<string, SettingValue>, V> {
  /** Trained in place (its trainable weights); left holding the selected epoch's weights. */
  model: tf.LayersModel;
  optimizer: OptimizerSpec;
  schedule: LearningRateSchedule;
  /** The budget: the most epochs the run trains. */
  epochs: number;
  /** Stop once this many epochs in a row have not improved on the best (selection.isBetter); 0 or absent: never. */
  patience?: number;
  batchSize: number;
  seed: number;
  /** imageSeed stream of the per-epoch shuffle: each trainer has its own. */
  shuffleStream: number;
  /** The training images; batchOf turns a batch of their row numbers into the step's inputs. */
  train: LoadedImages;
  classes: number;
  batchOf: (rows: Uint32Array, epoch: number) => Batch | Promise<Batch>;
  selection: Selection<V>;
  /** Without one, the best epoch's weights are kept in memory instead. */
  checkpoint?: LoopCheckpoint<S, V>;
  backend: BackendName;
  replicas?: number;
  signal?: AbortSignal;
  /** After every batch: stage `epoch e/E`, the fraction of the whole run and the batch's running metrics. */
  onProgress?: ProgressListener;
  /** Report once more when an epoch ends, with its validation figures (the baseline trainer's progress). */
  reportEpochEnd?: boolean;
  /** Once the trainer is up, before the first step. */
  onStart?: (start: { replicas: number; firstEpoch: number }) => void;
  /** After every epoch, once its checkpoint (if any) is on disk. */
  onEpoch?: (record: EpochOf<V>) => void;
}

export interface EpochLoopResult<V> {
  history: EpochOf<V>[];
  best: EpochOf<V>;
  /** Why the run ended (budget or early stop), for its record. */
  stop: TrainingStop;
  replicas: number;
  /** Epochs the checkpoint had completed when this run continued it. */
  resumedFrom?: number;
}

/** The checks every trainer makes of its budget before it opens anything. */
export function checkEpochs(epochs: number, batchSize: number, patience = 0): void {
  if (!Number.isInteger(epochs) || epochs < 1)
    throw new RangeError(`epochs must be a positive integer, not ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batch size must be a positive integer, not ${batchSize}`);
  checkPatience(patience);
}

/**
 * Where a run continued from `history` starts: after its last epoch, or nowhere when the run already stopped
 * early there. Refused when this patience would have stopped it before the checkpoint's last epoch, as the
 * uninterrupted run would then have ended with another model.
 */
function continuation(improved: boolean[], patience: number, saved: number): { stopped: boolean } {
  const stop = earlyStopEpoch(improved, patience);
  if (stop !== undefined && stop < saved)
    throw new Error(
      `cannot resume with patience ${patience}: it would have stopped the run after epoch ${stop}, and the checkpoint has trained ${saved}`,
    );
  return { stopped: stop === saved };
}

/**
 * The epoch loop every trainer shares (baseline, units, fine-tuning): per epoch the scheduled learning rate, a
 * shuffle seeded by (seed, epoch), one pass of batches, validation, model selection and a checkpoint; with a
 * patience, it stops once that many epochs in a row have not improved on the best, and keeps the best. A run
 * continued from its checkpoint restores the weights and optimizer slots of the latest epoch, so it ends with
 * the weights and history of an uninterrupted one. Cancelling stops before the next batch with an AbortError;
 * the model then holds the weights of the last step, and the checkpoint of the last finished epoch stays.
 */
export async function runEpochs<S extends Record<string, SettingValue>, V>(
  o: EpochLoopOptions<S, V>,
): Promise<EpochLoopResult<V>> {
  const { selection, checkpoint } = o;
  const saved = checkpoint?.saved;
  const history: EpochOf<V>[] = saved ? [...saved.history] : [];
  let best = saved && history.find((h) => h.epoch === saved.best.epoch);
  const patience = o.patience ?? 0;
  // Whether each epoch became the best so far: the plateau schedule and early stopping read it.
  const improved = improvements(history, selection.isBetter);
  let stopped = saved !== undefined && continuation(improved, patience, saved.epoch).stopped;
  // Without a checkpoint the best epoch's weights stay in memory; with one, in its checkpoint folder.
  let bestWeights: tf.Tensor[] | undefined;
  const optimizer = createOptimizer(o.optimizer);
  let trainer: DataParallelTrainer | undefined;
  try {
    if (checkpoint !== undefined && saved !== undefined) {
      await loadWeightsAt(checkpoint.root, saved.latest, o.model);
      await loadOptimizerAt(checkpoint.root, saved.latest, optimizer);
    }
    trainer = await DataParallelTrainer.create(o.model, optimizer, {
      backend: o.backend,
      ...(o.replicas === undefined ? {} : { replicas: o.replicas }),
    });
    const firstEpoch = (saved?.epoch ?? 0) + 1;
    o.onStart?.({ replicas: trainer.replicaCount, firstEpoch });
    const batches = Math.ceil(o.train.n / o.batchSize);
    const totalSteps = o.epochs * batches;
    const startStep = Math.min(totalSteps, (firstEpoch - 1) * batches);
    const started = performance.now();
    const report = (epoch: number, stats: EpochStats, learningRate: number): void => {
      if (o.onProgress === undefined) return;
      const step = (epoch - 1) * batches + stats.batch;
      const eta = etaSeconds(
        (step - startStep) / Math.max(1, totalSteps - startStep),
        (performance.now() - started) / 1000,
      );
      const last = history.at(-1);
      o.onProgress({
        stage: `epoch ${epoch}/${o.epochs}`,
        fraction: step / totalSteps,
        ...(eta === undefined ? {} : { etaSeconds: eta }),
        metrics: {
          epoch,
          batch: stats.batch,
          batches,
          loss: stats.loss,
          accuracy: stats.accuracy,
          imagesPerSecond: stats.imagesPerSecond,
          learningRate,
          ...(last === undefined ? {} : selection.progress(last)),
        },
      });
    };

    for (let epoch = firstEpoch; epoch <= o.epochs && !stopped; epoch++) {
      const epochStart = performance.now();
      const learningRate = learningRateAt(o.schedule, o.optimizer.learningRate, epoch, o.epochs, improved);
      setLearningRate(optimizer, learningRate);
      const order = shuffledIndices(o.train.n, mulberry32(imageSeed(o.seed, epoch, o.shuffleStream)));
      const stats = await trainEpoch(trainer, {
        order,
        batchSize: o.batchSize,
        batchOf: (rows) => o.batchOf(rows, epoch),
        imageShape: o.train.imageShape,
        classes: o.classes,
        signal: o.signal,
        onBatch: (st) => report(epoch, st, learningRate),
      });
      const validation = await selection.validate();
      // Written in this key order to the checkpoint's history: keep it.
      const record = {
        epoch,
        loss: stats.loss,
        accuracy: stats.accuracy,
        ...validation,
        learningRate,
        seconds: (performance.now() - epochStart) / 1000,
        imagesPerSecond: stats.imagesPerSecond,
      };
      history.push(record);
      const better = selection.isBetter(record, best);
      improved.push(better);
      stopped = earlyStopEpoch(improved, patience) === epoch;
      if (better) {
        best = record;
        if (bestWeights !== undefined) tf.dispose(bestWeights);
        // Every weight, batch-norm statistics included: they change during training too.
        if (checkpoint === undefined) bestWeights = o.model.getWeights().map((w) => tf.clone(w));
      }
      const selected = best ?? record;
      if (checkpoint !== undefined)
        await writeCheckpointAt(checkpoint.root, checkpoint.kind, {
          model: o.model,
          metadata: checkpoint.metadata(history, record),
          optimizer,
          settings: checkpoint.settings,
          epoch,
          history,
          best: { epoch: selected.epoch, valAccuracy: selection.score(selected) },
        });
      o.onEpoch?.(record);
      if (o.reportEpochEnd === true) report(epoch, stats, learningRate);
    }

    if (best === undefined) throw new Error('no epoch was trained');
    // Model selection: the best epoch's weights (the checkpoint's folder holds them exactly, float32 bytes).
    if (best.epoch !== history.at(-1)?.epoch) {
      if (bestWeights !== undefined) o.model.setWeights(bestWeights);
      else if (checkpoint !== undefined)
        await loadWeightsAt(checkpoint.root, epochFolder(best.epoch), o.model);
    }
    const last = history.at(-1)?.epoch ?? 0;
    // Patience running out on the budget's last epoch is the budget's end all the same.
    const reason = stopped && last < o.epochs ? 'early stop' : 'budget';
    return {
      history,
      best,
      stop: { reason, epoch: last, epochs: o.epochs, patience, bestEpoch: best.epoch },
      replicas: trainer.replicaCount,
      ...(saved === undefined ? {} : { resumedFrom: saved.epoch }),
    };
  } finally {
    if (bestWeights !== undefined) tf.dispose(bestWeights);
    await trainer?.dispose();
    disposeOptimizer(optimizer);
  }
}
