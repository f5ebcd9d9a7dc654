/**
 * What the engine's study tests share: the demo model and dataset on wasm, a scratch folder, and the options
 * of a quick study (Adam 0.001, one replica, a quarter of the training images held out).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll } from 'vitest';
import type { StudyConfig } from '../../shared/study.ts';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import type { Dataset } from '../../electron/engine/data/dataset.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import type { ModelMetadata } from '../../electron/engine/models/metadata.ts';
import { loadModel } from '../../electron/engine/models/model-io.ts';
import { demoDatasetDir, demoModelDir } from '../../electron/engine/resources.ts';
import type { StudyOptions } from '../../electron/engine/study/run-study.ts';

export interface StudyFixture {
  dataset: () => Dataset;
  base: () => { model: tf.LayersModel; metadata: ModelMetadata };
  /** The scratch folder's path for `name`. */
  dir: (name: string) => string;
  options: (config: StudyConfig, outDir: string) => StudyOptions;
}

/** Opens the demo before the file's tests and closes and deletes everything after them. */
export function useStudyFixture(prefix: string): StudyFixture {
  let dataset: Dataset | undefined;
  let base: { model: tf.LayersModel; metadata: ModelMetadata } | undefined;
  let root = '';
  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
    dataset = await openDataset(demoDatasetDir());
    base = await loadModel(demoModelDir());
    root = await mkdtemp(path.join(tmpdir(), prefix));
  });
  afterAll(async () => {
    base?.model.dispose();
    await dataset?.close();
    await rm(root, { recursive: true, force: true });
  });
  const opened = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the study fixture is not open yet');
    return value;
  };
  return {
    dataset: () => opened(dataset),
    base: () => opened(base),
    dir: (name) => path.join(root, name),
    options: (config, outDir) => ({
      config,
      base: opened(base),
      dataset: opened(dataset),
      outDir,
      unitOptimizer: { kind: 'adam', learningRate: 1e-3 },
      fineTuneOptimizer: { kind: 'adam', learningRate: 1e-3 },
      fineTuneLayers: { kind: 'all' },
      validationFraction: 0.25,
      replicas: 1,
      backend: 'wasm',
      device: 'test',
    }),
  };
}

/**
 * A study of seconds on the demo: 12 training and 10 test images per class, noise sigma 20 and 40 (of 255), one epoch of Adam, the proxy
 * ranking of conv1 on 2 images per class, beta 0.25; each test overrides what it is about.
 */
export function quickStudyConfig(overrides: Partial<StudyConfig> = {}): StudyConfig {
  return {
    model: demoModelDir(),
    dataset: demoDatasetDir(),
    kind: 'noise',
    levelsName: '20,40',
    levels: [20, 40],
    seed: 2,
    epochs: 1,
    batchSize: 32,
    layers: ['conv1'],
    beta: 0.25,
    rankMethod: 'proxy',
    rankPerClass: 2,
    fineTuneLayers: 'all',
    unitOptimizer: 'adam, lr 0.001',
    fineTuneOptimizer: 'adam, lr 0.001',
    trainPerClass: 12,
    testSplit: 'test',
    testPerClass: 10,
    ...overrides,
  };
}
