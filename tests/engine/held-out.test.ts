import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import { fineTune } from '../../electron/engine/correct/fine-tune.ts';
import { conditionAccuracies, mean, prepareConditions } from '../../electron/engine/correct/validate.ts';
import type { Dataset } from '../../electron/engine/data/dataset.ts';
import { loadImages } from '../../electron/engine/data/load-images.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import type { HeldOutRecord } from '../../electron/engine/models/held-out-record.ts';
import type { ModelMetadata } from '../../electron/engine/models/metadata.ts';
import { loadModel } from '../../electron/engine/models/model-io.ts';
import { demoDatasetDir, demoModelDir } from '../../electron/engine/resources.ts';
import { chooseValidation, heldOutIndices } from '../../electron/engine/train/held-out.ts';
import { runTraining } from '../../electron/engine/train/run-training.ts';
import { stratifiedValidationSplit } from '../../electron/engine/train/split.ts';
import { loadTrainingData } from '../../electron/engine/train/training-data.ts';
import { splitData, tempDir, writeIdxSplit } from './dataset-fixtures.ts';

type TrainHoldOut = Extract<HeldOutRecord, { source: 'train hold-out' }>;

const SHAPE = { h: 28, w: 28, c: 1 };

/** A tiny IDX dataset of seeded noise (train and test splits, no val split): what the splits need, fast. */
async function tinyDataset(dir: string, seed: number): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeIdxSplit(dir, 'train', splitData(200, 28, 28, 1, seed), SHAPE);
  await writeIdxSplit(dir, 't10k', splitData(20, 28, 28, 1, seed + 7), SHAPE);
  return dir;
}

function recordOf(metadata: ModelMetadata): TrainHoldOut {
  const record = metadata.provenance?.validationSplit;
  if (record?.source !== 'train hold-out') throw new Error('expected a train hold-out record');
  return record;
}

