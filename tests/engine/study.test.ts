import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { quickStudyConfig, useStudyFixture } from './study-fixture.ts';
import type { StudyConfig, StudyReport } from '../../shared/study.ts';
import type { Dataset } from '../../electron/engine/data/dataset.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import { stratifiedSubset } from '../../electron/engine/data/subset.ts';
import { evaluate } from '../../electron/engine/eval/evaluate.ts';
import { loadModel } from '../../electron/engine/models/model-io.ts';
import { demoDatasetDir } from '../../electron/engine/resources.ts';
import { runStudy } from '../../electron/engine/study/run-study.ts';
import { AbortError } from '../../electron/engine/train/fit.ts';

const LEVELS = [2, 3];

function idx(magic: number, dims: number[], body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(body, 4 + 4 * dims.length);
  return out;
}

/** A 28x28 grey IDX dataset of the demo's 10 classes whose splits hold images of the first 9 only. */
async function missingClassDataset(folder: string): Promise<Dataset> {
  await mkdir(folder, { recursive: true });
  const n = 18;
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 9);
  const pixels = Uint8Array.from({ length: n * 28 * 28 }, (_, i) => (i * 37) % 256);
  for (const prefix of ['train', 't10k']) {
    await writeFile(path.join(folder, `${prefix}-images-idx3-ubyte`), idx(0x803, [n, 28, 28], pixels));
    await writeFile(path.join(folder, `${prefix}-labels-idx1-ubyte`), idx(0x801, [n], labels));
  }
  await writeFile(
    path.join(folder, 'classes.txt'),
    await readFile(path.join(demoDatasetDir(), 'classes.txt')),
  );
  return openDataset(folder);
}

/** A study of seconds: few images, one epoch, the proxy ranking of conv1. */
function smallConfig(overrides: Partial<StudyConfig> = {}): StudyConfig {
  return quickStudyConfig({ kind: 'blur', levelsName: '2,3', levels: LEVELS, ...overrides });
}

