import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import { allconv9 } from '../../electron/engine/models/allconv9.ts';
import {
  ARCHITECTURES,
  buildModel,
  parseArchitecture,
  summarize,
  type Architecture,
} from '../../electron/engine/models/registry.ts';
import { DataParallelTrainer } from '../../electron/engine/train/data-parallel.ts';

type Shape = [number, number, number];
const SHAPES: Shape[] = [
  [28, 28, 1],
  [32, 32, 3],
];

/** Parameters (all, trainable) with 10 classes: a guard against silent architecture changes. */
const PARAMETERS: Record<Architecture, Record<string, [number, number]>> = {
  cnn4: { '28x28x1': [467_818, 467_818], '32x32x3': [591_274, 591_274] },
  allconv9: { '28x28x1': [1_371_754, 1_369_258], '32x32x3': [1_373_482, 1_370_986] },
  resnet8: { '28x28x1': [78_426, 77_754], '32x32x3': [78_714, 78_042] },
  resnet20: { '28x28x1': [273_754, 272_186], '32x32x3': [274_042, 272_474] },
};

interface ConvPlan {
  name: string;
  filters: number;
  kernel: number;
  stride: number;
}

/** The conv layers each architecture should have, in forward order, for `classes` outputs. */
function expectedConvs(arch: Architecture, classes: number): ConvPlan[] {
  const c = (name: string, filters: number, kernel = 3, stride = 1): ConvPlan => ({
    name,
    filters,
    kernel,
    stride,
  });
  if (arch === 'cnn4') return [c('conv1', 32), c('conv2', 32), c('conv3', 64), c('conv4', 64)];
  if (arch === 'allconv9') {
    return [
      c('conv1', 96),
      c('conv2', 96),
      c('conv3', 96, 3, 2),
      c('conv4', 192),
      c('conv5', 192),
      c('conv6', 192, 3, 2),
      c('conv7', 192),
      c('conv8', 192, 1),
      c('conv9', classes, 1),
    ];
  }
  const blocks = arch === 'resnet8' ? 1 : 3;
  const convs = [c('conv1', 16)];
  let k = 1;
  [16, 32, 64].forEach((filters, s) => {
    for (let b = 0; b < blocks; b++) {
      const stride = s > 0 && b === 0 ? 2 : 1;
      convs.push(c(`conv${++k}`, filters, 3, stride), c(`conv${++k}`, filters));
      if (stride === 2) convs.push(c(`shortcut${s + 1}`, filters, 1, 2));
    }
  });
  return convs;
}

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.weights.map((w) => w.read().dataSync() as Float32Array);
}

