import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import { oneHot } from '../../electron/engine/data/one-hot.ts';
import { DataParallelTrainer } from '../../electron/engine/train/data-parallel.ts';
import { crossEntropy, regularizationPenalty } from '../../electron/engine/train/gradients.ts';

const SHAPE: [number, number, number] = [5, 5, 1];
const CLASSES = 3;
const LR = 0.1;
// Large enough that a step ignoring the penalties misses the reference by far more than the tolerance.
const L1 = 0.1;
const L2 = 0.1;

interface Options {
  regularized: boolean;
  /** Adds a frozen regularised conv in front, whose penalty must neither move weights nor enter the loss. */
  frozenFront?: boolean;
}

/** Same seeds every call, so two builds start from identical weights. */
function tinyModel({ regularized, frozenFront = false }: Options): tf.LayersModel {
  const model = tf.sequential();
  if (frozenFront)
    model.add(
      tf.layers.conv2d({
        inputShape: SHAPE,
        filters: 1,
        kernelSize: 1,
        kernelInitializer: tf.initializers.glorotNormal({ seed: 7 }),
        kernelRegularizer: tf.regularizers.l2({ l2: 100 }),
        trainable: false,
      }),
    );
  model.add(
    tf.layers.conv2d({
      ...(frozenFront ? {} : { inputShape: SHAPE }),
      filters: 2,
      kernelSize: 3,
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }),
      biasInitializer: tf.initializers.constant({ value: 0.05 }),
      ...(regularized ? { kernelRegularizer: tf.regularizers.l1({ l1: L1 }) } : {}),
    }),
  );
  model.add(tf.layers.flatten());
  model.add(
    tf.layers.dense({
      units: CLASSES,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }),
      ...(regularized ? { kernelRegularizer: tf.regularizers.l2({ l2: L2 }) } : {}),
    }),
  );
  return model;
}

function batchOf(n: number, seed: number): { x: Float32Array; y: Float32Array; n: number } {
  const x = tf.tidy(() => tf.randomUniform([n, ...SHAPE], -1, 1, 'float32', seed).dataSync() as Float32Array);
  const labels = Array.from({ length: n }, (_, i) => (i * 7 + seed) % CLASSES);
  return { x, y: oneHot(labels, CLASSES), n };
}

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.trainableWeights.map((w) => w.read().dataSync() as Float32Array);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs((a[i] as number) - (b[i] as number)));
  return d;
}

/**
 * The reference step, independent of the trainer: tf.variableGrads of cross-entropy plus the penalties
 * written out by hand (l1 * sum|w| on the conv kernel, l2 * sum w^2 on the dense kernel), then plain SGD.
 */
function referenceStep(
  model: tf.LayersModel,
  batch: { x: Float32Array; y: Float32Array; n: number },
): { weights: Float32Array[]; loss: number } {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const x = tf.tensor(batch.x, [batch.n, ...SHAPE]);
  const y = tf.tensor(batch.y, [batch.n, CLASSES]);
  // Order of trainable weights: conv kernel, conv bias, dense kernel, dense bias.
  const [convVar, , denseVar] = vars as [tf.Variable, tf.Variable, tf.Variable];
  const { value, grads } = tf.variableGrads(() => {
    const probs = model.apply(x, { training: true }) as tf.Tensor;
    const l1 = tf.mul(L1, tf.sum(tf.abs(convVar)));
    const l2 = tf.mul(L2, tf.sum(tf.square(denseVar)));
    return tf.addN([crossEntropy(y, probs), l1, l2]) as tf.Scalar;
  }, vars);
  const weights = vars.map((v) => {
    const g = grads[v.name];
    if (g === undefined) throw new Error(`no gradient for ${v.name}`);
    return tf.tidy(() => tf.sub(v, tf.mul(LR, g)).dataSync() as Float32Array);
  });
  const loss = value.dataSync()[0] as number;
  tf.dispose([x, y, value, ...Object.values(grads)]);
  return { weights, loss };
}