describe('deepcorrect study (engine)', () => {
  const fixture = useStudyFixture('dc-study-');
  const { options } = fixture;

  it('runs every stage, writes the report and models, and leaks nothing', async () => {
    const out = fixture.dir('full');
    const before = tf.memory().numTensors;
    const fractions: number[] = [];
    const report = await runStudy({
      ...options(smallConfig(), out),
      onProgress: (p) => fractions.push(p.fraction),
    });
    expect(tf.memory().numTensors).toBe(before);

    expect(report.models.map((m) => m.role)).toEqual(['baseline', 'fine-tuned', 'deepcorrect']);
    for (const m of report.models) {
      expect(m.top1).toHaveLength(1 + LEVELS.length);
      expect(m.meanWithClean).toBeCloseTo(m.top1.reduce((a, b) => a + b, 0) / m.top1.length, 10);
    }
    expect(report.testImages).toBe(100);
    const [baseline, fineTuned, corrected] = report.models as [
      StudyReport['models'][0],
      StudyReport['models'][0],
      StudyReport['models'][0],
    ];
    // The baseline's figures are evaluate's on the same images and distortions.
    const indices = stratifiedSubset(await fixture.dataset().labels('test'), 10, 2, 10);
    const direct = await evaluate({
      model: fixture.base().model,
      dataset: fixture.dataset(),
      split: 'test',
      indices,
      spec: { kind: 'blur' },
      levels: LEVELS,
      seed: 2,
    });
    expect(baseline.top1).toEqual(direct.conditions.map((c) => c.top1));
    expect(baseline.trainableParameters).toBe(0);
    expect(fineTuned.trainableParameters).toBe(467_818);
    // conv1 has 32 filters; beta 0.25 corrects 8 of them with a 5x5 unit.
    expect(report.ranking.layers[0]?.corrected).toHaveLength(8);
    expect(corrected.trainableParameters).toBeGreaterThan(0);
    expect(corrected.trainableParameters).toBeLessThan(fineTuned.trainableParameters / 10);
    expect(corrected.training?.history).toHaveLength(1);
    expect(report.timings.map((t) => t.stage)).toEqual([
      'baseline evaluation',
      'proxy ranking',
      'DeepCorrect units',
      'fine-tuning',
    ]);
    expect(report.paper?.dataset).toBe('CIFAR-100');

    // Progress moves forward to 1.
    expect(fractions.length).toBeGreaterThan(5);
    for (let i = 1; i < fractions.length; i++)
      expect(fractions[i]).toBeGreaterThanOrEqual((fractions[i - 1] as number) - 1e-9);
    expect(fractions.at(-1)).toBeCloseTo(1, 6);

    // What is on disk: the report as returned, the page, the ranking, two loadable models.
    const files = await readdir(out);
    expect(files).toEqual(
      expect.arrayContaining([
        'study.json',
        'report.json',
        'report.html',
        'ranking.json',
        'deepcorrect',
        'fine-tuned',
      ]),
    );
    const written = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as StudyReport;
    expect(written.models.map((m) => m.top1)).toEqual(report.models.map((m) => m.top1));
    const html = await readFile(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('<html');
    const saved = await loadModel(path.join(out, 'deepcorrect'), {
      expectInput: [28, 28, 1],
      expectClasses: 10,
    });
    try {
      const again = await evaluate({
        model: saved.model,
        dataset: fixture.dataset(),
        split: 'test',
        indices,
        spec: { kind: 'blur' },
        levels: LEVELS,
        seed: 2,
      });
      expect(again.conditions.map((c) => c.top1)).toEqual(corrected.top1);
    } finally {
      saved.model.dispose();
    }
  });

  it('keeps finished stages and epoch checkpoints when cancelled, and resumes to the same result', async () => {
    const config = smallConfig({ epochs: 2 });
    const out = fixture.dir('resumed');
    const abort = new AbortController();
    const run = runStudy({
      ...options(config, out),
      signal: abort.signal,
      // Cancelled inside the units' second epoch: the first epoch's checkpoint is on disk.
      onProgress: (p) => {
        if (p.stage.startsWith('DeepCorrect units: epoch 2/2')) abort.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(AbortError);
    expect((await readdir(path.join(out, 'stages'))).sort()).toEqual(['baseline.json', 'ranking.json']);
    expect(await readdir(out)).not.toContain('report.json');
    expect(await readdir(path.join(out, 'deepcorrect', 'checkpoint'))).toContain('state.json');

    await expect(runStudy(options(config, out))).rejects.toThrow(/already holds a study.*--resume/);
    await expect(runStudy({ ...options({ ...config, beta: 0.5 }, out), resume: true })).rejects.toThrow(
      /other settings \(beta\)/,
    );

    const lines: string[] = [];
    const resumed = await runStudy({ ...options(config, out), resume: true, onLog: (l) => lines.push(l) });
    expect(lines.some((l) => /^baseline evaluation: done earlier/.test(l))).toBe(true);
    expect(lines.some((l) => /^proxy ranking: done earlier/.test(l))).toBe(true);
    expect(lines.some((l) => /^DeepCorrect units: [\d.]+ s$/.test(l))).toBe(true);

    const straight = await runStudy(options(config, fixture.dir('straight')));
    const numbers = (r: StudyReport) =>
      r.models.map((m) => [m.top1, m.training?.history.map((h) => h.valAccuracy)]);
    expect(numbers(resumed)).toEqual(numbers(straight));
  });

  it('refuses bad settings before any work, writing nothing', async () => {
    const cases: [Partial<StudyConfig>, RegExp][] = [
      [{ beta: 0 }, /beta must be within \(0, 1\]/],
      [{ beta: 1.5 }, /beta must be within \(0, 1\]/],
      [{ layers: ['dense1'] }, /"dense1" is not a conv layer of the model; its conv layers are conv1, conv2/],
      [{ layers: [] }, /at least one conv layer/],
    ];
    for (const [i, [override, message]] of cases.entries()) {
      const out = fixture.dir(`bad-${Object.keys(override).join('')}-${i}`);
      await expect(runStudy(options(smallConfig(override), out))).rejects.toThrow(message);
      await expect(readdir(out)).rejects.toThrow(/ENOENT/);
    }
    // A train split without any image of the last class: the ranking set could not cover it.
    const partial = await missingClassDataset(fixture.dir('partial-data'));
    try {
      const out = fixture.dir('bad-partial');
      await expect(runStudy({ ...options(smallConfig(), out), dataset: partial })).rejects.toThrow(
        /the train split has no images of class "Ankle boot", so a ranking set cannot cover every class/,
      );
      await expect(readdir(out)).rejects.toThrow(/ENOENT/);
    } finally {
      await partial.close();
    }
    const occupied = fixture.dir('occupied');
    await mkdir(occupied);
    await writeFile(path.join(occupied, 'notes.txt'), 'mine');
    await expect(runStudy(options(smallConfig(), occupied))).rejects.toThrow(/not empty and holds no study/);
    expect(await readdir(occupied)).toEqual(['notes.txt']);
  });
});
