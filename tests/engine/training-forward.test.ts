import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import { buildCorrectedModel, type Placement, type PlanEntry } from '../../electron/engine/correct/build.ts';
import { buildModel, type Architecture } from '../../electron/engine/models/registry.ts';
import { shardGradients, trainingLoss, weightLayout } from '../../electron/engine/train/gradients.ts';
import { DataParallelTrainer } from '../../electron/engine/train/data-parallel.ts';
import { mulberry32 } from '../../shared/random.ts';

/*
 * The training step's forward pass (train/training-forward.ts) runs frozen layers outside the tape, frozen convs
 * without kernel gradients and trained batch norms with a closed-form gradient. These tests hold it to the plain
 * step it replaces, kept here as the reference: model.apply in training mode under tf.variableGrads.
 */

interface Case {
  arch: Architecture;
  shape: [number, number, number];
  /** Units to add; none: the base model itself, every layer trained (fine-tuning, baseline training). */
  plan?: PlanEntry[];
  placement: Placement;
  /**
   * Where the reference step runs: wasm has no input gradient of a depthwise conv, so there the plain step
   * cannot train a corrected ResNet (its frozen batch norms are 1x1 depthwise convs) and the reference runs on
   * the cpu backend; the step under test always runs on wasm.
   */
  referenceBackend: 'wasm' | 'cpu';
}

const CASES: Case[] = [
  {
    arch: 'cnn4',
    shape: [8, 8, 1],
    plan: [
      { layer: 'conv1', filters: [5, 0, 9, 30] },
      { layer: 'conv2', filters: [1, 2, 31] },
    ],
    placement: 'post-activation',
    referenceBackend: 'wasm',
  },
  {
    arch: 'cnn4',
    shape: [8, 8, 1],
    plan: [
      { layer: 'conv1', filters: [3, 4] },
      { layer: 'conv3', filters: [0, 63, 7] },
    ],
    placement: 'pre-activation',
    referenceBackend: 'wasm',
  },
  {
    arch: 'resnet8',
    shape: [8, 8, 3],
    plan: [
      { layer: 'conv1', filters: [0, 7, 3] },
      { layer: 'conv2', filters: [15, 2] },
    ],
    placement: 'post-activation',
    referenceBackend: 'cpu',
  },
  {
    // Trained batch norms in a model without frozen layers: the closed-form gradient serves fine-tuning too.
    arch: 'resnet8',
    shape: [8, 8, 3],
    placement: 'post-activation',
    referenceBackend: 'wasm',
  },
];

function batchOf(n: number, shape: number[], classes: number, seed: number): { x: tf.Tensor; y: tf.Tensor } {
  const random = mulberry32(seed);
  const pixels = shape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(
    Float32Array.from({ length: n * pixels }, () => random()),
    [n, ...shape],
  );
  const labels = Array.from({ length: n }, () => Math.floor(random() * classes));
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat());
  return { x, y };
}

/** The plain step: model.apply in training mode, gradients of the trainable weights, in their order. */
async function referenceGradients(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  backend: 'wasm' | 'cpu' = 'wasm',
): Promise<{ loss: number; flat: Float32Array }> {
  if (backend === tf.getBackend()) return plainGradients(model, x, y);
  await tf.setBackend(backend);
  try {
    return plainGradients(model, x, y);
  } finally {
    await tf.setBackend('wasm');
  }
}

function plainGradients(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
): { loss: number; flat: Float32Array } {
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(
    () => trainingLoss(model, y, model.apply(x, { training: true }) as tf.Tensor),
    variables,
  );
  const { total, offsets } = weightLayout(model);
  const flat = new Float32Array(total);
  variables.forEach((v, i) => flat.set((grads[v.name] as tf.Tensor).dataSync(), offsets[i]));
  const loss = value.dataSync()[0] as number;
  tf.dispose([value, ...Object.values(grads)]);
  return { loss, flat };
}

function applyFlat(model: tf.LayersModel, flat: Float32Array, rate: number): void {
  const { offsets, sizes } = weightLayout(model);
  model.trainableWeights.forEach((w, i) => {
    const start = offsets[i] as number;
    const next = tf.tidy(() => {
      // A weight's shape has no unknown (null) dimension: its variable exists.
      const g = tf.tensor(flat.subarray(start, start + (sizes[i] as number)), w.shape as number[]);
      return tf.sub(w.read(), tf.mul(g, rate));
    });
    w.write(next);
    next.dispose();
  });
}

/**
 * The largest difference of two lists of arrays (weights, or gradients weight by weight) relative to each
 * array's largest |a|, that scale floored at a tenth of the largest |a| of all: a conv's bias before a batch
 * norm has a true gradient of zero, and there both paths hold rounding noise of the others' scale.
 */
function worstDiff(a: Float32Array[], b: Float32Array[]): number {
  const maxAbs = (v: Float32Array): number => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  const floor = 0.1 * Math.max(...a.map(maxAbs));
  let worst = 0;
  a.forEach((v, i) => {
    const w = b[i] as Float32Array;
    let diff = 0;
    for (let j = 0; j < v.length; j++) diff = Math.max(diff, Math.abs((v[j] as number) - (w[j] as number)));
    worst = Math.max(worst, diff / Math.max(maxAbs(v), floor, 1e-12));
  });
  return worst;
}

/** A flat gradient cut into its weights' parts. */
function perWeight(model: tf.LayersModel, flat: Float32Array): Float32Array[] {
  const { offsets, sizes } = weightLayout(model);
  return offsets.map((start, i) => flat.subarray(start, start + (sizes[i] as number)));
}

const valuesOf = (weights: tf.Tensor[]): Float32Array[] => weights.map((w) => w.dataSync() as Float32Array);