describe('regularisation penalties in the data-parallel trainer (wasm)', () => {
  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
  });
  afterAll(async () => {
    await tf.setBackend('wasm');
  });

  it('the penalty of the trained layers is l1 * sum|w| + l2 * sum w^2', () => {
    const model = tinyModel({ regularized: true });
    const before = tf.memory().numTensors;
    const penalty = regularizationPenalty(model);
    if (penalty === undefined) throw new Error('expected a penalty');
    const [conv, dense] = [weightsOf(model)[0], weightsOf(model)[2]] as [Float32Array, Float32Array];
    const expected =
      L1 * conv.reduce((a, w) => a + Math.abs(w), 0) + L2 * dense.reduce((a, w) => a + w * w, 0);
    expect(penalty.dataSync()[0]).toBeCloseTo(expected, 5);
    penalty.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const plain = tinyModel({ regularized: false });
    expect(regularizationPenalty(plain)).toBeUndefined();
    model.dispose();
    plain.dispose();
  });

  for (const replicas of [1, 2]) {
    it(`one SGD step over ${replicas} replica(s) equals the hand-written regularised step`, async () => {
      const batch = batchOf(8, 3);
      const reference = tinyModel({ regularized: true });
      const expected = referenceStep(reference, batch);
      reference.dispose();

      const model = tinyModel({ regularized: true });
      const trainer = await DataParallelTrainer.create(model, tf.train.sgd(LR), {
        backend: 'wasm',
        replicas,
      });
      expect(trainer.replicaCount).toBe(replicas);
      const before = tf.memory().numTensors;
      const loss = await trainer.step(batch, SHAPE, CLASSES);
      expect(tf.memory().numTensors).toBe(before);
      const got = weightsOf(model);
      got.forEach((w, i) => expect(maxAbsDiff(w, expected.weights[i] as Float32Array)).toBeLessThan(1e-5));
      // Keras reports the loss with the penalties included; the shards' weighted mean counts them once.
      expect(loss).toBeCloseTo(expected.loss, 5);
      await trainer.dispose();
      model.dispose();
    });
  }

  it('the penalties move the kernels by exactly lr * l1 * sign(w) and lr * 2 * l2 * w', async () => {
    const batch = batchOf(6, 5);
    const after: Float32Array[][] = [];
    let initial: Float32Array[] = [];
    for (const regularized of [false, true]) {
      const model = tinyModel({ regularized });
      initial = weightsOf(model);
      const trainer = await DataParallelTrainer.create(model, tf.train.sgd(LR), {
        backend: 'wasm',
        replicas: 2,
      });
      await trainer.step(batch, SHAPE, CLASSES);
      after.push(weightsOf(model));
      await trainer.dispose();
      model.dispose();
    }
    const [plain, penalised] = after as [Float32Array[], Float32Array[]];
    const shift = (i: number, j: number): number =>
      ((penalised[i] as Float32Array)[j] as number) - ((plain[i] as Float32Array)[j] as number);
    const w0 = (i: number, j: number): number => (initial[i] as Float32Array)[j] as number;
    // Order of trainable weights: conv kernel, conv bias, dense kernel, dense bias.
    for (let j = 0; j < (initial[0] as Float32Array).length; j++)
      expect(Math.abs(shift(0, j) + LR * L1 * Math.sign(w0(0, j)))).toBeLessThan(1e-5);
    for (let j = 0; j < (initial[2] as Float32Array).length; j++)
      expect(Math.abs(shift(2, j) + LR * 2 * L2 * w0(2, j))).toBeLessThan(1e-5);
    for (const i of [1, 3])
      expect(maxAbsDiff(penalised[i] as Float32Array, plain[i] as Float32Array)).toBeLessThan(1e-6);
  });

  it("a frozen layer's penalty enters neither the loss nor the step, on 1 and 2 replicas", async () => {
    const batch = batchOf(8, 9);
    const losses: number[] = [];
    const results: Float32Array[][] = [];
    for (const replicas of [1, 2]) {
      const model = tinyModel({ regularized: false, frozenFront: true });
      expect(regularizationPenalty(model)).toBeUndefined();
      const ce = tf.tidy(() =>
        crossEntropy(
          tf.tensor(batch.y, [batch.n, CLASSES]),
          model.predict(tf.tensor(batch.x, [batch.n, ...SHAPE])) as tf.Tensor,
        ),
      );
      const expected = ce.dataSync()[0] as number;
      ce.dispose();
      const trainer = await DataParallelTrainer.create(model, tf.train.sgd(LR), {
        backend: 'wasm',
        replicas,
      });
      losses.push(await trainer.step(batch, SHAPE, CLASSES));
      expect(losses.at(-1)).toBeCloseTo(expected, 5);
      results.push(weightsOf(model));
      await trainer.dispose();
      model.dispose();
    }
    const [single, parallel] = results as [Float32Array[], Float32Array[]];
    single.forEach((w, i) => expect(maxAbsDiff(w, parallel[i] as Float32Array)).toBeLessThan(1e-5));
  });
});
