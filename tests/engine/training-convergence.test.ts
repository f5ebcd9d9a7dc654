import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import { fineTune, type FineTuneOptions } from '../../electron/engine/correct/fine-tune.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import { loadModel } from '../../electron/engine/models/model-io.ts';
import { demoDatasetDir, demoModelDir } from '../../electron/engine/resources.ts';
import { oneHot } from '../../electron/engine/data/one-hot.ts';
import { checkPatience, earlyStopEpoch, improvements } from '../../electron/engine/train/early-stop.ts';
import { runEpochs, type EpochOf } from '../../electron/engine/train/epoch-loop.ts';
import {
  describeSchedule,
  learningRateAt,
  parseSchedule,
  type LearningRateSchedule,
} from '../../electron/engine/train/schedule.ts';
import { describeStop } from '../../shared/training.ts';

const higher = (c: { score: number }, best: { score: number } | undefined): boolean =>
  best === undefined || c.score > best.score;

describe('reduce-on-plateau schedule', () => {
  it('parses, describes and refuses like the other schedules', () => {
    const schedule = parseSchedule('plateau:3:0.1');
    expect(schedule).toEqual({ kind: 'plateau', patience: 3, factor: 0.1 });
    expect(describeSchedule(schedule)).toBe('plateau:3:0.1');
    expect(parseSchedule(describeSchedule(schedule))).toEqual(schedule);
    for (const bad of ['plateau', 'plateau:0:0.1', 'plateau:3:1', 'plateau:3:0', 'plateau:x:0.1'])
      expect(() => parseSchedule(bad)).toThrow(/is not a schedule: use constant, cosine, step.*plateau/);
  });

  it('divides the rate after `patience` epochs in a row without a new best, then counts again', () => {
    const schedule: LearningRateSchedule = { kind: 'plateau', patience: 2, factor: 0.1 };
    // Epochs 1..8: new best, new best, no, no (reduce before 5), no, no (reduce before 7), new best, no.
    const improved = [true, true, false, false, false, false, true, false];
    const rates = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((e) => learningRateAt(schedule, 0.5, e, 9, improved));
    [0.5, 0.5, 0.5, 0.5, 0.05, 0.05, 0.005, 0.005, 0.005].forEach((want, i) =>
      expect(rates[i]).toBeCloseTo(want, 12),
    );
    expect(() => learningRateAt(schedule, 0.5, 4, 9, [true])).toThrow(/needs epochs 1..3/);
  });
});

describe('early stopping', () => {
  it('marks each new best and stops after `patience` epochs in a row without one', () => {
    const scores = [0.5, 0.6, 0.6, 0.55, 0.7, 0.65, 0.69, 0.68].map((score) => ({ score }));
    const improved = improvements(scores, higher);
    // A tie is no improvement: the earlier epoch stays the best.
    expect(improved).toEqual([true, true, false, false, true, false, false, false]);
    expect(earlyStopEpoch(improved, 2)).toBe(4);
    expect(earlyStopEpoch(improved, 3)).toBe(8);
    expect(earlyStopEpoch(improved, 4)).toBeUndefined();
    expect(earlyStopEpoch(improved, 0)).toBeUndefined();
  });

  it('refuses a patience that is not a whole number of epochs, naming the range', () => {
    for (const bad of [-1, 1.5, NaN]) expect(() => checkPatience(bad)).toThrow(/patience .* 0 .* or more/);
    expect(() => checkPatience(0)).not.toThrow();
  });

  it('describes why a run stopped', () => {
    expect(describeStop({ reason: 'early stop', epoch: 9, epochs: 30, patience: 5, bestEpoch: 4 })).toBe(
      'early stop at epoch 9 of 30 (patience 5, best epoch 4)',
    );
    expect(describeStop({ reason: 'budget', epoch: 30, epochs: 30, patience: 5, bestEpoch: 28 })).toBe(
      'budget of 30 epochs used (best epoch 28)',
    );
  });
});

