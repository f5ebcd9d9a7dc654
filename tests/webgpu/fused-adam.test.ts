/**
 * The fused Adam step (electron/engine/train/fused-adam.ts) on a software GPU (SwiftShader through Dawn):
 * several steps on variables of varied shapes against tfjs's own Adam on the cpu backend, the GPU
 * dispatches per step against tfjs's Adam on webgpu, a checkpoint taken mid-run continuing exactly,
 * no leaked tensors or GPU data, a clone of a variable keeping its values (nothing is written in place),
 * the fall-back to tfjs's ops for a weight the program cannot take, and minimize on a small model.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { releaseBackends } from '../../electron/engine/backend/probes.ts';
import { countDispatches } from '../../electron/engine/backend/webgpu/stats.ts';
import { FusedAdamOptimizer, fusedAdamStats } from '../../electron/engine/train/fused-adam.ts';
import {
  createOptimizer,
  disposeOptimizer,
  restoreOptimizerState,
  saveOptimizerState,
} from '../../electron/engine/train/optimizer.ts';
import { mulberry32, randomValues } from '../engine/conv-reference.ts';
import { startWebgpuOnSwiftShader } from './swiftshader.ts';

const SHAPES: number[][] = [[], [1], [7], [3, 5], [13, 1], [3, 3, 5, 7]];
const STEPS = 4;
const LEARNING_RATE = 0.01;
const TOLERANCE = 1e-5;

const skipReason = await startWebgpuOnSwiftShader();
const name =
  skipReason === undefined ? 'fused Adam on webgpu' : `fused Adam on webgpu (skipped: ${skipReason})`;

/** Initial values and per-step gradients, the same on every backend. */
const rand = mulberry32(2024);
const INITIAL = SHAPES.map((shape) => randomValues(shape, rand));
const GRADIENTS = Array.from({ length: STEPS }, () => SHAPES.map((shape) => randomValues(shape, rand)));

let runId = 0;

interface Run {
  variables: tf.Variable[];
  names: string[];
}

function makeVariables(): Run {
  runId++;
  const names = SHAPES.map((_, i) => `fusedAdamTest${runId}_${i}`);
  // tidy disposes the initial tensors, which would otherwise share the variables' data.
  const variables = SHAPES.map((shape, i) =>
    tf.tidy(() => tf.variable(tf.tensor(INITIAL[i]!, shape), true, names[i])),
  );
  return { variables, names };
}

function step(optimizer: tf.Optimizer, run: Run, s: number): void {
  const grads = SHAPES.map((shape, i) => ({
    name: run.names[i]!,
    tensor: tf.tensor(GRADIENTS[s]![i]!, shape),
  }));
  optimizer.applyGradients(grads);
  tf.dispose(grads.map((g) => g.tensor));
}

async function values(run: Run): Promise<Float32Array[]> {
  return Promise.all(run.variables.map(async (v) => (await v.data()) as Float32Array));
}

function maxRelativeError(actual: Float32Array[], expected: Float32Array[]): number {
  let worst = 0;
  expected.forEach((e, i) => {
    const a = actual[i]!;
    expect(a.length).toBe(e.length);
    e.forEach((x, j) => {
      const err = Math.abs(a[j]! - x) / Math.max(Math.abs(x), 1e-3);
      worst = Math.max(worst, Number.isNaN(err) ? Infinity : err);
    });
  });
  return worst;
}

const backend = (): WebGPUBackend => tf.backend() as WebGPUBackend;

