import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  applyAugmentation,
  augmentationOf,
  augmentBatch,
  parseAugment,
} from '../../electron/engine/train/augment.ts';
import { isBetter, type EpochSummary } from '../../electron/engine/train/epoch-summary.ts';
import {
  createOptimizer,
  disposeOptimizer,
  restoreOptimizerState,
  saveOptimizerState,
  setLearningRate,
} from '../../electron/engine/train/optimizer.ts';
import { learningRateAt, parseSchedule } from '../../electron/engine/train/schedule.ts';
import { stratifiedValidationSplit } from '../../electron/engine/train/split.ts';

const SHAPE: [number, number, number] = [3, 4, 1];
// Row-major 3x4: 1 2 3 4 / 5 6 7 8 / 9 10 11 12.
const image = (): Float32Array => Float32Array.from({ length: 12 }, (_, i) => i + 1);

describe('learning-rate schedules', () => {
  it('constant keeps the base rate', () => {
    expect([1, 5, 30].map((e) => learningRateAt({ kind: 'constant' }, 0.1, e, 30))).toEqual([0.1, 0.1, 0.1]);
  });

  it('step multiplies by the factor after every `every` epochs', () => {
    const schedule = parseSchedule('step:2:0.1');
    expect(schedule).toEqual({ kind: 'step', every: 2, factor: 0.1 });
    const rates = [1, 2, 3, 4, 5].map((e) => learningRateAt(schedule, 0.5, e, 5));
    [0.5, 0.5, 0.05, 0.05, 0.005].forEach((want, i) => expect(rates[i]).toBeCloseTo(want, 12));
  });

  it('cosine starts at the base rate and falls towards zero, still positive in the last epoch', () => {
    const rates = [1, 2, 3, 4].map((e) => learningRateAt({ kind: 'cosine' }, 1, e, 4));
    expect(rates[0]).toBe(1);
    expect(rates[2]).toBeCloseTo(0.5, 12); // halfway: epoch 3 of 4 starts at 2/4 of the run
    expect(rates[3]).toBeCloseTo(0.5 * (1 + Math.cos((3 * Math.PI) / 4)), 12);
    for (let i = 1; i < rates.length; i++) expect(rates[i]).toBeLessThan(rates[i - 1] as number);
    expect(rates[3]).toBeGreaterThan(0);
  });

  it('rejects malformed schedules', () => {
    for (const bad of ['step', 'step:0:0.1', 'step:10:2', 'linear', 'step:10:x'])
      expect(() => parseSchedule(bad)).toThrow(/is not a schedule/);
    expect(() => learningRateAt({ kind: 'constant' }, 1, 0, 3)).toThrow(RangeError);
  });
});

describe('augmentation', () => {
  it('flips horizontally', () => {
    const x = image();
    applyAugmentation(x, SHAPE, { flip: true, dx: 0, dy: 0 });
    expect([...x]).toEqual([4, 3, 2, 1, 8, 7, 6, 5, 12, 11, 10, 9]);
  });

  it('shifts with zero fill, right/down for positive offsets', () => {
    const x = image();
    applyAugmentation(x, SHAPE, { flip: false, dx: 1, dy: -1 });
    expect([...x]).toEqual([0, 5, 6, 7, 0, 9, 10, 11, 0, 0, 0, 0]);
  });

  it('flips, then shifts', () => {
    const x = image();
    applyAugmentation(x, SHAPE, { flip: true, dx: -2, dy: 1 });
    expect([...x]).toEqual([0, 0, 0, 0, 2, 1, 0, 0, 6, 5, 0, 0]);
  });

  it('moves whole pixels of multi-channel images', () => {
    const rgb = Float32Array.from({ length: 2 * 2 * 3 }, (_, i) => i);
    applyAugmentation(rgb, [2, 2, 3], { flip: true, dx: 0, dy: 0 });
    expect([...rgb]).toEqual([3, 4, 5, 0, 1, 2, 9, 10, 11, 6, 7, 8]);
  });

  it('draws depend only on (seed, epoch, image id), and stay within the options', () => {
    const options = { flip: true, shift: 2 };
    const draws = Array.from({ length: 400 }, (_, id) => augmentationOf(options, 7, 3, id));
    expect(Array.from({ length: 400 }, (_, id) => augmentationOf(options, 7, 3, id))).toEqual(draws);
    const flips = draws.filter((d) => d.flip).length;
    expect(flips).toBeGreaterThan(150);
    expect(flips).toBeLessThan(250);
    expect(new Set(draws.map((d) => d.dx))).toEqual(new Set([-2, -1, 0, 1, 2]));
    expect(new Set(draws.map((d) => d.dy))).toEqual(new Set([-2, -1, 0, 1, 2]));
    const otherEpoch = draws.map((_, id) => augmentationOf(options, 7, 4, id));
    const otherSeed = draws.map((_, id) => augmentationOf(options, 8, 3, id));
    expect(otherEpoch).not.toEqual(draws);
    expect(otherSeed).not.toEqual(draws);
    expect(augmentationOf({ flip: false, shift: 0 }, 7, 3, 5)).toEqual({ flip: false, dx: 0, dy: 0 });
    expect(augmentationOf({ flip: false, shift: 1 }, 7, 3, 5).flip).toBe(false);
  });

  it('augments an image the same wherever it sits in a batch', () => {
    const options = { flip: true, shift: 1 };
    const batch = new Float32Array(3 * 12);
    for (let i = 0; i < 3; i++) batch.set(image(), i * 12);
    const ids = [11, 22, 33];
    augmentBatch(batch, ids, SHAPE, options, 5, 2);
    const reversed = new Float32Array(3 * 12);
    for (let i = 0; i < 3; i++) reversed.set(image(), i * 12);
    augmentBatch(reversed, [...ids].reverse(), SHAPE, options, 5, 2);
    for (let i = 0; i < 3; i++) {
      const alone = image();
      applyAugmentation(alone, SHAPE, augmentationOf(options, 5, 2, ids[i] as number));
      expect([...batch.subarray(i * 12, (i + 1) * 12)]).toEqual([...alone]);
      expect([...reversed.subarray((2 - i) * 12, (3 - i) * 12)]).toEqual([...alone]);
    }
  });

  it('parses augmentation lists', () => {
    expect(parseAugment('flip,shift:2')).toEqual({ flip: true, shift: 2 });
    expect(parseAugment('shift:4')).toEqual({ flip: false, shift: 4 });
    expect(parseAugment('none')).toEqual({ flip: false, shift: 0 });
    for (const bad of ['rotate', 'shift:-1', 'flip,,', 'shift:100'])
      expect(() => parseAugment(bad)).toThrow(/is not an augmentation/);
  });
});

