import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import type { Dataset } from '../../electron/engine/data/dataset.ts';
import { loadImages, toUnitFloat } from '../../electron/engine/data/load-images.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import { stratifiedSubset } from '../../electron/engine/data/subset.ts';
import { accuracy } from '../../electron/engine/eval/accuracy.ts';
import { evaluate, type EvaluationOptions } from '../../electron/engine/eval/evaluate.ts';
import { cnn4 } from '../../electron/engine/models/cnn4.ts';
import { demoDatasetDir } from '../../electron/engine/resources.ts';

describe('evaluate: accuracy versus distortion level', () => {
  let dataset: Dataset;
  let model: tf.LayersModel;
  let indices: Uint32Array;
  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
    dataset = await openDataset(demoDatasetDir());
    model = cnn4({ inputShape: [28, 28, 1], classes: 10, seed: 2 });
    indices = stratifiedSubset(await dataset.labels('test'), 6, 1, 10);
  });
  afterAll(async () => {
    model.dispose();
    await dataset.close();
  });

  it('gives top-1, top-5, per-class accuracy and the confusion matrix, consistently, and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const fractions: number[] = [];
    const result = await evaluate({
      model,
      dataset,
      split: 'test',
      indices,
      spec: { kind: 'blur' },
      levels: [0, 3],
      seed: 1,
      batchSize: 16,
      onProgress: (p) => fractions.push(p.fraction),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.images).toBe(60);
    expect(result.parameter).toBe('sigma (px)');
    expect(result.conditions.map((c) => c.level)).toEqual([undefined, 0, 3]);
    // The clean condition agrees with plain accuracy on the same images.
    const data = await loadImages(dataset, 'test', indices);
    const plain = await accuracy(model, toUnitFloat(data.images), data.labels, data.imageShape);
    expect(result.conditions[0]?.top1).toBeCloseTo(plain, 10);
    // Blur at sigma 0 is the identity.
    expect({ ...result.conditions[1], level: undefined }).toEqual({
      ...result.conditions[0],
      level: undefined,
    });
    for (const c of result.conditions) {
      const counted = c.confusion.flat().reduce((a, b) => a + b, 0);
      const diagonal = c.confusion.reduce((sum, row, i) => sum + (row[i] as number), 0);
      expect(counted).toBe(60);
      expect(diagonal / 60).toBeCloseTo(c.top1, 10);
      expect(c.top5).toBeGreaterThanOrEqual(c.top1);
      expect(c.perClass.reduce((a, b) => a + b, 0) / 10).toBeCloseTo(c.top1, 10);
    }
    const top1 = result.conditions.map((c) => c.top1);
    expect(result.meanWithClean).toBeCloseTo((top1[0]! + top1[1]! + top1[2]!) / 3, 10);
    expect(result.meanLevels).toBeCloseTo((top1[1]! + top1[2]!) / 2, 10);
    expect(fractions.at(-1)).toBeCloseTo(1, 10);
  });

  it('records which images each condition got right, in the order evaluated, only when asked', async () => {
    const order = Uint32Array.from(indices).reverse();
    const options: EvaluationOptions = {
      model,
      dataset,
      split: 'test',
      indices: order,
      spec: { kind: 'blur' },
      levels: [0, 2],
      seed: 1,
      batchSize: 16,
    };
    const before = tf.memory().numTensors;
    const result = await evaluate({ ...options, perImage: true });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.imageIndices).toEqual(order);
    const data = await loadImages(dataset, 'test', order);
    const predicted = tf.tidy(() =>
      tf.argMax(
        model.predict(tf.tensor(toUnitFloat(data.images), [60, ...data.imageShape])) as tf.Tensor,
        -1,
      ),
    );
    const classes = await predicted.data();
    predicted.dispose();
    const expected = Uint8Array.from(data.labels, (label, i) => (classes[i] === label ? 1 : 0));
    expect(new Set(expected)).toEqual(new Set([0, 1]));
    expect(result.conditions[0]?.correct).toEqual(expected);
    expect(result.conditions[1]?.correct).toEqual(expected);
    for (const c of result.conditions) {
      expect(c.correct).toHaveLength(60);
      expect(c.correct!.reduce((a, b) => a + b, 0)).toBe(Math.round(c.top1 * result.images));
    }
    // Off by default: the result is the one it always was.
    const plain = await evaluate(options);
    expect(tf.memory().numTensors).toBe(before);
    expect('imageIndices' in plain).toBe(false);
    expect(plain.conditions.some((c) => 'correct' in c)).toBe(false);
    const { imageIndices: _, ...rest } = result;
    expect({ ...plain, seconds: 0 }).toEqual({
      ...rest,
      seconds: 0,
      conditions: result.conditions.map(({ correct: _c, ...c }) => c),
    });
  });

  it('refuses a model whose outputs do not match the classes', async () => {
    const other = cnn4({ inputShape: [28, 28, 1], classes: 7 });
    await expect(
      evaluate({ model: other, dataset, split: 'test', spec: { kind: 'noise' }, levels: [5], seed: 1 }),
    ).rejects.toThrow('the model has 7 outputs but fashion-mnist-demo has 10 classes');
    other.dispose();
  });

  it('stops when cancelled', async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(
      evaluate({
        model,
        dataset,
        split: 'test',
        spec: { kind: 'noise' },
        levels: [5],
        seed: 1,
        signal: abort.signal,
      }),
    ).rejects.toThrow();
  });
});
