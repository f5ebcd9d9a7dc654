import { readdir } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { StudyConfig, StudyModelResult } from '../../shared/study.ts';
import { demoDatasetDir, demoModelDir } from '../../electron/engine/resources.ts';
import { runStudy, type StudyOptions } from '../../electron/engine/study/run-study.ts';
import { useStudyFixture } from './study-fixture.ts';

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
  const fixture = useStudyFixture('dc-tune-');
  const options = (c: StudyConfig, outDir: string): StudyOptions => ({
    ...fixture.options(c, outDir),
    patience: 1,
  });

  it('trains every rate of each grid and keeps the best by validation mean', async () => {
    const out = fixture.dir('tuned');
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
    const out = fixture.dir('bad');
    await expect(
      runStudy(options({ ...config, tune: { units: [0.01, 0], fineTune: [0.01] } }, out)),
    ).rejects.toThrow(/--tune-units: learning rates must be within \(0, 10\], not 0/);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });
});
