import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import { syntheticShapes } from '../../electron/engine/data/synthetic-shapes.ts';
import { oneHot } from '../../electron/engine/data/one-hot.ts';
import { accuracy } from '../../electron/engine/eval/accuracy.ts';
import { cnn4 } from '../../electron/engine/models/cnn4.ts';
import { DataParallelTrainer, splitEvenly } from '../../electron/engine/train/data-parallel.ts';
import { AbortError, fit } from '../../electron/engine/train/fit.ts';

const SHAPE: [number, number, number] = [28, 28, 1];

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.trainableWeights.map((w) => w.read().dataSync() as Float32Array);
}

describe('data-parallel training on wasm', () => {
  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
  });
  afterAll(async () => {
    await tf.setBackend('wasm');
  });

  it('splits batches evenly', () => {
    expect(splitEvenly(128, 2)).toEqual([64, 64]);
    expect(splitEvenly(7, 3)).toEqual([3, 2, 2]);
    expect(splitEvenly(1, 2)).toEqual([1, 0]);
  });

  it('one step over 3 replicas equals one step over 1 (gradients averaged by shard size)', async () => {
    const data = syntheticShapes(37, 5);
    const batch = { x: data.x, y: oneHot(data.labels, 10), n: data.n };
    const results: Float32Array[][] = [];
    for (const replicas of [1, 3]) {
      const model = cnn4({ inputShape: SHAPE, classes: 10, seed: 3 });
      const trainer = await DataParallelTrainer.create(model, tf.train.sgd(0.05), {
        backend: 'wasm',
        replicas,
      });
      expect(trainer.replicaCount).toBe(replicas);
      await trainer.step(batch, SHAPE, 10);
      results.push(weightsOf(model));
      await trainer.dispose();
      model.dispose();
    }
    const [single, parallel] = results as [Float32Array[], Float32Array[]];
    const initial = weightsOf(cnn4({ inputShape: SHAPE, classes: 10, seed: 3 }));
    single.forEach((w, i) => {
      const p = parallel[i] as Float32Array;
      const w0 = initial[i] as Float32Array;
      let maxStep = 0;
      let maxDiff = 0;
      for (let j = 0; j < w.length; j++) {
        maxStep = Math.max(maxStep, Math.abs((w[j] as number) - (w0[j] as number)));
        maxDiff = Math.max(maxDiff, Math.abs((w[j] as number) - (p[j] as number)));
      }
      expect(maxStep).toBeGreaterThan(0); // the step moved this weight
      expect(maxDiff / maxStep).toBeLessThan(1e-3);
    });
  });

  it("replicas compute with the main model's frozen weights (a frozen first layer: 2 replicas equal 1)", async () => {
    const data = syntheticShapes(24, 6);
    const batch = { x: data.x, y: oneHot(data.labels, 10), n: data.n };
    const results: Float32Array[][] = [];
    for (const replicas of [1, 2]) {
      const model = cnn4({ inputShape: SHAPE, classes: 10, seed: 4 });
      // Frozen weights that differ from any initialiser's: a replica rebuilt from the topology alone would differ.
      const conv1 = model.getLayer('conv1');
      conv1.setWeights(conv1.getWeights().map((w) => tf.tidy(() => w.mul(-1.5))));
      conv1.trainable = false;
      const trainer = await DataParallelTrainer.create(model, tf.train.sgd(0.05), {
        backend: 'wasm',
        replicas,
      });
      await trainer.step(batch, SHAPE, 10);
      results.push(weightsOf(model));
      await trainer.dispose();
      model.dispose();
    }
    const [single, parallel] = results as [Float32Array[], Float32Array[]];
    single.forEach((w, i) => {
      const p = parallel[i] as Float32Array;
      let maxAbs = 0;
      let maxDiff = 0;
      for (let j = 0; j < w.length; j++) {
        maxAbs = Math.max(maxAbs, Math.abs(w[j] as number));
        maxDiff = Math.max(maxDiff, Math.abs((w[j] as number) - (p[j] as number)));
      }
      expect(maxDiff / maxAbs).toBeLessThan(1e-4);
    });
  });

  it('learns the generated shapes and leaks no tensors over an epoch', async () => {
    const train = syntheticShapes(1024, 11);
    const test = syntheticShapes(300, 12);
    const model = cnn4({ inputShape: SHAPE, classes: 10, seed: 2 });
    const trainer = await DataParallelTrainer.create(model, tf.train.adam(2e-3), { backend: 'wasm' });
    const data = { x: train.x, labels: train.labels, n: train.n, imageShape: SHAPE, classes: 10 };
    await fit(trainer, data, { epochs: 1, batchSize: 128, seed: 1 }); // optimizer slots exist from here on
    const before = tf.memory().numTensors;
    const fractions: number[] = [];
    const history = await fit(trainer, data, {
      epochs: 1,
      batchSize: 128,
      seed: 2,
      onProgress: (p) => fractions.push(p.fraction),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(fractions).toHaveLength(8);
    expect(fractions.at(-1)).toBe(1);
    expect(history[0]?.loss).toBeLessThan(1.5);
    expect(await accuracy(model, test.x, test.labels, SHAPE)).toBeGreaterThan(0.6);
    await trainer.dispose();
    model.dispose();
  });

  it('stops at the next batch when cancelled', async () => {
    const train = syntheticShapes(512, 3);
    const model = cnn4({ inputShape: SHAPE, classes: 10 });
    const trainer = await DataParallelTrainer.create(model, tf.train.adam(1e-3), {
      backend: 'wasm',
      replicas: 2,
    });
    const abort = new AbortController();
    let batches = 0;
    const run = fit(
      trainer,
      { x: train.x, labels: train.labels, n: train.n, imageShape: SHAPE, classes: 10 },
      {
        epochs: 3,
        batchSize: 64,
        seed: 1,
        signal: abort.signal,
        onProgress: () => {
          batches++;
          if (batches === 2) abort.abort();
        },
      },
    );
    await expect(run).rejects.toBeInstanceOf(AbortError);
    expect(batches).toBe(2);
    await trainer.dispose();
    model.dispose();
  });
});
