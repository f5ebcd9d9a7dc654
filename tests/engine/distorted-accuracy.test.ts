import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import type { Dataset } from '../../electron/engine/data/dataset.ts';
import { loadImages, toUnitFloat } from '../../electron/engine/data/load-images.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import { stratifiedSubset } from '../../electron/engine/data/subset.ts';
import { accuracy } from '../../electron/engine/eval/accuracy.ts';
import { accuracyVersusLevel } from '../../electron/engine/eval/distorted-accuracy.ts';
import { cnn4 } from '../../electron/engine/models/cnn4.ts';
import { demoDatasetDir } from '../../electron/engine/resources.ts';

describe('accuracy versus distortion level on the bundled demo', () => {
  let dataset: Dataset;
  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
    dataset = await openDataset(demoDatasetDir());
  });
  afterAll(async () => {
    await dataset.close();
  });

  it('loads a stratified subset with its ids and labels', async () => {
    const indices = stratifiedSubset(await dataset.labels('test'), 3, 4, 10);
    const data = await loadImages(dataset, 'test', indices);
    expect(data.n).toBe(30);
    expect(data.imageShape).toEqual([28, 28, 1]);
    expect(Array.from(data.ids)).toEqual(Array.from(indices));
    const all = await dataset.labels('test');
    expect(Array.from(data.labels)).toEqual(Array.from(indices, (i) => all[i]));
    expect(data.images.length).toBe(30 * 784);
  });

  it('matches plain accuracy on clean images, is unchanged at an identity level, and leaks nothing', async () => {
    const data = await loadImages(dataset, 'test', stratifiedSubset(await dataset.labels('test'), 5, 1, 10));
    const model = cnn4({ inputShape: data.imageShape, classes: 10, seed: 2 });
    const before = tf.memory().numTensors;
    const rows = await accuracyVersusLevel(model, data, { kind: 'blur' }, [0, 3], 1, { batchSize: 16 });
    expect(tf.memory().numTensors).toBe(before);
    expect(rows.map((r) => r.level)).toEqual([undefined, 0, 3]);
    expect(rows[0]?.accuracy).toBeCloseTo(
      accuracy(model, toUnitFloat(data.images), data.labels, data.imageShape),
      10,
    );
    expect(rows[1]?.accuracy).toBe(rows[0]?.accuracy);
    model.dispose();
  });
});