describe('the epoch loop with a patience', () => {
  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
  });

  // 24 images of 2x2 pixels, 3 classes: a dense softmax learns them.
  const n = 24;
  const images = Uint8Array.from({ length: n * 4 }, (_, i) => (i * 37) % 256);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
  const train = {
    images,
    labels,
    ids: Uint32Array.from(labels.keys()),
    n,
    imageShape: [2, 2, 1] as [2, 2, 1],
  };
  const batchOf = (rows: Uint32Array) => ({
    x: Float32Array.from(
      Array.from(rows).flatMap((r) => Array.from(images.subarray(r * 4, r * 4 + 4), (v) => v / 255)),
    ),
    y: oneHot(
      Int32Array.from(rows, (r) => labels[r] as number),
      3,
    ),
    n: rows.length,
  });
  const tinyModel = (): tf.LayersModel =>
    tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [2, 2, 1] }),
        tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: 'glorotUniform' }),
      ],
    });

  /** Runs the loop with a scripted validation score per epoch; returns its result, rates and weights per epoch. */
  async function scripted(scores: number[], patience: number, schedule: LearningRateSchedule) {
    const model = tinyModel();
    const weightsAt: Float32Array[][] = [];
    let epoch = 0;
    try {
      const result = await runEpochs<Record<string, never>, { score: number }>({
        model,
        optimizer: { kind: 'sgd', learningRate: 0.5, momentum: 0, nesterov: false },
        schedule,
        epochs: scores.length,
        patience,
        batchSize: 8,
        seed: 1,
        shuffleStream: 1,
        train,
        classes: 3,
        batchOf,
        selection: {
          validate: () => Promise.resolve({ score: scores[epoch++] as number }),
          isBetter: higher,
          score: (r) => r.score,
          progress: () => ({}),
        },
        backend: 'wasm',
        replicas: 1,
        onEpoch: () => weightsAt.push(model.getWeights().map((w) => w.dataSync() as Float32Array)),
      });
      const kept = model.getWeights().map((w) => w.dataSync() as Float32Array);
      return { result, weightsAt, kept };
    } finally {
      model.dispose();
    }
  }

  it('stops after `patience` epochs without a better score and keeps the best epoch', async () => {
    const before = tf.memory().numTensors;
    const { result, weightsAt, kept } = await scripted([0.3, 0.5, 0.45, 0.5, 0.4, 0.9, 0.95], 3, {
      kind: 'constant',
    });
    expect(result.history.map((h: EpochOf<{ score: number }>) => h.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(result.stop).toEqual({ reason: 'early stop', epoch: 5, epochs: 7, patience: 3, bestEpoch: 2 });
    expect(result.best.epoch).toBe(2);
    // The model ends with epoch 2's weights, not the last trained (5).
    expect(kept).toEqual(weightsAt[1]);
    expect(kept).not.toEqual(weightsAt[4]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('runs its budget when the score keeps improving or patience is 0, and the plateau schedule follows the scores', async () => {
    const rising = await scripted([0.1, 0.2, 0.3, 0.4], 2, { kind: 'constant' });
    expect(rising.result.stop).toEqual({ reason: 'budget', epoch: 4, epochs: 4, patience: 2, bestEpoch: 4 });
    const flat = await scripted([0.5, 0.4, 0.4, 0.4, 0.4], 0, { kind: 'plateau', patience: 2, factor: 0.1 });
    expect(flat.result.stop.reason).toBe('budget');
    expect(flat.result.stop.epoch).toBe(5);
    const rates = flat.result.history.map((h) => h.learningRate);
    [0.5, 0.5, 0.5, 0.05, 0.05].forEach((want, i) => expect(rates[i]).toBeCloseTo(want, 9));
  });
});

describe('resuming a run that has a patience', () => {
  it('continues nothing after an early stop, and refuses a patience that would have stopped it sooner', async () => {
    await selectBackend({ forced: 'wasm' });
    const dir = await mkdtemp(path.join(tmpdir(), 'dc-convergence-'));
    const dataset = await openDataset(demoDatasetDir());
    const base = await loadModel(demoModelDir());
    // A rate so small that no epoch after the first improves the validation mean.
    const o = (patience: number, epochs: number, resume: boolean): FineTuneOptions => ({
      model: base.model,
      baseMetadata: base.metadata,
      dataset,
      spec: { kind: 'blur' },
      levels: [2],
      epochs,
      patience,
      batchSize: 20,
      seed: 4,
      trainPerClass: 4,
      optimizer: { kind: 'sgd', learningRate: 1e-12, momentum: 0, nesterov: false },
      backend: 'wasm',
      replicas: 1,
      checkpointDir: path.join(dir, 'checkpoint'),
      resume,
    });
    try {
      const first = await fineTune(o(0, 3, false));
      first.model.dispose();
      expect(first.stop).toEqual({ reason: 'budget', epoch: 3, epochs: 3, patience: 0, bestEpoch: 1 });
      await expect(fineTune(o(1, 6, true))).rejects.toThrow(
        'cannot resume with patience 1: it would have stopped the run after epoch 2, and the checkpoint has trained 3',
      );
      // Patience 2 stops after epoch 3, where the checkpoint is: a longer budget trains nothing more.
      const again = await fineTune(o(2, 6, true));
      again.model.dispose();
      expect(again.history).toHaveLength(3);
      expect(again.stop).toEqual({ reason: 'early stop', epoch: 3, epochs: 6, patience: 2, bestEpoch: 1 });
    } finally {
      base.model.dispose();
      await dataset.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