async function corrected(c: Case): Promise<tf.LayersModel> {
  const base = buildModel(c.arch, { inputShape: c.shape, classes: 4, seed: 3 });
  if (c.plan === undefined) return base;
  try {
    // zeroInit false: with the zero start every gradient but the last conv's would be zero, testing little.
    return await buildCorrectedModel(base, c.plan, { seed: 5, placement: c.placement, zeroInit: false });
  } finally {
    base.dispose();
  }
}

describe('the training step of a model with frozen layers or trained batch norms', () => {
  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
  });

  for (const c of CASES) {
    const units = c.plan === undefined ? 'no units' : `units on ${c.plan.map((p) => p.layer).join('+')}`;
    it(`matches the plain step over three SGD steps: ${c.arch}, ${c.placement}, ${units}`, async () => {
      const reference = await corrected(c);
      const model = await corrected(c);
      const before = tf.memory().numTensors;
      const { total } = weightLayout(model);
      expect(total).toBeGreaterThan(0);
      for (let step = 0; step < 3; step++) {
        const { x, y } = batchOf(6, c.shape, 4, 11 + step);
        const expected = await referenceGradients(reference, x, y, c.referenceBackend);
        const flat = new Float32Array(total);
        const result = await shardGradients(model, x, y, flat);
        tf.dispose([x, y]);
        expect(Math.abs(result.loss - expected.loss)).toBeLessThan(1e-5 * Math.max(1, expected.loss));
        expect(worstDiff(perWeight(model, expected.flat), perWeight(model, flat))).toBeLessThan(1e-4);
        // Every weight's gradient is there: none is identically zero where the reference's is not.
        expect(flat.some((g) => g !== 0)).toBe(true);
        applyFlat(reference, expected.flat, 0.05);
        applyFlat(model, flat, 0.05);
      }
      // After the steps every weight agrees, batch norms' moving statistics included, and no tensor leaked.
      expect(worstDiff(valuesOf(reference.getWeights()), valuesOf(model.getWeights()))).toBeLessThan(1e-4);
      expect(tf.memory().numTensors).toBe(before);
      reference.dispose();
      model.dispose();
    });
  }

  it('computes no kernel gradient of a frozen layer and no input gradient before the first unit', async () => {
    const c = CASES[0] as Case;
    const model = await corrected(c);
    const { x, y } = batchOf(4, c.shape, 4, 3);
    const flat = new Float32Array(weightLayout(model).total);
    const profile = await tf.profile(async () => {
      await shardGradients(model, x, y, flat);
    });
    const filterGrads = profile.kernels.filter((k) => k.name === 'Conv2DBackpropFilter');
    const trainedKernels = new Set(
      model.trainableWeights.filter((w) => w.shape.length === 4).map((w) => w.shape.join('x')),
    );
    // Only the units' convs get kernel gradients; the frozen convs (base copies, gather, scatter) none.
    expect(filterGrads.length).toBeGreaterThan(0);
    for (const k of filterGrads) expect(trainedKernels).toContain((k.outputShapes[0] ?? []).join('x'));
    expect(filterGrads.length).toBe(model.trainableWeights.filter((w) => w.shape.length === 4).length);
    // The base conv1 before the first unit: no gradient with respect to its input (the image).
    const inputGrads = profile.kernels.filter((k) => k.name === 'Conv2DBackpropInput');
    for (const k of inputGrads) expect((k.outputShapes[0] ?? []).at(-1)).not.toBe(c.shape[2]);
    // The batch norms' gradient tiles nothing (tfjs' own tiles 1/sqrt(var) to the whole map).
    expect(profile.kernels.some((k) => k.name === 'Tile')).toBe(false);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('leaves a model without frozen layers or batch norms on the plain path, bit for bit', async () => {
    const model = buildModel('cnn4', { inputShape: [8, 8, 1], classes: 4, seed: 2 });
    const { x, y } = batchOf(5, [8, 8, 1], 4, 9);
    const expected = plainGradients(model, x, y);
    const flat = new Float32Array(weightLayout(model).total);
    const result = await shardGradients(model, x, y, flat);
    expect(result.loss).toBe(expected.loss);
    expect(flat).toEqual(expected.flat);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('gives the data-parallel workers the same step: two replicas against the reference on each half batch', async () => {
    const c = CASES[2] as Case;
    const model = await corrected(c);
    const reference = await corrected(c);
    const { x, y } = batchOf(8, c.shape, 4, 21);
    const trainer = await DataParallelTrainer.create(model, tf.train.sgd(0.05), {
      backend: 'wasm',
      replicas: 2,
    });
    try {
      const xs = x.dataSync() as Float32Array;
      const ys = y.dataSync() as Float32Array;
      await trainer.step({ x: xs.slice(), y: ys.slice(), n: 8 }, c.shape, 4);
    } finally {
      await trainer.dispose();
    }
    // Each replica's batch norms see its own half of the batch: the reference averages the halves' gradients.
    const halves = [0, 4].map((start) => {
      const hx = x.slice(start, 4);
      const hy = y.slice(start, 4);
      return { hx, hy };
    });
    const grads: Float32Array[] = [];
    for (const { hx, hy } of halves) {
      grads.push((await referenceGradients(reference, hx, hy, c.referenceBackend)).flat);
      tf.dispose([hx, hy]);
    }
    const mean = (grads[0] as Float32Array).map(
      (g, i) => 0.5 * g + 0.5 * ((grads[1] as Float32Array)[i] as number),
    );
    applyFlat(reference, mean, 0.05);
    const trained = (m: tf.LayersModel): Float32Array[] => valuesOf(m.trainableWeights.map((w) => w.read()));
    expect(worstDiff(trained(reference), trained(model))).toBeLessThan(1e-4);
    tf.dispose([x, y]);
    model.dispose();
    reference.dispose();
  });
});
