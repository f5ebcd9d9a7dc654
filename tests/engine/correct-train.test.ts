import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import {
  buildCorrectedModel,
  fineTune,
  trainCorrection,
  type MixedTrainingOptions,
  type PlanEntry,
} from '../../electron/engine/correct/index.ts';
import { conditionAccuracies, prepareConditions } from '../../electron/engine/correct/validate.ts';
import type { Dataset } from '../../electron/engine/data/dataset.ts';
import { loadImages } from '../../electron/engine/data/load-images.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import { stratifiedSubset } from '../../electron/engine/data/subset.ts';
import type { ModelMetadata } from '../../electron/engine/models/metadata.ts';
import { loadModel } from '../../electron/engine/models/model-io.ts';
import { AbortError } from '../../electron/engine/train/fit.ts';
import { demoDatasetDir, demoModelDir } from '../../electron/engine/resources.ts';

const LEVELS = [2, 3];
const half = (n: number): number[] => [...Array(n / 2).keys()].map((i) => 2 * i);
const PLAN: PlanEntry[] = [
  { layer: 'conv1', filters: half(32) },
  { layer: 'conv2', filters: half(32) },
];

function frozenWeights(model: tf.LayersModel): Float32Array[] {
  return model.layers
    .filter((l) => !l.name.startsWith('dc_'))
    .flatMap((l) => l.getWeights().map((w) => Float32Array.from(w.dataSync())));
}

describe('training correction units and fine-tuning', () => {
  let dataset: Dataset;
  let base: tf.LayersModel;
  let metadata: ModelMetadata;
  let dir: string;
  let common: MixedTrainingOptions;
  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
    dataset = await openDataset(demoDatasetDir());
    ({ model: base, metadata } = await loadModel(demoModelDir()));
    dir = await mkdtemp(path.join(tmpdir(), 'dc-correct-train-'));
    common = {
      dataset,
      spec: { kind: 'blur' },
      levels: LEVELS,
      epochs: 2,
      batchSize: 32,
      seed: 3,
      trainPerClass: 40,
      validationFraction: 0.2,
      backend: 'wasm',
      replicas: 2,
      // Adam learns faster than the paper's SGD in the test's few steps.
      optimizer: { kind: 'adam', learningRate: 1e-3 },
    };
  });
  afterAll(async () => {
    base.dispose();
    await dataset.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('trains only the units, learns the distortion, saves, and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const baseWeights = base.getWeights().map((w) => Float32Array.from(w.dataSync()));
    const model = await buildCorrectedModel(base, PLAN, { seed: 3 });
    const frozen = frozenWeights(model);
    const out = path.join(dir, 'units');
    const epochs: number[] = [];
    const result = await trainCorrection({
      ...common,
      model,
      baseMetadata: metadata,
      outDir: out,
      beta: 0.5,
      rankingMethod: 'test',
      onEpoch: (r) => epochs.push(r.epoch),
    });
    expect(epochs).toEqual([1, 2]);
    // The frozen base reaches the data-parallel workers at start, so the units train on both replicas.
    expect(result.replicas).toBe(2);
    expect(result.trainableParameters).toBe(18_752);
    expect(result.history[0]?.valAccuracy).toHaveLength(3);
    expect(frozenWeights(model)).toEqual(frozen);
    expect(base.getWeights().map((w) => Float32Array.from(w.dataSync()))).toEqual(baseWeights);

    // Blurred test images at the training levels: the corrected model beats the base it was built from.
    const indices = stratifiedSubset(await dataset.labels('test'), 15, 1, 10);
    const set = await prepareConditions(
      await loadImages(dataset, 'test', indices),
      { kind: 'blur' },
      LEVELS,
      1,
    );
    const baseAcc = await conditionAccuracies(base, set);
    const corrAcc = await conditionAccuracies(model, set);
    const blurred = (a: number[]): number => ((a[1] as number) + (a[2] as number)) / 2;
    expect(blurred(corrAcc)).toBeGreaterThan(blurred(baseAcc));

    const saved = await loadModel(out);
    expect(saved.metadata.arch).toBe('cnn4+deepcorrect');
    expect(saved.metadata.provenance?.bestEpoch).toBe(result.bestEpoch);
    saved.model.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('fine-tunes a copy (all layers or the first k convs) and leaves the base unchanged', async () => {
    const before = tf.memory().numTensors;
    const baseWeights = base.getWeights().map((w) => Float32Array.from(w.dataSync()));
    const first = await fineTune({ ...common, epochs: 1, model: base, layers: { kind: 'first', count: 2 } });
    // conv1 (3*3*1*32+32) and conv2 (3*3*32*32+32).
    expect(first.trainableParameters).toBe(320 + 9248);
    first.model.dispose();
    expect(first.replicas).toBe(2);
    const all = await fineTune({ ...common, epochs: 1, trainPerClass: 10, model: base });
    expect(all.trainableParameters).toBe(467_818);
    expect(all.replicas).toBe(2);
    all.model.dispose();
    expect(base.getWeights().map((w) => Float32Array.from(w.dataSync()))).toEqual(baseWeights);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('cancels within a batch', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const run = trainCorrection({
      ...common,
      model: base,
      plan: PLAN,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(run).rejects.toBeInstanceOf(AbortError);
    expect(tf.memory().numTensors).toBe(before);
  });
});
