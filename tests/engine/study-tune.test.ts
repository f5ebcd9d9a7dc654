import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAM_LEARNING_RATE, ADAM_TUNE_GRIDS, TUNE_GRIDS, tuneGrids } from '../../shared/bridge/defaults.ts';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import { fineTune } from '../../electron/engine/correct/fine-tune.ts';
import type { TrainedModel } from '../../electron/engine/correct/train-correction.ts';
import type { Dataset } from '../../electron/engine/data/dataset.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import type { ModelMetadata } from '../../electron/engine/models/metadata.ts';
import { loadModel } from '../../electron/engine/models/model-io.ts';
import { demoDatasetDir, demoModelDir } from '../../electron/engine/resources.ts';
import { checkGrid, parseGrid, tuneLearningRate } from '../../electron/engine/study/tune.ts';

/** A model that is disposed throws when disposed again: how the test sees which runs tuning let go. */
const disposed = (run: TrainedModel): boolean => {
  try {
    run.model.dispose();
    return false;
  } catch (error) {
    return /already disposed/.test(String(error));
  }
};

describe('tuning the learning rate on validation only', () => {
  let dataset: Dataset;
  let base: { model: tf.LayersModel; metadata: ModelMetadata };
  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
    dataset = await openDataset(demoDatasetDir());
    base = await loadModel(demoModelDir());
  });
  afterAll(async () => {
    base.model.dispose();
    await dataset.close();
  });

  // One epoch of fine-tuning on 10 images a class, validated on 10 a class of the base model's held-out ones.
  const train = (learningRate: number): Promise<TrainedModel> =>
    fineTune({
      model: base.model,
      baseMetadata: base.metadata,
      dataset,
      spec: { kind: 'blur' },
      levels: [2],
      epochs: 1,
      batchSize: 25,
      seed: 2,
      trainPerClass: 10,
      validationFraction: 0.5,
      optimizer: { kind: 'sgd', learningRate, momentum: 0.9, nesterov: true },
      backend: 'wasm',
      replicas: 1,
    });

  it('keeps the run with the best validation mean, reports every rate, and disposes the others', async () => {
    const before = tf.memory().numTensors;
    const runs: TrainedModel[] = [];
    const lines: number[] = [];
    // 10 makes SGD diverge: it must lose to the sane rates whatever its figures.
    const grid = [1e-4, 0.01, 10];
    const result = await tuneLearningRate({
      grid,
      train: async (rate) => {
        const run = await train(rate);
        runs.push(run);
        return run;
      },
      onCandidate: (c) => lines.push(c.learningRate),
    });
    expect(lines).toEqual(grid);
    expect(result.candidates.map((c) => c.learningRate)).toEqual(grid);
    result.candidates.forEach((c, i) => {
      const run = runs[i] as TrainedModel;
      expect(c.bestEpoch).toBe(run.bestEpoch);
      expect(c.bestValMean).toBe(run.history.find((h) => h.epoch === run.bestEpoch)?.valMean);
      expect(run.validation).toBe('base held-out');
    });
    const scores = result.candidates.map((c) => (Number.isNaN(c.bestValMean) ? -1 : c.bestValMean));
    const winner = scores.indexOf(Math.max(...scores));
    expect(result.learningRate).toBe(grid[winner]);
    expect(result.best).toBe(runs[winner]);
    expect(result.learningRate).not.toBe(10);
    runs.forEach((run, i) => {
      if (i !== winner) expect(disposed(run)).toBe(true);
    });
    expect(disposed(result.best)).toBe(false); // disposes it now
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses an empty grid or a rate outside (0, 10] before any training, naming --tune-grid', async () => {
    let calls = 0;
    const never = (): Promise<TrainedModel> => {
      calls++;
      return train(0.01);
    };
    for (const grid of [[], [0.01, -0.1], [0], [Number.NaN], [11], [0.01, 0.01]])
      await expect(tuneLearningRate({ grid, train: never })).rejects.toThrow(/^--tune-grid: /);
    await expect(tuneLearningRate({ grid: [0.01, 0], train: never })).rejects.toThrow(
      '--tune-grid: learning rates must be within (0, 10], not 0',
    );
    expect(() => checkGrid([], '--tune-grid-units')).toThrow(
      '--tune-grid-units: give at least one learning rate, each within (0, 10]',
    );
    expect(calls).toBe(0);
    expect(parseGrid('0.003, 0.01,0.03')).toEqual([0.003, 0.01, 0.03]);
    expect(() => parseGrid('0.01,x')).toThrow('--tune-grid: learning rates must be within (0, 10], not NaN');
    for (const grid of [...Object.values(TUNE_GRIDS), ...Object.values(ADAM_TUNE_GRIDS)]) {
      expect(grid).toHaveLength(3);
      expect(() => checkGrid(grid)).not.toThrow();
    }
    // Each grid brackets its optimiser's default rate: Adam's an order of magnitude below SGD's.
    expect(tuneGrids('sgd').units).toContain(0.01);
    expect(tuneGrids('adam').units).toContain(ADAM_LEARNING_RATE);
    expect(tuneGrids('adam').fineTune).toContain(ADAM_LEARNING_RATE);
  });

  it('disposes the winner so far when a later run fails', async () => {
    const before = tf.memory().numTensors;
    const runs: TrainedModel[] = [];
    await expect(
      tuneLearningRate({
        grid: [0.01, 0.02],
        train: async (rate) => {
          if (rate === 0.02) throw new Error('cancelled');
          const run = await train(rate);
          runs.push(run);
          return run;
        },
      }),
    ).rejects.toThrow('cancelled');
    expect(runs.map(disposed)).toEqual([true]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
