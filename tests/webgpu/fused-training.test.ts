/**
 * The fused training step on webgpu (train/fused-layers.ts, backend/webgpu/training-kernels.ts) on a software
 * GPU (SwiftShader through Dawn), against the cpu backend's unfused ops on random inputs: a conv or dense layer
 * with its bias and ReLU as one taped kernel (value and every input's gradient), the softmax cross-entropy and
 * its gradient (clipped probabilities included), the bias gradient's split column sum, the count of correct
 * predictions; then whole cnn4 steps fused against unfused on the same GPU (loss, count, weights), the
 * dispatches each takes, and no leaked tensors.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { releaseBackends } from '../../electron/engine/backend/probes.ts';
import { gpuFault } from '../../electron/engine/backend/gpu-errors.ts';
import { countDispatches, projectProgramRuns } from '../../electron/engine/backend/webgpu/stats.ts';
import { packageWebgpuKernel } from '../../electron/engine/backend/webgpu/register.ts';
import { BIAS_GRADIENT } from '../../electron/engine/backend/webgpu/training-kernels.ts';
import {
  fusedCorrectCount,
  fusedTrainingActive,
  meanSoftmaxCrossEntropy,
  setFusedTraining,
} from '../../electron/engine/train/fused-layers.ts';
import { correctCount, crossEntropy } from '../../electron/engine/train/gradients.ts';
import { DataParallelTrainer } from '../../electron/engine/train/data-parallel.ts';
import { createOptimizer, disposeOptimizer } from '../../electron/engine/train/optimizer.ts';
import { buildModel } from '../../electron/engine/models/registry.ts';
import { fusedBatchNormRun } from '../../electron/engine/train/fused-batch-norm.ts';
import { prepareForward } from '../../electron/engine/train/training-forward.ts';
import { mulberry32, randomValues } from '../engine/conv-reference.ts';
import { startWebgpuOnSwiftShader } from './swiftshader.ts';
import { profileStep } from '../../bench/gpu-step-profile.ts';

const TOLERANCE = 1e-4;

const skipReason = await startWebgpuOnSwiftShader();
const name =
  skipReason === undefined
    ? 'fused training step on webgpu'
    : `fused training step on webgpu (skipped: ${skipReason})`;

type Values = Float32Array[];

/** Runs f on a backend and returns its tensors' values; every tensor it made is freed. */
async function on(backend: 'cpu' | 'webgpu', f: () => tf.Tensor[]): Promise<Values> {
  await tf.setBackend(backend);
  const outputs = tf.tidy(f);
  const values = await Promise.all(outputs.map(async (t) => Float32Array.from(await t.data())));
  tf.dispose(outputs);
  return values;
}

function worstError(actual: Values, expected: Values): number {
  let worst = 0;
  expected.forEach((e, i) => {
    const a = actual[i] as Float32Array;
    expect(a.length).toBe(e.length);
    const scale = Math.max(1e-3, ...Array.from(e, Math.abs));
    e.forEach((x, j) => {
      worst = Math.max(worst, Math.abs((a[j] as number) - x) / scale);
    });
  });
  return worst;
}

/** A batch of 6 random 8x8x1 images, labelled 0..5 of 10 classes: what the cnn4 steps below train on. */
function cnn4Batch(seed: number) {
  const shape: [number, number, number] = [8, 8, 1];
  const [batch, classes] = [6, 10];
  const rand = mulberry32(seed);
  const x = Float32Array.from({ length: batch * 64 }, () => rand());
  const y = new Float32Array(batch * classes);
  for (let i = 0; i < batch; i++) y[i * classes + (i % classes)] = 1;
  return { shape, batch, classes, x, y };
}

interface ConvCase {
  x: [number, number, number, number];
  f: [number, number, number, number];
  stride: number;
  pad: 'same' | 'valid';
  activation: 'relu' | 'linear';
  bias: boolean;
}

const CONV_CASES: ConvCase[] = [
  { x: [2, 6, 5, 3], f: [3, 3, 3, 8], stride: 1, pad: 'same', activation: 'relu', bias: true },
  { x: [3, 7, 7, 4], f: [3, 3, 4, 5], stride: 2, pad: 'valid', activation: 'relu', bias: true },
  { x: [1, 5, 6, 2], f: [1, 1, 2, 4], stride: 1, pad: 'valid', activation: 'linear', bias: true },
  { x: [2, 4, 4, 3], f: [3, 3, 3, 4], stride: 1, pad: 'same', activation: 'relu', bias: false },
];