describe('model architectures', () => {
  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
  });

  it('parses architecture names, listing the valid ones on error', () => {
    expect(parseArchitecture(' ResNet20 ')).toBe('resnet20');
    expect(() => parseArchitecture('vgg16')).toThrow(
      'unknown architecture "vgg16"; choose one of: cnn4, allconv9, resnet8, resnet20',
    );
    expect(() => buildModel('vgg' as Architecture, { inputShape: [8, 8, 1], classes: 2 })).toThrow(
      /unknown architecture/,
    );
  });

  it('refuses shapes it cannot take', () => {
    expect(() => buildModel('resnet8', { inputShape: [7, 8, 1], classes: 10 })).toThrow(
      'resnet8: inputs must be at least 8x8 pixels, got 7x8x1',
    );
    expect(() => buildModel('allconv9', { inputShape: [8, 8, 2], classes: 10 })).toThrow(/1 or 3 channels/);
    expect(() => buildModel('cnn4', { inputShape: [8, 8, 1], classes: 1 })).toThrow(/classes >= 2/);
  });

  for (const arch of ARCHITECTURES) {
    for (const shape of SHAPES) {
      it(`${arch} on ${shape.join('x')}: output shape, conv layers in order, parameter count`, () => {
        const before = tf.memory().numTensors;
        const model = buildModel(arch, { inputShape: shape, classes: 10, seed: 4 });
        const probs = tf.tidy(() => model.predict(tf.ones([2, ...shape])) as tf.Tensor);
        expect(probs.shape).toEqual([2, 10]);
        const sums = tf.tidy(() => tf.sum(probs, -1).dataSync());
        sums.forEach((s) => expect(s).toBeCloseTo(1, 5));
        probs.dispose();

        const summary = summarize(model);
        expect(summary.parameters).toBe(model.countParams());
        expect([summary.parameters, summary.trainableParameters]).toEqual(PARAMETERS[arch][shape.join('x')]);
        expect(
          summary.convLayers.map(({ name, filters, kernel, stride }) => ({ name, filters, kernel, stride })),
        ).toEqual(expectedConvs(arch, 10));
        // Each conv's output size follows from the strides before it (same padding throughout).
        let size = shape[0];
        for (const conv of summary.convLayers) {
          if (!conv.name.startsWith('shortcut')) size = Math.ceil(size / conv.stride);
          if (arch === 'cnn4' && conv.name === 'conv3') size = Math.floor(size / 2); // after pool1
          expect(conv.outputShape).toEqual([size, size, conv.filters]);
        }
        // The post-activation map the method ranks on: after batch norm and ReLU where there is one.
        const activations = Object.fromEntries(summary.convLayers.map((c) => [c.name, c.activation]));
        if (arch === 'cnn4') expect(activations.conv2).toBe('conv2');
        if (arch === 'allconv9') expect([activations.conv8, activations.conv9]).toEqual(['relu8', 'conv9']);
        if (arch === 'resnet8') expect(activations.conv3).toBe('relu3');
        model.dispose();
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  }

  it('initialises deterministically from the seed', () => {
    for (const arch of ARCHITECTURES) {
      const build = (seed: number) => buildModel(arch, { inputShape: [8, 8, 3], classes: 3, seed });
      const [a, b, c] = [build(5), build(5), build(6)];
      const [wa, wb, wc] = [weightsOf(a), weightsOf(b), weightsOf(c)];
      wa.forEach((w, i) => expect(w).toEqual(wb[i]));
      expect(wa[0]).not.toEqual(wc[0]);
      [a, b, c].forEach((m) => m.dispose());
    }
  });

  it('allconv9 takes a width multiplier', () => {
    const narrow = allconv9({ inputShape: [32, 32, 3], classes: 10, width: 0.5 });
    expect(summarize(narrow).convLayers.map((c) => c.filters)).toEqual([48, 48, 48, 96, 96, 96, 96, 96, 10]);
    expect(narrow.countParams()).toBe(345_754);
    narrow.dispose();
  });

  // The trainer's replicas rebuild the model from model.toJSON() in worker threads: every layer and
  // initialiser must survive serialisation, and batch norm must train on wasm.
  for (const arch of ARCHITECTURES) {
    it(`${arch} trains a data-parallel step on wasm with 1 and 2 replicas`, async () => {
      for (const [replicas, shape] of [
        [1, [28, 28, 1]],
        [2, [32, 32, 3]],
      ] as [number, Shape][]) {
        const model = buildModel(arch, { inputShape: shape, classes: 10, seed: 2 });
        const initial = weightsOf(model);
        const n = 4;
        const x = new Float32Array(n * shape[0] * shape[1] * shape[2]).map(
          (_, i) => ((i * 7919) % 256) / 255,
        );
        const y = new Float32Array(n * 10);
        for (let i = 0; i < n; i++) y[i * 10 + i] = 1;
        const trainer = await DataParallelTrainer.create(model, tf.train.sgd(0.01), {
          backend: 'wasm',
          replicas,
        });
        try {
          expect(trainer.replicaCount).toBe(replicas);
          const loss = await trainer.step({ x, y, n }, shape, 10);
          expect(Number.isFinite(loss)).toBe(true);
          expect(loss).toBeGreaterThan(0);
        } finally {
          await trainer.dispose();
        }
        const after = weightsOf(model);
        const moved = model.trainableWeights.filter((_, i) =>
          after[i]?.some((v, j) => v !== initial[i]?.[j]),
        );
        expect(moved.length).toBe(model.trainableWeights.length);
        model.dispose();
      }
    });
  }
});
