import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudyConfig, StudyModelResult } from '../../shared/study.ts';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import type { Dataset } from '../../electron/engine/data/dataset.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import type { ModelMetadata } from '../../electron/engine/models/metadata.ts';
import { loadModel } from '../../electron/engine/models/model-io.ts';
import { demoDatasetDir, demoModelDir } from '../../electron/engine/resources.ts';
import { runStudy, type StudyOptions } from '../../electron/engine/study/run-study.ts';

const config: StudyConfig = {
  model: demoModelDir(),
  dataset: demoDatasetDir(),
  kind: 'blur',
  levelsName: '2',
  levels: [2],
  seed: 3,
  epochs: 2,
  patience: 1,
  batchSize: 32,
  layers: ['conv1'],
  beta: 0.25,
  rankMethod: 'proxy',
  rankPerClass: 2,
  placement: 'pre-activation',
  tune: { units: [0.0003, 0.003], fineTune: [0.0001, 0.001] },
  fineTuneLayers: 'all',
  unitOptimizer: 'adam',
  fineTuneOptimizer: 'adam',
  trainPerClass: 8,
  testSplit: 'test',
  testPerClass: 5,
};

describe('a study that tunes learning rates on validation data', () => {
  let dataset: Dataset;
  let base: { model: tf.LayersModel; metadata: ModelMetadata };
  let dir: string;
  const options = (c: StudyConfig, outDir: string): StudyOptions => ({
    config: c,
    base,
    dataset,
    outDir,
    unitOptimizer: { kind: 'adam', learningRate: 1e-3 },
    fineTuneOptimizer: { kind: 'adam', learningRate: 1e-3 },
    fineTuneLayers: { kind: 'all' },
    validationFraction: 0.25,
    patience: 1,
    replicas: 1,
    backend: 'wasm',
    device: 'test',
  });

  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
    dataset = await openDataset(demoDatasetDir());
    base = await loadModel(demoModelDir());
    dir = await mkdtemp(path.join(tmpdir(), 'dc-tune-'));
  });
  afterAll(async () => {
    base.model.dispose();
    await dataset.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('trains every rate of each grid and keeps the best by validation mean', async () => {
    const out = path.join(dir, 'tuned');
    const before = tf.memory().numTensors;
    const lines: string[] = [];
    const report = await runStudy({ ...options(config, out), onLog: (l) => lines.push(l) });
    expect(tf.memory().numTensors).toBe(before);
    expect((await readdir(path.join(out, 'tune'))).sort()).toEqual([
      'deepcorrect-lr-0.0003',
      'deepcorrect-lr-0.003',
      'fine-tuned-lr-0.0001',
      'fine-tuned-lr-0.001',
    ]);
    const check = (role: StudyModelResult['role'], grid: number[], dir: string): void => {
      const m = report.models.find((x) => x.role === role);
      const tuning = m?.training?.tuning;
      expect(tuning?.candidates.map((c) => c.learningRate)).toEqual(grid);
      const best = [...(tuning?.candidates ?? [])].sort((a, b) => b.bestValMean - a.bestValMean)[0];
      expect(tuning?.learningRate).toBe(best?.learningRate);
      // The kept run's own validation record is the winner's figure: validation chose, not the test split.
      const kept = m?.training?.history.find((h) => h.epoch === m.training?.bestEpoch);
      expect(kept?.valMean).toBe(best?.bestValMean);
      expect(m?.path).toBe(`tune/${dir}-lr-${best?.learningRate}`);
      expect(m?.training?.stop?.reason).toMatch(/budget|early stop/);
    };
    check('deepcorrect', [0.0003, 0.003], 'deepcorrect');
    check('fine-tuned', [0.0001, 0.001], 'fine-tuned');
    expect(lines.filter((l) => /lr [\d.]+, best validation mean/.test(l))).toHaveLength(4);
    expect(report.config.placement).toBe('pre-activation');
  });

  it('refuses a grid with a non-positive rate before any work', async () => {
    const out = path.join(dir, 'bad');
    await expect(
      runStudy(options({ ...config, tune: { units: [0.01, 0], fineTune: [0.01] } }, out)),
    ).rejects.toThrow(/--tune-units: learning rates must be within \(0, 10\], not 0/);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });
});
