import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { StudyConfig, StudyModelResult, StudyReport } from '../../shared/study.ts';
import { runStudy } from '../../electron/engine/study/run-study.ts';
import { AbortError } from '../../electron/engine/train/fit.ts';
import { quickStudyConfig, useStudyFixture } from './study-fixture.ts';

/** A study of seconds per seed, repeated over seeds 2 and 3. */
function seedsConfig(overrides: Partial<StudyConfig> = {}): StudyConfig {
  return quickStudyConfig({ seeds: [2, 3], ...overrides });
}

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

describe('a study over several seeds', () => {
  const fixture = useStudyFixture('dc-seeds-');
  const { options } = fixture;
  let straight: StudyReport;

  it('runs each seed in its own folder and reports means, intervals and paired tests', async () => {
    const out = fixture.dir('straight');
    const before = tf.memory().numTensors;
    straight = await runStudy(options(seedsConfig(), out));
    expect(tf.memory().numTensors).toBe(before);

    expect((await readdir(out)).sort()).toEqual(
      ['report.html', 'report.json', 'seed-2', 'seed-3', 'stages', 'study.json'].sort(),
    );
    for (const s of ['seed-2', 'seed-3'])
      expect((await readdir(path.join(out, s))).sort()).toEqual([
        'deepcorrect',
        'fine-tuned',
        'ranking.json',
      ]);
    expect((await readdir(path.join(out, 'stages'))).sort()).toEqual(
      ['baseline', 'deepcorrect', 'fine-tuned', 'ranking']
        .flatMap((n) => [`seed-2-${n}.json`, `seed-3-${n}.json`])
        .sort(),
    );

    for (const m of straight.models) {
      expect(m.seeds?.map((s) => s.seed)).toEqual([2, 3]);
      const seeds = m.seeds ?? [];
      m.top1.forEach((v, k) => {
        const column = seeds.map((s) => s.top1[k] as number);
        expect(v).toBeCloseTo(mean(column), 12);
        const summary = m.top1Summary?.[k];
        expect(summary?.n).toBe(2);
        expect(summary?.mean).toBeCloseTo(mean(column), 12);
        expect(summary?.sd).toBeCloseTo(
          Math.abs((column[0] as number) - (column[1] as number)) / Math.SQRT2,
          12,
        );
        if (summary?.sd !== 0) {
          expect(summary?.interval?.low).toBeLessThan(v);
          expect(summary?.interval?.high).toBeGreaterThan(v);
        }
      });
      expect(m.meanWithClean).toBeCloseTo(mean(seeds.map((s) => s.meanWithClean)), 12);
    }
    const byRole = (role: StudyModelResult['role']): StudyModelResult =>
      straight.models.find((m) => m.role === role) as StudyModelResult;
    const corrected = byRole('deepcorrect');
    const fineTuned = byRole('fine-tuned');
    // The seed changes the draws of each run: the two seeds' trainings are not the same run twice.
    expect(corrected.seeds?.[0]?.training?.history).not.toEqual(corrected.seeds?.[1]?.training?.history);
    expect(corrected.seeds?.map((s) => s.path)).toEqual(['seed-2/deepcorrect', 'seed-3/deepcorrect']);
    expect(corrected.path).toBe('seed-2/deepcorrect');

    // McNemar's counts are the per-image disagreements behind each seed's accuracy difference.
    const c = straight.comparison;
    expect(c?.conditions.map((k) => k.condition)).toEqual(['clean', '20', '40']);
    c?.conditions.forEach((k, i) => {
      const differences = [0, 1].map(
        (s) => (corrected.seeds?.[s]?.top1[i] as number) - (fineTuned.seeds?.[s]?.top1[i] as number),
      );
      k.mcnemar.forEach((m, s) => {
        expect(m.seed).toBe([2, 3][s]);
        expect((m.b - m.c) / straight.testImages).toBeCloseTo(differences[s] as number, 12);
        expect(m.p).toBeGreaterThan(0);
        expect(m.p).toBeLessThanOrEqual(1);
      });
      expect(k.difference).toBeCloseTo(mean(differences), 12);
      expect(k.interval.low).toBeLessThanOrEqual(k.interval.high);
      const excludesZero = k.interval.low > 0 || k.interval.high < 0;
      expect(k.outcome === 'no significant difference').toBe(!excludesZero);
      expect(k.text).toMatch(/^(better|worse|no significant difference) \(p [=<] /);
    });
    expect(c?.meanWithClean.difference).toBeCloseTo(corrected.meanWithClean - fineTuned.meanWithClean, 12);

    // report.json holds what was returned, and the page states the intervals.
    const written = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as StudyReport;
    expect(written.comparison).toEqual(straight.comparison);
    expect(written.models.map((m) => m.top1Summary)).toEqual(straight.models.map((m) => m.top1Summary));
  });

  it('resumes a study killed in its second seed to the same report', async () => {
    const config = seedsConfig();
    const out = fixture.dir('resumed');
    const abort = new AbortController();
    const run = runStudy({
      ...options(config, out),
      signal: abort.signal,
      onProgress: (p) => {
        if (p.stage.startsWith('seed 3: DeepCorrect units')) abort.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(AbortError);
    const stages = await readdir(path.join(out, 'stages'));
    expect(stages).toContain('seed-2-fine-tuned.json');
    expect(stages).not.toContain('seed-3-deepcorrect.json');

    const lines: string[] = [];
    const resumed = await runStudy({ ...options(config, out), resume: true, onLog: (l) => lines.push(l) });
    expect(lines.filter((l) => /^seed 2: .*done earlier/.test(l))).toHaveLength(4);
    expect(lines.some((l) => /^seed 3: DeepCorrect units: [\d.]+ s$/.test(l))).toBe(true);
    const numbers = (r: StudyReport) => [r.models.map((m) => m.seeds?.map((s) => s.top1)), r.comparison];
    expect(numbers(resumed)).toEqual(numbers(straight));
    // Another seed count is another study: the folder refuses it.
    await expect(
      runStudy({ ...options(seedsConfig({ seeds: [2, 3, 4] }), out), resume: true }),
    ).rejects.toThrow(/other settings \(seeds\)/);
  });

  it('refuses seeds that repeat or do not start with the study seed, writing nothing', async () => {
    for (const seeds of [
      [2, 2],
      [3, 4],
    ]) {
      const out = fixture.dir(`bad-${seeds.join('-')}`);
      await expect(runStudy(options(seedsConfig({ seeds }), out))).rejects.toThrow(
        /seeds must be distinct and start with the study's seed 2/,
      );
      await expect(readdir(out)).rejects.toThrow(/ENOENT/);
    }
  });
});