describe.skipIf(skipReason !== undefined)(name, () => {
  let reference: Float32Array[][] = [];

  beforeAll(async () => {
    // tfjs's Adam on the cpu backend, values after every step.
    await tf.setBackend('cpu');
    const run = makeVariables();
    const adam = tf.train.adam(LEARNING_RATE);
    for (let s = 0; s < STEPS; s++) {
      step(adam, run, s);
      reference.push(await values(run));
    }
    adam.dispose();
    tf.dispose(run.variables);
    await tf.setBackend('webgpu');
  });

  afterAll(() => {
    reference = [];
    releaseBackends();
  });

  it('matches tfjs Adam on cpu, one dispatch per weight plus one, no leaks', async () => {
    const tensors = tf.memory().numTensors;
    const ids = backend().numDataIds();
    const optimizer = createOptimizer({ kind: 'adam', learningRate: LEARNING_RATE });
    // Not toBeInstanceOf: tfjs's Optimizer answers instanceof true for any optimizer.
    expect(optimizer.constructor).toBe(FusedAdamOptimizer);
    expect(optimizer.getClassName()).toBe('Adam');
    const run = makeVariables();
    const before = fusedAdamStats();
    const spy = countDispatches(backend());
    const tfjsPerStep: number[] = [];
    let worst = 0;
    try {
      for (let s = 0; s < STEPS; s++) {
        const start = spy.count();
        step(optimizer, run, s);
        tfjsPerStep.push(spy.count() - start);
        worst = Math.max(worst, maxRelativeError(await values(run), reference[s]!));
      }
    } finally {
      spy.stop();
    }
    const after = fusedAdamStats();
    expect(after.fallbackWeights - before.fallbackWeights).toBe(0);
    expect(after.fusedSteps - before.fusedSteps).toBe(STEPS);
    expect(after.fusedDispatches - before.fusedDispatches).toBe(STEPS * (SHAPES.length + 1));
    // The first step creates the moment slots (tfjs fills); later steps run no tfjs program at all.
    expect(tfjsPerStep.slice(1)).toEqual(Array(STEPS - 1).fill(0));
    expect(worst).toBeLessThan(TOLERANCE);
    console.log(
      `fused Adam: ${SHAPES.length} weights, tfjs dispatches per step ${tfjsPerStep.join(',')}, fused ${SHAPES.length + 1} per step; max relative error vs cpu ${worst.toExponential(2)}`,
    );
    disposeOptimizer(optimizer);
    tf.dispose(run.variables);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(backend().numDataIds()).toBe(ids);
  });

  it("tfjs's own Adam on webgpu, for the dispatch count before", async () => {
    const optimizer = tf.train.adam(LEARNING_RATE);
    const run = makeVariables();
    const spy = countDispatches(backend());
    const perStep: number[] = [];
    try {
      for (let s = 0; s < 2; s++) {
        const start = spy.count();
        step(optimizer, run, s);
        perStep.push(spy.count() - start);
      }
    } finally {
      spy.stop();
    }
    expect(maxRelativeError(await values(run), reference[1]!)).toBeLessThan(TOLERANCE);
    console.log(`tfjs Adam on webgpu: ${SHAPES.length} weights, dispatches per step ${perStep.join(',')}`);
    expect(perStep[1]!).toBeGreaterThan(10 * SHAPES.length);
    optimizer.dispose();
    tf.dispose(run.variables);
  });

  it('a checkpoint taken mid-run continues exactly', async () => {
    const tensors = tf.memory().numTensors;
    // Uninterrupted.
    const whole = makeVariables();
    const straight = createOptimizer({ kind: 'adam', learningRate: LEARNING_RATE });
    for (let s = 0; s < STEPS; s++) step(straight, whole, s);
    const expected = await values(whole);
    disposeOptimizer(straight);
    tf.dispose(whole.variables);

    // Two steps, save, a fresh optimizer restored from the bytes, two more steps.
    const run = makeVariables();
    const first = createOptimizer({ kind: 'adam', learningRate: LEARNING_RATE });
    for (let s = 0; s < 2; s++) step(first, run, s);
    const state = await saveOptimizerState(first);
    disposeOptimizer(first);
    const resumed = createOptimizer({ kind: 'adam', learningRate: LEARNING_RATE });
    await restoreOptimizerState(resumed, state);
    const before = fusedAdamStats();
    for (let s = 2; s < STEPS; s++) step(resumed, run, s);
    expect(fusedAdamStats().fallbackWeights - before.fallbackWeights).toBe(0);
    const actual = await values(run);
    actual.forEach((a, i) => expect(Array.from(a), `weight ${i}`).toEqual(Array.from(expected[i]!)));
    expect(maxRelativeError(actual, reference[STEPS - 1]!)).toBeLessThan(TOLERANCE);
    disposeOptimizer(resumed);
    tf.dispose(run.variables);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('a variable whose data a clone shares is updated, the clone keeps its values', async () => {
    const tensors = tf.memory().numTensors;
    const optimizer = createOptimizer({ kind: 'adam', learningRate: LEARNING_RATE });
    const run = makeVariables();
    const shared = 5; // the 3x3x5x7 kernel
    const clone = tf.clone(run.variables[shared]!);
    const before = fusedAdamStats();
    for (let s = 0; s < STEPS; s++) step(optimizer, run, s);
    const after = fusedAdamStats();
    expect(after.fallbackWeights - before.fallbackWeights).toBe(0);
    expect(after.fusedWeights - before.fusedWeights).toBe(STEPS * SHAPES.length);
    expect(maxRelativeError(await values(run), reference[STEPS - 1]!)).toBeLessThan(TOLERANCE);
    expect(Array.from((await clone.data()) as Float32Array)).toEqual(Array.from(INITIAL[shared]!));
    clone.dispose();
    disposeOptimizer(optimizer);
    tf.dispose(run.variables);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it("a weight the program cannot take (an int32 gradient) falls back to tfjs's ops", async () => {
    const shape = [3, 5];
    const initial = randomValues(shape, mulberry32(5));
    const gradients = [0, 1, 2].map((s) => Int32Array.from(initial, (_, i) => ((i * 7 + s * 3) % 5) - 2));
    const train = async (): Promise<Float32Array> => {
      const optimizer = createOptimizer({ kind: 'adam', learningRate: LEARNING_RATE });
      const variable = tf.tidy(() => tf.variable(tf.tensor(initial, shape), true, `fusedAdamInt${runId++}`));
      for (const g of gradients) {
        const tensor = tf.tensor(g, shape, 'int32');
        optimizer.applyGradients([{ name: variable.name, tensor }]);
        tensor.dispose();
      }
      const result = (await variable.data()) as Float32Array;
      disposeOptimizer(optimizer);
      variable.dispose();
      return result;
    };
    const tensors = tf.memory().numTensors;
    const before = fusedAdamStats();
    const actual = await train();
    expect(fusedAdamStats().fallbackWeights - before.fallbackWeights).toBe(gradients.length);
    expect(tf.memory().numTensors).toBe(tensors);
    await tf.setBackend('cpu');
    try {
      expect(maxRelativeError([actual], [await train()])).toBeLessThan(TOLERANCE);
    } finally {
      await tf.setBackend('webgpu');
    }
  });

  it('minimize on a small linear model (gradients from tfjs) matches tfjs Adam on cpu', async () => {
    const rand2 = mulberry32(99);
    const xs = randomValues([6, 4], rand2);
    const ys = randomValues([6, 3], rand2);
    const w0 = randomValues([4, 3], rand2);
    const train = async (): Promise<Float32Array[]> => {
      const optimizer = createOptimizer({ kind: 'adam', learningRate: LEARNING_RATE });
      const id = runId++;
      const w = tf.tidy(() => tf.variable(tf.tensor(w0, [4, 3]), true, `fusedAdamW${id}`));
      const b = tf.tidy(() => tf.variable(tf.zeros([3]), true, `fusedAdamB${id}`));
      const x = tf.tensor(xs, [6, 4]);
      const y = tf.tensor(ys, [6, 3]);
      for (let s = 0; s < 3; s++) {
        const loss = optimizer.minimize(
          () => tf.losses.meanSquaredError(y, tf.add(tf.matMul(x, w), b)),
          true,
          [w, b],
        );
        loss?.dispose();
      }
      const result = [(await w.data()) as Float32Array, (await b.data()) as Float32Array];
      disposeOptimizer(optimizer);
      tf.dispose([w, b, x, y]);
      return result;
    };
    const tensors = tf.memory().numTensors;
    const before = fusedAdamStats();
    const actual = await train();
    expect(fusedAdamStats().fusedWeights - before.fusedWeights).toBe(6);
    expect(tf.memory().numTensors).toBe(tensors);
    await tf.setBackend('cpu');
    try {
      expect(maxRelativeError(actual, await train())).toBeLessThan(1e-4);
    } finally {
      await tf.setBackend('webgpu');
    }
  });
});
