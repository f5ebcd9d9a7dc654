import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import type { Dataset } from '../../electron/engine/data/dataset.ts';
import { loadImages } from '../../electron/engine/data/load-images.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import { stratifiedSubset } from '../../electron/engine/data/subset.ts';
import { distortBatch } from '../../electron/engine/distort/apply.ts';
import { loadModel } from '../../electron/engine/models/model-io.ts';
import {
  averageRanks,
  correctionPriority,
  oracleExperiment,
  PROXY_EPSILON,
  rankFilters,
  rankOrder,
  spearman,
  splitModel,
  type RankingResult,
} from '../../electron/engine/rank/index.ts';
import { swapStack } from '../../electron/engine/rank/swap.ts';
import { demoDatasetDir, demoModelDir } from '../../electron/engine/resources.ts';

const LEVELS = [1, 2.5];

const add = (sums: Float64Array, i: number, v: number): void => {
  sums[i] = (sums[i] as number) + v;
};
const SEED = 3;
const PER_CLASS = 2;

/** The demo cnn4 applied layer by layer in plain order: an oracle independent of the ranking's executor. */
function applyLayers(model: tf.LayersModel, from: number, to: number, x: tf.Tensor): tf.Tensor {
  let y = x;
  for (let i = from; i < to; i++) y = model.layers[i]?.apply(y) as tf.Tensor;
  return y;
}