describe("the base model's held-out validation images", () => {
  let dir: string;
  let dataset: Dataset;
  let other: Dataset;
  let base: { model: tf.LayersModel; metadata: ModelMetadata };
  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
    dir = await tempDir('held-out');
    dataset = await openDataset(await tinyDataset(path.join(dir, 'data'), 11));
    other = await openDataset(await tinyDataset(path.join(dir, 'other'), 12));
    const trained = await runTraining({
      dataset,
      arch: 'cnn4',
      outDir: path.join(dir, 'base'),
      epochs: 1,
      batchSize: 50,
      seed: 5,
      optimizer: { kind: 'adam', learningRate: 1e-3 },
      schedule: { kind: 'constant' },
      augment: { flip: false, shift: 0 },
      validationFraction: 0.2,
      backend: 'wasm',
      replicas: 1,
    });
    trained.model.dispose();
    // As a later session opens it: from disk, its deepcorrect.json validated.
    base = await loadModel(path.join(dir, 'base'));
  });
  afterAll(async () => {
    base.model.dispose();
    await dataset.close();
    await other.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('are recorded by deepcorrect train: the indices, their digest and the seed and fraction that regenerate them', async () => {
    const record = recordOf(base.metadata);
    const labels = await dataset.labels('train');
    const split = stratifiedValidationSplit(labels, 10, 0.2, 5);
    expect(record).toMatchObject({ seed: 5, fraction: 0.2, trainPerClass: null, splitImages: 200 });
    expect(record.images).toBe(split.val.length);
    expect(record.images).toBe(base.metadata.provenance?.valImages);
    expect(record.indices).toEqual(Array.from(split.val));
    // Without the indices (a large split records none) the seed and fraction give them back exactly.
    const { indices: _indices, ...bare } = record;
    expect(heldOutIndices(bare, labels, 10)).toEqual({ indices: split.val });
    // A record that does not fit the dataset is not used.
    expect(heldOutIndices({ ...bare, seed: 6 }, labels, 10)).toEqual({
      problem: 'the regenerated indices do not match their digest',
    });
    expect(heldOutIndices(bare, await other.labels('train'), 10)).toMatchObject({
      problem: expect.stringMatching(/another dataset/) as unknown,
    });
  });

  it('are what unit training and fine-tuning validate on, whatever their seed; they train on the rest', async () => {
    const choice = await chooseValidation(base.metadata, dataset, false);
    expect(choice.source).toBe('base held-out');
    const baseVal = Uint32Array.from(recordOf(base.metadata).indices ?? []);
    expect(choice.rows).toEqual(baseVal);
    for (const seed of [1, 2, 9]) {
      const data = await loadTrainingData(dataset, {
        seed,
        validationFraction: 0.1,
        subsetDraw: 'hold-out',
        heldOut: baseVal,
      });
      expect(data.val.ids).toEqual(baseVal);
      const held = new Set(baseVal);
      expect(Array.from(data.train.ids).filter((id) => held.has(id))).toEqual([]);
      expect(data.train.n + data.val.n).toBe(200);
    }

    // The run itself: its reported validation mean is the model's accuracy on exactly those images.
    const before = tf.memory().numTensors;
    const spec = { kind: 'blur' } as const;
    const levels = [2, 4];
    const notes: string[] = [];
    const result = await fineTune({
      model: base.model,
      baseMetadata: base.metadata,
      dataset,
      spec,
      levels,
      epochs: 1,
      batchSize: 40,
      seed: 3,
      optimizer: { kind: 'adam', learningRate: 1e-3 },
      backend: 'wasm',
      replicas: 1,
      onNote: (line) => notes.push(line),
    });
    try {
      expect(result.validation).toBe('base held-out');
      expect(notes).toEqual([
        expect.stringMatching(/^validation: base held-out \(the \d+ images the base model/),
      ]);
      expect(result.valImages).toBe(baseVal.length);
      expect(result.trainImages).toBe(200 - baseVal.length);
      const conditions = await prepareConditions(
        await loadImages(dataset, 'train', baseVal),
        spec,
        levels,
        3,
      );
      const accuracies = await conditionAccuracies(result.model, conditions);
      expect(result.history[0]?.valAccuracy).toEqual(accuracies);
      expect(result.history[0]?.valMean).toBe(mean(accuracies));
    } finally {
      result.model.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('fall back to a seeded split, saying why, for models that record none and for another dataset', async () => {
    const { validationSplit: _dropped, ...provenance } = base.metadata.provenance ?? {};
    const older = await chooseValidation({ ...base.metadata, provenance }, dataset, false);
    expect(older.source).toBe('seeded split');
    expect(older.note).toMatch(/records no held-out images .*may include images the base model trained on/);
    const elsewhere = await chooseValidation(base.metadata, other, false);
    expect(elsewhere.source).toBe('seeded split');
    expect(elsewhere.note).toMatch(/another dataset/);
    expect((await chooseValidation(base.metadata, dataset, true)).source).toBe('dataset val split');
  });

  it("the shipped demo model's record regenerates its training run's split exactly", async () => {
    const { metadata } = await loadModel(demoModelDir());
    const demo = await openDataset(demoDatasetDir());
    try {
      const record = recordOf(metadata);
      const labels = await demo.labels('train');
      // make-demo-model.sh: --val 0.1 --seed 1 on the whole train split.
      const split = stratifiedValidationSplit(labels, 10, 0.1, 1);
      expect(record.images).toBe(metadata.provenance?.valImages);
      expect(record.indices).toEqual(Array.from(split.val));
      const { indices: _indices, ...bare } = record;
      expect(heldOutIndices(bare, labels, 10)).toEqual({ indices: split.val });
    } finally {
      await demo.close();
    }
  });

  it('refuses a bad patience before any work, writing nothing', async () => {
    const out = path.join(dir, 'refused');
    await expect(
      fineTune({
        model: base.model,
        dataset,
        spec: { kind: 'blur' },
        levels: [2],
        epochs: 3,
        patience: -1,
        seed: 1,
        backend: 'wasm',
        outDir: out,
      }),
    ).rejects.toThrow(/patience must be a whole number of epochs, 0 \(never stop early\) or more, not -1/);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });
});
