import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Progress } from '../../shared/progress.ts';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import type { Dataset } from '../../electron/engine/data/dataset.ts';
import { loadImages, toUnitFloat } from '../../electron/engine/data/load-images.ts';
import { oneHot } from '../../electron/engine/data/one-hot.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import { stratifiedSubset } from '../../electron/engine/data/subset.ts';
import { accuracy } from '../../electron/engine/eval/accuracy.ts';
import { loadModel } from '../../electron/engine/models/model-io.ts';
import { readCheckpoint } from '../../electron/engine/train/checkpoint.ts';
import { DataParallelTrainer } from '../../electron/engine/train/data-parallel.ts';
import { AbortError } from '../../electron/engine/train/fit.ts';
import {
  runTraining,
  type EpochSummary,
  type TrainingOptions,
} from '../../electron/engine/train/run-training.ts';

const DEMO = 'resources/datasets/fashion-mnist-demo';

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

function maxDifference(a: Float32Array[], b: Float32Array[]): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  a.forEach((w, i) => {
    const v = b[i] as Float32Array;
    expect(v.length).toBe(w.length);
    for (let j = 0; j < w.length; j++) max = Math.max(max, Math.abs((w[j] as number) - (v[j] as number)));
  });
  return max;
}

function predictions(model: tf.LayersModel, x: tf.Tensor): Float32Array {
  return tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
}