describe('validation split', () => {
  const labels = Int32Array.from({ length: 1000 }, (_, i) => (i * 7) % 10);

  it('holds out a stratified, seeded, disjoint fraction', () => {
    const split = stratifiedValidationSplit(labels, 10, 0.1, 3);
    expect(split.val).toHaveLength(100);
    expect(split.train).toHaveLength(900);
    expect(new Set([...split.train, ...split.val]).size).toBe(1000);
    const perClass = (indices: Uint32Array) => {
      const counts = new Array<number>(10).fill(0);
      for (const i of indices) counts[labels[i] as number] = (counts[labels[i] as number] as number) + 1;
      return counts;
    };
    expect(perClass(split.val)).toEqual(new Array(10).fill(10));
    expect([...split.train]).toEqual([...split.train].sort((a, b) => a - b));
    expect(stratifiedValidationSplit(labels, 10, 0.1, 3)).toEqual(split);
    expect(stratifiedValidationSplit(labels, 10, 0.1, 4).val).not.toEqual(split.val);
  });

  it('keeps the same ratio with a per-class training subset', () => {
    const split = stratifiedValidationSplit(labels, 10, 0.2, 1, 20);
    expect(split.train).toHaveLength(200);
    expect(split.val).toHaveLength(50); // 20 x 0.2 / 0.8 = 5 per class
    expect(new Set([...split.train, ...split.val]).size).toBe(250);
    expect(stratifiedValidationSplit(labels, 10, 0, 1, 20).val).toHaveLength(0);
    expect(() => stratifiedValidationSplit(labels, 10, 0.6, 1)).toThrow(RangeError);
  });
});

describe('model selection', () => {
  const epoch = (n: number, valAccuracy: number, valLoss: number): EpochSummary => ({
    epoch: n,
    loss: 1,
    accuracy: 0.5,
    valLoss,
    valAccuracy,
    learningRate: 0.1,
    seconds: 1,
    imagesPerSecond: 100,
  });

  it('prefers higher validation accuracy, then lower validation loss', () => {
    expect(isBetter(epoch(1, 0.5, 1), undefined)).toBe(true);
    expect(isBetter(epoch(2, 0.6, 2), epoch(1, 0.5, 1))).toBe(true);
    expect(isBetter(epoch(2, 0.4, 0.1), epoch(1, 0.5, 1))).toBe(false);
    expect(isBetter(epoch(2, 0.5, 0.9), epoch(1, 0.5, 1))).toBe(true);
    expect(isBetter(epoch(2, 0.5, 1.1), epoch(1, 0.5, 1))).toBe(false);
    expect(isBetter(epoch(2, NaN, NaN), epoch(1, NaN, NaN))).toBe(true);
  });
});

describe('optimizer state', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each([
    { kind: 'sgd', learningRate: 0.1, momentum: 0.9, nesterov: true },
    { kind: 'sgd', learningRate: 0.1, momentum: 0, nesterov: false },
    { kind: 'adam', learningRate: 0.01 },
  ] as const)('$kind (momentum $momentum) continues the same after a save and restore', async (spec) => {
    const before = tf.memory().numTensors;
    const grad = (k: number) => tf.tensor1d([0.3 * k, -0.2, 0.1 * k * k]);
    const run = async (restoreAfter?: number) => {
      const init = tf.tensor1d([1, 2, 3]);
      const v = tf.variable(init);
      init.dispose();
      let optimizer = createOptimizer(spec);
      for (let k = 1; k <= 4; k++) {
        if (k === restoreAfter) {
          const state = await saveOptimizerState(optimizer);
          disposeOptimizer(optimizer);
          optimizer = createOptimizer(spec);
          await restoreOptimizerState(optimizer, state);
        }
        setLearningRate(optimizer, spec.learningRate / k);
        const g = grad(k);
        optimizer.applyGradients({ [v.name]: g });
        g.dispose();
      }
      const out = v.dataSync().slice();
      expect(optimizer.iterations).toBe(4);
      v.dispose();
      disposeOptimizer(optimizer);
      return out;
    };
    const straight = await run();
    const restored = await run(3);
    restored.forEach((value, i) => expect(value).toBeCloseTo(straight[i] as number, 6));
    expect(tf.memory().numTensors).toBe(before);
  });
});
