/**
 * A checkpoint made before paths were portable recorded the dataset's absolute path: a resume on the same
 * dataset continues it (and the model it saves records the portable form); one on another dataset is refused.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import type { Dataset } from '../../electron/engine/data/dataset.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import { demoDatasetDir } from '../../electron/engine/resources.ts';
import { AbortError } from '../../electron/engine/train/fit.ts';
import { runTraining, type TrainingOptions } from '../../electron/engine/train/run-training.ts';

describe('resuming a checkpoint with an absolute dataset path', () => {
  let dir: string;
  let dataset: Dataset;
  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
    dir = await mkdtemp(path.join(tmpdir(), 'dc-old-checkpoint-'));
    dataset = await openDataset(demoDatasetDir());
  });
  afterAll(async () => {
    await dataset.close();
    await rm(dir, { recursive: true, force: true });
  });

  const tiny = (outDir: string, extra: Partial<TrainingOptions> = {}): TrainingOptions => ({
    dataset,
    arch: 'cnn4',
    outDir,
    epochs: 2,
    batchSize: 50,
    seed: 4,
    optimizer: { kind: 'adam', learningRate: 1e-3 },
    schedule: { kind: 'constant' },
    augment: { flip: false, shift: 0 },
    validationFraction: 0.2,
    trainPerClass: 10,
    backend: 'wasm',
    replicas: 1,
    ...extra,
  });

  it('continues on the same dataset and refuses another', async () => {
    const before = tf.memory().numTensors;
    const outDir = path.join(dir, 'model');
    const abort = new AbortController();
    const first = runTraining({
      ...tiny(outDir),
      signal: abort.signal,
      onProgress: (p) => {
        if (p.stage === 'epoch 2/2') abort.abort();
      },
    });
    await expect(first).rejects.toBeInstanceOf(AbortError);
    const stateFile = path.join(outDir, 'checkpoint', 'state.json');
    const state = JSON.parse(await readFile(stateFile, 'utf8')) as { settings: { dataset: string } };
    expect(state.settings.dataset).toBe('resources/datasets/fashion-mnist-demo');

    // As an earlier version wrote it: another folder's absolute path is another dataset.
    state.settings.dataset = path.join(dir, 'elsewhere', 'fashion-mnist-demo');
    await writeFile(stateFile, JSON.stringify(state));
    await expect(runTraining({ ...tiny(outDir), resume: true })).rejects.toThrow(/dataset: .*elsewhere/);

    // This dataset's absolute path: the same place, resumed.
    state.settings.dataset = demoDatasetDir();
    await writeFile(stateFile, JSON.stringify(state));
    const resumed = await runTraining({ ...tiny(outDir), resume: true });
    expect(resumed.resumedFrom).toBe(1);
    expect(resumed.metadata.provenance?.dataset).toBe('resources/datasets/fashion-mnist-demo');
    resumed.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 300_000);
});