describe.skipIf(skipReason !== undefined)(name, () => {
  beforeAll(async () => {
    await tf.setBackend('webgpu');
  });
  afterAll(() => {
    setFusedTraining(true);
    releaseBackends();
  });
  // A dispatch Dawn refuses (say, a binding its shader does not use) leaves stale data, not an exception.
  afterEach(() => {
    expect(gpuFault()).toBeUndefined();
  });

  it('is active on webgpu, and can be turned off', () => {
    expect(fusedTrainingActive()).toBe(true);
    setFusedTraining(false);
    expect(fusedTrainingActive()).toBe(false);
    setFusedTraining(true);
  });

  it.each(CONV_CASES.map((c) => [JSON.stringify(c), c] as const))(
    'a conv layer as one taped FusedConv2D equals conv + bias + activation on cpu: %s',
    async (_, c) => {
      const rand = mulberry32(c.x[1] * 97 + c.f[3]);
      const xv = randomValues(c.x, rand);
      const fv = randomValues(c.f, rand);
      const bv = randomValues([c.f[3]], rand);
      const upstream = (y: tf.Tensor): tf.Scalar =>
        tf.sum(tf.mul(y, tf.linspace(-1, 2, y.size).reshape(y.shape)));
      const reference = await on('cpu', () => {
        const [x, f, b] = [tf.tensor4d(xv, c.x), tf.tensor4d(fv, c.f), tf.tensor1d(bv)];
        const forward = (xi: tf.Tensor, fi: tf.Tensor, bi: tf.Tensor): tf.Tensor => {
          let y: tf.Tensor = tf.conv2d(xi as tf.Tensor4D, fi as tf.Tensor4D, c.stride, c.pad);
          if (c.bias) y = tf.add(y, bi);
          return c.activation === 'relu' ? tf.relu(y) : y;
        };
        const inputs = c.bias ? [x, f, b] : [x, f];
        const grads = tf.grads((...ts: tf.Tensor[]) => upstream(forward(ts[0]!, ts[1]!, ts[2] ?? b)))(inputs);
        return [forward(x, f, b), ...grads];
      });
      const before = tf.memory().numTensors;
      const fused = await on('webgpu', () => {
        const [x, f, b] = [tf.tensor4d(xv, c.x), tf.tensor4d(fv, c.f), tf.tensor1d(bv)];
        const attrs = {
          strides: [c.stride, c.stride],
          pad: c.pad,
          dataFormat: 'NHWC',
          dilations: [1, 1],
          activation: c.activation,
        };
        const forward = (xi: tf.Tensor, fi: tf.Tensor, bi: tf.Tensor): tf.Tensor =>
          tf
            .engine()
            .runKernel<tf.Tensor>(
              'FusedConv2D',
              c.bias ? { x: xi, filter: fi, bias: bi } : { x: xi, filter: fi },
              attrs,
            );
        const inputs = c.bias ? [x, f, b] : [x, f];
        const grads = tf.grads((...ts: tf.Tensor[]) => upstream(forward(ts[0]!, ts[1]!, ts[2] ?? b)))(inputs);
        return [forward(x, f, b), ...grads];
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(worstError(fused, reference)).toBeLessThan(TOLERANCE);
    },
  );

  it.each(['relu', 'linear'] as const)(
    'a dense layer as one taped _FusedMatMul (%s) equals matMul + bias + activation on cpu',
    async (activation) => {
      const rand = mulberry32(activation === 'relu' ? 5 : 6);
      const [n, k, u] = [7, 9, 6];
      const av = randomValues([n, k], rand);
      const bv = randomValues([k, u], rand);
      const biasv = randomValues([u], rand);
      const weights = Float32Array.from({ length: n * u }, (_, i) => Math.sin(i));
      const loss = (y: tf.Tensor): tf.Scalar => tf.sum(tf.mul(y, tf.tensor(weights, [n, u])));
      const reference = await on('cpu', () => {
        const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor): tf.Tensor => {
          const y = tf.add(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), c);
          return activation === 'relu' ? tf.relu(y) : y;
        };
        const ts = [tf.tensor2d(av, [n, k]), tf.tensor2d(bv, [k, u]), tf.tensor1d(biasv)];
        return [f(ts[0]!, ts[1]!, ts[2]!), ...tf.grads((a, b, c) => loss(f(a, b, c)))(ts)];
      });
      const fused = await on('webgpu', () => {
        const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor): tf.Tensor =>
          tf.reshape(
            tf
              .engine()
              .runKernel<tf.Tensor>(
                '_FusedMatMul',
                { a: tf.reshape(a, [1, n, k]), b: tf.reshape(b, [1, k, u]), bias: c },
                { transposeA: false, transposeB: false, activation },
              ),
            [n, u],
          );
        const ts = [tf.tensor2d(av, [n, k]), tf.tensor2d(bv, [k, u]), tf.tensor1d(biasv)];
        return [f(ts[0]!, ts[1]!, ts[2]!), ...tf.grads((a, b, c) => loss(f(a, b, c)))(ts)];
      });
      expect(worstError(fused, reference)).toBeLessThan(TOLERANCE);
    },
  );

  it('the softmax cross-entropy and its gradient equal the clipped chain on cpu, clipped rows included', async () => {
    const rand = mulberry32(11);
    const [rows, cols] = [300, 7]; // more rows than the reduction's 256 threads
    const logits = randomValues([rows, cols], rand).map((v, i) => (i % 23 === 0 ? v * 40 : v * 3));
    const labels = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) labels[r * cols + ((r * 5) % cols)] = 1;
    // A scale on the loss checks that the upstream gradient reaches the logits.
    const reference = await on('cpu', () => {
      const [z, y] = [tf.tensor2d(logits, [rows, cols]), tf.tensor2d(labels, [rows, cols])];
      const loss = (zi: tf.Tensor): tf.Scalar => tf.mul(crossEntropy(y, tf.softmax(zi)), 3);
      return [loss(z), tf.grad(loss)(z)];
    });
    const fused = await on('webgpu', () => {
      const [z, y] = [tf.tensor2d(logits, [rows, cols]), tf.tensor2d(labels, [rows, cols])];
      const loss = (zi: tf.Tensor): tf.Scalar => tf.mul(meanSoftmaxCrossEntropy(zi, y), 3);
      return [loss(z), tf.grad(loss)(z)];
    });
    expect(fused[0]?.length).toBe(1);
    expect(worstError(fused, reference)).toBeLessThan(TOLERANCE);
  });

  it.each([
    ['2x2 windows tiling a 5x7 input', [2, 5, 7, 3], 2, 2, 'valid'],
    ['3x3 windows, stride 2 (overlapping: the package kernel)', [1, 7, 7, 2], 3, 2, 'same'],
  ] as const)('the max-pool gradient equals the cpu backend: %s', async (_, shape, size, stride, pad) => {
    const xv = randomValues([...shape], mulberry32(shape[1] * 13 + size));
    const grad = (): tf.Tensor[] => {
      const x = tf.tensor4d(xv, [...shape]);
      const pooled = (xi: tf.Tensor): tf.Tensor => tf.maxPool(xi as tf.Tensor4D, size, stride, pad);
      const weights = tf.linspace(1, 2, pooled(x).size).reshape(pooled(x).shape);
      return [tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(pooled(xi), weights)))(x)];
    };
    const reference = await on('cpu', grad);
    const runs = projectProgramRuns()['pool-gradient'];
    const fused = await on('webgpu', grad);
    expect(worstError(fused, reference)).toBeLessThan(TOLERANCE);
    expect(projectProgramRuns()['pool-gradient'] - runs).toBe(stride === size ? 1 : 0);
  });

  it("gives tied maxima's gradient where the package's webgpu kernel does (the last one)", async () => {
    await tf.setBackend('webgpu');
    const shape: [number, number, number, number] = [2, 6, 4, 3];
    // Few distinct values: most windows hold ties. (The cpu backend breaks ties another way.)
    const xv = randomValues(shape, mulberry32(5)).map((v) => Math.round(v));
    const outputs = tf.tidy(() => {
      const x = tf.tensor4d(xv, shape);
      const y = tf.maxPool(x, 2, 2, 'valid');
      const dy = tf.linspace(1, 2, y.size).reshape(y.shape);
      const attrs = { filterSize: 2, strides: 2, pad: 'valid' };
      const ours = tf.engine().runKernel<tf.Tensor>('MaxPoolGrad', { dy, input: x, output: y }, attrs);
      const original = packageWebgpuKernel('MaxPoolGrad');
      if (original === undefined) throw new Error("the package's MaxPoolGrad was not kept");
      const info = original.kernelFunc({ inputs: { dy, input: x, output: y }, attrs, backend: tf.backend() });
      const theirs = tf.engine().makeTensorFromTensorInfo(info as tf.TensorInfo);
      return [ours, theirs];
    });
    const [ours, theirs] = await Promise.all(outputs.map(async (t) => Float32Array.from(await t.data())));
    tf.dispose(outputs);
    expect(Array.from(ours!)).toEqual(Array.from(theirs!));
  });

  it("a bias's gradient sums every row, split across workgroups when there are many", async () => {
    for (const [rows, cols] of [
      [5, 3],
      [70_001, 3],
    ] as const) {
      const values = randomValues([rows, cols], mulberry32(rows));
      const reference = await on('cpu', () => [tf.sum(tf.tensor2d(values, [rows, cols]), 0)]);
      const fused = await on('webgpu', () => [
        tf.engine().runKernel<tf.Tensor>(BIAS_GRADIENT, { dy: tf.tensor2d(values, [rows, cols]) }),
      ]);
      expect(worstError(fused, reference), `${rows} rows`).toBeLessThan(TOLERANCE);
    }
  });

  it('counts correct predictions as the cpu backend does', async () => {
    const rand = mulberry32(3);
    const [rows, cols] = [261, 5];
    const scores = randomValues([rows, cols], rand);
    const labels = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) labels[r * cols + Math.floor(rand() * cols)] = 1;
    const reference = await on('cpu', () => [
      correctCount(tf.tensor2d(scores, [rows, cols]), tf.tensor2d(labels, [rows, cols])),
    ]);
    const fused = await on('webgpu', () => [
      fusedCorrectCount(tf.tensor2d(scores, [rows, cols]), tf.tensor2d(labels, [rows, cols])),
    ]);
    expect(reference[0]?.[0]).toBeGreaterThan(0);
    expect(fused[0]?.[0]).toBe(reference[0]?.[0]);
  });

  it("a trained batch norm's fused kernels equal tfjs-layers' batch norm on cpu: output, moving statistics, gradients", async () => {
    const shape = [3, 5, 4, 6];
    const rand = mulberry32(17);
    const xv = randomValues(shape, rand).map((v) => v * 2 + 0.5);
    const upstream = Float32Array.from({ length: xv.length }, (_, i) => Math.cos(i));
    const initial = [
      randomValues([6], rand),
      randomValues([6], rand),
      randomValues([6], rand),
      randomValues([6], rand),
    ];
    initial[3] = initial[3]!.map((v) => Math.abs(v) + 0.5); // a moving variance
    const onBackend = (fused: boolean) => (): tf.Tensor[] => {
      const layer = tf.layers.batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-3 });
      layer.build(shape);
      layer.setWeights(initial.map((v) => tf.tensor1d(v)));
      const x = tf.tensor4d(xv, shape as [number, number, number, number]);
      const run = fused ? fusedBatchNormRun(layer, layer.getConfig()) : undefined;
      if (fused && run === undefined) throw new Error('no fused batch norm for this layer');
      const forward = (xi: tf.Tensor): tf.Tensor =>
        run === undefined ? (layer.apply(xi, { training: true }) as tf.Tensor) : run([xi]);
      const trained = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.mul(forward(x), tf.tensor(upstream, shape))),
        trained,
      );
      const dx = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(forward(xi), tf.tensor(upstream, shape))))(x);
      // Two forward passes ran (variableGrads, grad): the moving statistics moved twice on both sides.
      const moving = layer.getWeights().slice(2);
      return [value, dx, ...trained.map((v) => grads[v.name]!), ...moving];
    };
    const reference = await on('cpu', onBackend(false));
    const fused = await on('webgpu', onBackend(true));
    expect(worstError(fused, reference)).toBeLessThan(TOLERANCE);
  });

  it('resnet8 steps fused equal unfused steps on the same GPU, moving statistics included', async () => {
    await tf.setBackend('webgpu');
    const shape: [number, number, number] = [8, 8, 3];
    const [batch, classes] = [3, 10];
    const rand = mulberry32(8);
    const x = Float32Array.from({ length: batch * 192 }, () => rand());
    const y = new Float32Array(batch * classes);
    for (let i = 0; i < batch; i++) y[i * classes + ((i * 3) % classes)] = 1;
    const run = async (
      fused: boolean,
    ): Promise<{ losses: number[]; weights: Values; dispatches: number }> => {
      setFusedTraining(fused);
      const model = buildModel('resnet8', { inputShape: shape, classes });
      const optimizer = createOptimizer({ kind: 'sgd', learningRate: 0.05, momentum: 0, nesterov: false });
      const trainer = await DataParallelTrainer.create(model, optimizer, { backend: 'webgpu', replicas: 1 });
      const losses: number[] = [];
      let dispatches = 0;
      for (let s = 0; s < 2; s++) {
        const spy = countDispatches(tf.backend());
        losses.push(await trainer.step({ x, y, n: batch }, shape, classes));
        spy.stop();
        dispatches = spy.count();
      }
      const weights = await Promise.all(
        model.weights.map(async (w) => Float32Array.from(await w.read().data())),
      );
      await trainer.dispose();
      disposeOptimizer(optimizer);
      model.dispose();
      return { losses, weights, dispatches };
    };
    const before = tf.memory().numTensors;
    const plain = await run(false);
    const fused = await run(true);
    setFusedTraining(true);
    expect(tf.memory().numTensors).toBe(before);
    console.log(
      `resnet8 step on webgpu (batch ${batch}, 8x8x3): ${plain.dispatches} dispatches unfused, ${fused.dispatches} fused (SGD)`,
    );
    fused.losses.forEach((l, i) => expect(l).toBeCloseTo(plain.losses[i] as number, 4));
    expect(worstError(fused.weights, plain.weights)).toBeLessThan(1e-3);
    expect(fused.dispatches).toBeLessThan(plain.dispatches * 0.5);
  });

  it('a model ending in a separate softmax layer hands the loss its logits and trains as unfused', async () => {
    await tf.setBackend('webgpu');
    const rand = mulberry32(31);
    const [batch, classes] = [5, 4];
    const x = Float32Array.from({ length: batch * 6 }, () => rand());
    const y = new Float32Array(batch * classes);
    for (let i = 0; i < batch; i++) y[i * classes + (i % classes)] = 1;
    const run = async (fused: boolean): Promise<{ losses: number[]; weights: Values; logits: boolean }> => {
      setFusedTraining(fused);
      const model = tf.sequential({
        layers: [
          tf.layers.dense({
            inputShape: [6],
            units: 5,
            activation: 'relu',
            kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
          }),
          tf.layers.dense({ units: classes, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
          tf.layers.activation({ activation: 'softmax' }),
        ],
      });
      const probe = tf.tensor2d(x, [batch, 6]);
      const forward = prepareForward(model, probe);
      const logits = forward.logits;
      forward.dispose();
      probe.dispose();
      const optimizer = createOptimizer({ kind: 'sgd', learningRate: 0.5, momentum: 0, nesterov: false });
      const trainer = await DataParallelTrainer.create(model, optimizer, { backend: 'webgpu', replicas: 1 });
      const losses: number[] = [];
      for (let s = 0; s < 3; s++) losses.push(await trainer.step({ x, y, n: batch }, [6], classes));
      const weights = await Promise.all(
        model.weights.map(async (w) => Float32Array.from(await w.read().data())),
      );
      await trainer.dispose();
      disposeOptimizer(optimizer);
      model.dispose();
      return { losses, weights, logits };
    };
    const plain = await run(false);
    const fused = await run(true);
    setFusedTraining(true);
    expect([plain.logits, fused.logits]).toEqual([false, true]);
    fused.losses.forEach((l, i) => expect(l).toBeCloseTo(plain.losses[i] as number, 5));
    expect(worstError(fused.weights, plain.weights)).toBeLessThan(1e-4);
  });

  it('cnn4 steps fused equal unfused steps on the same GPU, in fewer dispatches, with no leaks', async () => {
    await tf.setBackend('webgpu');
    const { shape, batch, classes, x, y } = cnn4Batch(21);
    const steps = 3;
    const run = async (
      fused: boolean,
    ): Promise<{ losses: number[]; correct: number[]; weights: Values; dispatches: number }> => {
      setFusedTraining(fused);
      const model = buildModel('cnn4', { inputShape: shape, classes });
      // Plain SGD: Adam's normalised step would turn rounding in near-zero gradients into whole steps.
      const optimizer = createOptimizer({ kind: 'sgd', learningRate: 0.1, momentum: 0, nesterov: false });
      const trainer = await DataParallelTrainer.create(model, optimizer, { backend: 'webgpu', replicas: 1 });
      const before = tf.memory().numTensors;
      const losses: number[] = [];
      const correct: number[] = [];
      let dispatches = 0;
      for (let s = 0; s < steps; s++) {
        const spy = countDispatches(tf.backend());
        const r = await trainer.stepWithStats({ x, y, n: batch }, shape, classes);
        spy.stop();
        dispatches = spy.count();
        losses.push(r.loss);
        correct.push(r.correct);
      }
      // The optimizer's slots are made in the first step; later steps must add nothing.
      const afterFirst = tf.memory().numTensors;
      await trainer.step({ x, y, n: batch }, shape, classes);
      expect(tf.memory().numTensors).toBe(afterFirst);
      expect(afterFirst).toBeGreaterThanOrEqual(before);
      const weights = await Promise.all(
        model.trainableWeights.map(async (w) => Float32Array.from(await w.read().data())),
      );
      await trainer.dispose();
      disposeOptimizer(optimizer);
      model.dispose();
      return { losses, correct, weights, dispatches };
    };
    const plain = await run(false);
    const fused = await run(true);
    setFusedTraining(true);
    console.log(
      `cnn4 step on webgpu (batch ${batch}, 8x8x1): ${plain.dispatches} dispatches unfused, ${fused.dispatches} fused (SGD)`,
    );
    fused.losses.forEach((l, i) => expect(l).toBeCloseTo(plain.losses[i] as number, 4));
    expect(fused.correct).toEqual(plain.correct);
    expect(worstError(fused.weights, plain.weights)).toBeLessThan(1e-3);
    expect(fused.dispatches).toBeLessThan(plain.dispatches * 0.7);
  });

  it('profiles a fused step on the GPU: every program it dispatches and the fused Adam timed, with no leaks', async () => {
    await tf.setBackend('webgpu');
    const { shape, batch, classes, x, y } = cnn4Batch(22);
    setFusedTraining(true);
    const model = buildModel('cnn4', { inputShape: shape, classes });
    // Adam: the fused Adam's own pass, which tfjs's timing does not see, is timed beside tfjs's programs.
    const optimizer = createOptimizer({ kind: 'adam', learningRate: 1e-3 });
    const trainer = await DataParallelTrainer.create(model, optimizer, { backend: 'webgpu', replicas: 1 });
    try {
      expect(trainer.overlapsSteps).toBe(true);
      const step = () => trainer.step({ x, y, n: batch }, shape, classes);
      await step();
      const before = tf.memory().numTensors;
      const spy = countDispatches(tf.backend());
      await step();
      spy.stop();
      const profile = await profileStep(tf.backend() as WebGPUBackend, step, Number.POSITIVE_INFINITY);
      expect(profile, 'SwiftShader offers timestamp-query').toBeDefined();
      const programs = profile?.programs ?? [];
      const adam = programs.find((p) => p.name === 'FusedAdam');
      expect(adam?.count).toBe(1);
      expect(adam?.ms).toBeGreaterThan(0);
      // Every tfjs dispatch of the step timed once, and the fused Adam's pass.
      expect(programs.reduce((n, p) => n + p.count, 0)).toBe(spy.count() + 1);
      expect(programs.map((p) => p.name)).toEqual(
        expect.arrayContaining(['ConvGemmProgram', 'FilterGradProgram']),
      );
      for (const p of programs) expect(p.ms).toBeGreaterThanOrEqual(0);
      expect(profile?.timed_ms).toBeGreaterThan(0);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      await trainer.dispose();
      disposeOptimizer(optimizer);
      model.dispose();
    }
  });
});