describe('baseline training runs', () => {
  let dir: string;
  let dataset: Dataset;
  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
    dir = await mkdtemp(path.join(tmpdir(), 'dc-train-'));
    dataset = await openDataset(DEMO);
  });
  afterAll(async () => {
    await dataset.close();
    await rm(dir, { recursive: true, force: true });
  });

  // A tiny run: 20 training and 5 validation images per class, 4 batches per epoch.
  const tiny = (outDir: string, extra: Partial<TrainingOptions> = {}): TrainingOptions => ({
    dataset,
    arch: 'cnn4',
    outDir,
    epochs: 3,
    batchSize: 50,
    seed: 4,
    optimizer: { kind: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true },
    schedule: { kind: 'step', every: 2, factor: 0.5 },
    augment: { flip: true, shift: 2 },
    validationFraction: 0.2,
    trainPerClass: 20,
    backend: 'wasm',
    replicas: 2,
    ...extra,
  });

  it('learns, reports progress, keeps the best epoch, and saves a model that reloads and predicts the same', async () => {
    const before = tf.memory().numTensors;
    const outDir = path.join(dir, 'learns');
    const events: Progress[] = [];
    const epochs: EpochSummary[] = [];
    const result = await runTraining({
      ...tiny(outDir),
      epochs: 3,
      batchSize: 32,
      trainPerClass: 40,
      validationFraction: 0.2,
      optimizer: { kind: 'adam', learningRate: 2e-3 },
      schedule: { kind: 'constant' },
      command: 'deepcorrect train (test)',
      onProgress: (p) => events.push(p),
      onEpoch: (r) => epochs.push(r),
    });
    const { history, model, metadata } = result;
    expect(history).toHaveLength(3);
    expect(epochs).toEqual(history);
    // 400 images: 13 batches an epoch, each reported, plus one report after each epoch's validation.
    expect(events).toHaveLength(3 * 14);
    expect(events.at(-1)?.fraction).toBe(1);
    for (let i = 1; i < events.length; i++)
      expect(events[i]?.fraction).toBeGreaterThanOrEqual(events[i - 1]?.fraction as number);
    const first = events[0] as Progress;
    expect(first.stage).toBe('epoch 1/3');
    expect(Object.keys(first.metrics ?? {}).sort()).toEqual(
      ['accuracy', 'batch', 'batches', 'epoch', 'imagesPerSecond', 'learningRate', 'loss'].sort(),
    );
    expect(first.metrics?.learningRate).toBe(2e-3);
    const later = events.find((e) => e.stage === 'epoch 2/3') as Progress;
    expect(later.metrics?.valAccuracy).toBe(history[0]?.valAccuracy);
    expect(later.etaSeconds).toBeGreaterThan(0);

    const last = history[2] as EpochSummary;
    expect(last.loss).toBeLessThan((history[0] as EpochSummary).loss);
    const best = Math.max(...history.map((h) => h.valAccuracy));
    expect(best).toBeGreaterThan(0.4); // chance is 0.1
    expect(history.find((h) => h.epoch === result.bestEpoch)?.valAccuracy).toBe(best);
    for (const h of history) {
      expect(h.accuracy).toBeGreaterThanOrEqual(0);
      expect(h.accuracy).toBeLessThanOrEqual(1);
      expect(h.imagesPerSecond).toBeGreaterThan(0);
      expect(h.learningRate).toBe(2e-3);
    }

    expect(metadata.arch).toBe('cnn4');
    expect(metadata.classes[9]).toBe('Ankle boot');
    expect(metadata.provenance).toMatchObject({
      // A bundled dataset is recorded as the app's own, not by the folder of this checkout.
      dataset: 'resources/datasets/fashion-mnist-demo',
      seed: 4,
      epochs: 3,
      backend: 'wasm',
      optimizer: 'adam, lr 0.002',
      trainImages: 400,
      valImages: 100,
      valAccuracy: best,
      bestEpoch: result.bestEpoch,
      command: 'deepcorrect train (test)',
    });

    const files = await readdir(outDir);
    expect(files).toEqual(
      expect.arrayContaining(['model.json', 'weights.bin', 'deepcorrect.json', 'checkpoint']),
    );
    const state = await readCheckpoint(outDir);
    expect(state?.epoch).toBe(3);
    expect(state?.best.epoch).toBe(result.bestEpoch);
    // Only the latest and the best epoch's folders are kept.
    const folders = (await readdir(path.join(outDir, 'checkpoint'))).filter((f) => f.startsWith('epoch-'));
    expect(folders.sort()).toEqual([...new Set([state?.latest, state?.best.folder])].sort());

    const loaded = await loadModel(outDir, { expectInput: [28, 28, 1], expectClasses: 10 });
    expect(loaded.metadata.provenance?.valAccuracy).toBe(best);
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 9);
    expect(maxDifference([predictions(loaded.model, x)], [predictions(model, x)])).toBeLessThan(1e-6);
    tf.dispose(x);

    // The trainer's count of correct predictions (the running accuracy) matches the model's, over any replicas.
    const test = await loadImages(dataset, 'test', stratifiedSubset(await dataset.labels('test'), 5, 1, 10));
    const images = toUnitFloat(test.images);
    const expected = Math.round(
      (await accuracy(loaded.model, images, test.labels, test.imageShape)) * test.n,
    );
    expect(expected).toBeGreaterThan(10);
    for (const replicas of [1, 3]) {
      const still = tf.train.sgd(0);
      const trainer = await DataParallelTrainer.create(loaded.model, still, { backend: 'wasm', replicas });
      const batch = { x: images, y: oneHot(test.labels, 10), n: test.n };
      expect((await trainer.stepWithStats(batch, test.imageShape, 10)).correct).toBe(expected);
      await trainer.dispose();
      still.dispose();
    }
    loaded.model.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('cancels within a batch, keeps the checkpoint, and resumes to the weights of an uninterrupted run', async () => {
    const before = tf.memory().numTensors;
    const straight = await runTraining(tiny(path.join(dir, 'straight')));
    const straightWeights = weightsOf(straight.model);

    // Cancel in the middle of epoch 3 (batch 2 of 4): nothing more is trained, the epoch-2 checkpoint stays.
    const outDir = path.join(dir, 'resumed');
    const abort = new AbortController();
    let afterAbort = 0;
    const interrupted = runTraining({
      ...tiny(outDir),
      signal: abort.signal,
      onProgress: (p) => {
        if (abort.signal.aborted) afterAbort++;
        if (p.stage === 'epoch 3/3' && p.metrics?.batch === 2) abort.abort();
      },
    });
    await expect(interrupted).rejects.toBeInstanceOf(AbortError);
    expect(afterAbort).toBe(0);
    const state = await readCheckpoint(outDir);
    expect(state?.epoch).toBe(2);
    const checkpointModel = await loadModel(path.join(outDir, 'checkpoint', state?.latest ?? ''));
    checkpointModel.model.dispose();
    expect(await readdir(outDir)).toEqual(['checkpoint']); // no final model yet

    // A fresh run may not overwrite it, and a resume must use the same data settings.
    await expect(runTraining(tiny(outDir))).rejects.toThrow(/not empty: it holds a checkpoint/);
    await expect(runTraining({ ...tiny(outDir), resume: true, batchSize: 25 })).rejects.toThrow(
      /batchSize: 50 in the checkpoint, 25 now/,
    );

    const resumed = await runTraining({ ...tiny(outDir), resume: true });
    expect(resumed.resumedFrom).toBe(2);
    expect(resumed.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(resumed.bestEpoch).toBe(straight.bestEpoch);
    resumed.history.forEach((h, i) => {
      const s = straight.history[i] as EpochSummary;
      expect(h.loss).toBeCloseTo(s.loss, 4);
      expect(h.valAccuracy).toBe(s.valAccuracy);
      expect(h.learningRate).toBe(s.learningRate);
    });
    expect(maxDifference(weightsOf(resumed.model), straightWeights)).toBeLessThan(1e-4);
    expect(straight.history.map((h) => h.learningRate)).toEqual([0.05, 0.05, 0.025]);
    straight.model.dispose();
    resumed.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