describe('filter ranking on the demo cnn4', () => {
  let dataset: Dataset;
  let model: tf.LayersModel;
  let images: { x: Float32Array; labels: Int32Array; ids: Uint32Array; n: number };
  let result: RankingResult;
  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
    dataset = await openDataset(demoDatasetDir());
    model = (await loadModel(demoModelDir())).model;
    const indices = stratifiedSubset(await dataset.labels('train'), PER_CLASS, SEED, 10);
    const loaded = await loadImages(dataset, 'train', indices);
    images = { x: Float32Array.from(loaded.images), labels: loaded.labels, ids: loaded.ids, n: loaded.n };
    const before = tf.memory().numTensors;
    // 20 images and 100 rows per pass: 5 filters per pass, with a partial last pass on conv1's 32.
    result = await rankFilters({
      model,
      dataset,
      layers: ['conv1', 'conv3'],
      spec: { kind: 'blur' },
      levels: LEVELS,
      seed: SEED,
      perClass: PER_CLASS,
      method: 'both',
      batchRows: 100,
    });
    expect(tf.memory().numTensors).toBe(before);
  });
  afterAll(async () => {
    model.dispose();
    await dataset.close();
  });

  /** Activations of layer `cut` (index in model.layers) for the clean set and each level. */
  function activations(cut: number): { clean: tf.Tensor; distorted: tf.Tensor[] } {
    return tf.tidy(() => {
      const pixels = tf.tensor4d(images.x, [images.n, 28, 28, 1]);
      const clean = applyLayers(model, 0, cut + 1, pixels.div(255));
      const distorted = LEVELS.map((level) =>
        applyLayers(
          model,
          0,
          cut + 1,
          distortBatch(pixels, { kind: 'blur', level }, { seed: SEED, ids: images.ids }).div(255),
        ),
      );
      return { clean, distorted };
    });
  }

  function errorsOf(probabilities: tf.Tensor): number {
    const predicted = probabilities.argMax(-1).dataSync();
    return images.labels.reduce((sum, label, i) => sum + (predicted[i] === label ? 0 : 1), 0);
  }

  it('gives the same error counts as swapping one filter at a time, and tau from them', () => {
    for (const name of ['conv1', 'conv3']) {
      const cut = model.layers.findIndex((l) => l.name === name);
      const ranking = result.layers.find((l) => l.layer === name);
      const { clean, distorted } = activations(cut);
      const c = clean.dataSync();
      const channels = clean.shape.at(-1) as number;
      const perFilter: number[][] = Array.from({ length: channels }, () => []);
      const baseline: number[] = [];
      for (const d of distorted) {
        baseline.push(tf.tidy(() => errorsOf(applyLayers(model, cut + 1, model.layers.length, d))));
        const values = d.dataSync();
        for (let f = 0; f < channels; f++) {
          const swapped = Float32Array.from(values);
          for (let p = f; p < swapped.length; p += channels) swapped[p] = c[p] as number;
          const e = tf.tidy(() =>
            errorsOf(applyLayers(model, cut + 1, model.layers.length, tf.tensor(swapped, d.shape))),
          );
          perFilter[f]?.push(e);
        }
      }
      tf.dispose([clean, ...distorted]);
      expect(ranking?.errors?.baseline).toEqual(baseline);
      expect(ranking?.errors?.perFilter).toEqual(perFilter);
      const tau = perFilter.map((row) =>
        baseline.reduce((s, e, j) => (e === 0 ? s : s + Math.abs((row[j] as number) - e) / e), 0),
      );
      expect(ranking?.tau).toEqual(tau);
      expect(ranking?.order).toEqual(rankOrder(tau, ranking?.proxy));
      expect(ranking?.spearman).toBeCloseTo(spearman(tau, ranking?.proxy ?? []), 12);
    }
  });

  it('computes the proxy as a float64 reference does', () => {
    const cut = model.layers.findIndex((l) => l.name === 'conv3');
    const { clean, distorted } = activations(cut);
    const c = clean.dataSync();
    const channels = clean.shape.at(-1) as number;
    const count = c.length / channels;
    const scale = new Float64Array(channels);
    for (let p = 0; p < c.length; p++) add(scale, p % channels, Math.abs(c[p] as number) / count);
    const proxy = new Float64Array(channels);
    for (const d of distorted) {
      const v = d.dataSync();
      const dist = new Float64Array(channels);
      for (let p = 0; p < v.length; p++)
        add(dist, p % channels, Math.abs((v[p] as number) - (c[p] as number)) / count);
      for (let f = 0; f < channels; f++)
        add(proxy, f, (dist[f] as number) / ((scale[f] as number) + PROXY_EPSILON));
    }
    tf.dispose([clean, ...distorted]);
    const got = result.layers.find((l) => l.layer === 'conv3')?.proxy ?? [];
    expect(got).toHaveLength(channels);
    got.forEach((v, f) =>
      expect(Math.abs(v - (proxy[f] as number))).toBeLessThan(1e-4 * Math.max(1, proxy[f] as number)),
    );
  });

  it('reproduces the clean outputs exactly when every filter is swapped', () => {
    for (const name of ['conv1', 'conv2', 'conv3', 'conv4']) {
      const cut = splitModel(model, name);
      const [same, exact] = tf.tidy(() => {
        const pixels = tf.tensor4d(images.x, [images.n, 28, 28, 1]);
        const blurred = distortBatch(pixels, { kind: 'blur', level: 2 }, { seed: SEED, ids: images.ids });
        const [clean] = cut.head(pixels.div(255));
        const [dist] = cut.head(blurred.div(255));
        const all = [new Array<number>(clean?.shape.at(-1) ?? 0).fill(1)];
        const corrected = cut.tail(swapStack(clean as tf.Tensor, dist as tf.Tensor, all), []);
        const reference = model.predict(pixels.div(255)) as tf.Tensor;
        return [
          corrected.equal(reference).all().dataSync()[0],
          corrected.sub(reference).abs().max().dataSync()[0],
        ];
      });
      expect({ name, same, exact }).toEqual({ name, same: 1, exact: 0 });
    }
  });

  it('runs the oracle experiment; correcting every filter gives the clean accuracy at each level', async () => {
    const before = tf.memory().numTensors;
    const fractions: number[] = [];
    const e = await oracleExperiment({
      model,
      dataset,
      ranking: result,
      fractions: [0.25, 1],
      evalPerClass: 3,
      seed: SEED,
      batchSize: 16,
      onProgress: (p) => fractions.push(p.fraction),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(e.images).toBe(30);
    expect(e.layers.map((l) => l.layer)).toEqual(['conv1', 'conv3']);
    for (const l of e.layers) {
      expect(l.fractions[0]?.corrected).toBe(l.layer === 'conv1' ? 8 : 16);
      expect(l.fractions[1]?.accuracy).toEqual(LEVELS.map(() => e.clean));
    }
    expect(e.baseline).toHaveLength(2);
    expect(fractions.at(-1)).toBe(1);
  });

  it('stops on cancel, between passes, leaking nothing', async () => {
    const before = tf.memory().numTensors;
    const abort = new AbortController();
    const stages: string[] = [];
    const run = rankFilters({
      model,
      dataset,
      layers: ['conv2'],
      spec: { kind: 'blur' },
      levels: LEVELS,
      seed: SEED,
      perClass: PER_CLASS,
      method: 'oracle',
      batchRows: 40,
      signal: abort.signal,
      onProgress: (p) => {
        stages.push(p.stage);
        if (stages.length === 2) abort.abort();
      },
    });
    await expect(run).rejects.toThrow(/abort/i);
    expect(stages).toEqual(['conv2: level 1/2, filters 0/32', 'conv2: level 1/2, filters 2/32']);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('rank statistics', () => {
  it('ranks ties by their average rank, and Spearman agrees with a hand computation', () => {
    expect(averageRanks([3, 1, 3, 3])).toEqual([3, 1, 3, 3]);
    expect(averageRanks([10, 20, 20, 30])).toEqual([1, 2.5, 2.5, 4]);
    // ranks a = [1, 2.5, 2.5, 4], b = [1, 3, 2, 4]: rho = 4.5 / sqrt(4.5 * 5)
    expect(spearman([10, 20, 20, 30], [1, 3, 2, 4])).toBeCloseTo(4.5 / Math.sqrt(22.5), 12);
    expect(spearman([1, 2, 3], [30, 20, 10])).toBeCloseTo(-1, 12);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
  });

  it('orders by score, then by the tie-breaker, then by index; tau skips levels without errors', () => {
    expect(rankOrder([1, 3, 3, 0, 3], [0, 1, 2, 0, 1])).toEqual([2, 1, 4, 0, 3]);
    const { tau, skipped } = correctionPriority(
      [4, 0, 2],
      [
        [2, 1, 2],
        [4, 0, 0],
      ],
    );
    expect(skipped).toEqual([1]);
    expect(tau).toEqual([0.5, 1]);
  });
});
