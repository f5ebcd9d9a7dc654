import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import type { Dataset } from '../../electron/engine/data/dataset.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import { evaluate } from '../../electron/engine/eval/evaluate.ts';
import { loadModel } from '../../electron/engine/models/model-io.ts';
import { demoDatasetDir, demoModelDir } from '../../electron/engine/resources.ts';

describe('the shipped demo model', () => {
  let dataset: Dataset;
  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
    dataset = await openDataset(demoDatasetDir());
  });
  afterAll(async () => {
    await dataset.close();
  });

  it('loads, says how it was made, and reaches its recorded accuracy on the bundled test split', async () => {
    const { model, metadata } = await loadModel(demoModelDir(), {
      expectInput: [28, 28, 1],
      expectClasses: 10,
    });
    try {
      expect(metadata.arch).toBe('cnn4');
      expect(metadata.classes).toEqual(dataset.summary.classes);
      expect(metadata.provenance?.command).toContain('--seed 1');
      const before = tf.memory().numTensors;
      const result = await evaluate({
        model,
        dataset,
        split: 'test',
        spec: { kind: 'blur' },
        levels: [3],
        seed: 1,
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(result.images).toBe(2000);
      // The bar is 88 %; resources/models/fashion-mnist-cnn4.evaluation.txt records 89.50 % and 32.35 %.
      expect(result.conditions[0]?.top1).toBeGreaterThanOrEqual(0.88);
      expect(result.conditions[0]?.top1).toBeCloseTo(0.895, 2);
      expect(result.conditions[1]?.top1).toBeCloseTo(0.3235, 2);
    } finally {
      model.dispose();
    }
  });
});
