import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { keptValidationMean, type StudyConfig, type StudyReport } from '../../shared/study.ts';
import { parseVariant } from '../../shared/study-variants.ts';
import type { RankingResult } from '../../electron/engine/rank/types.ts';
import { runStudy } from '../../electron/engine/study/run-study.ts';
import { quickStudyConfig, useStudyFixture } from './study-fixture.ts';

/** A study of seconds per seed over seeds 2 and 3, ranking conv1 with both methods. */
function ablationConfig(overrides: Partial<StudyConfig> = {}): StudyConfig {
  return quickStudyConfig({ seeds: [2, 3], rankMethod: 'both', placement: 'post-activation', ...overrides });
}

const variants = ['placement=pre', 'layers=conv1+conv2', 'rank=proxy'].map(parseVariant);

/** What the study's own models gave, seed by seed: an ablation must not change it. */
const own = (r: StudyReport) => [r.models.map((m) => m.seeds?.map((s) => s.top1)), r.comparison];

describe('a study with an ablation', () => {
  const fixture = useStudyFixture('dc-ablation-');
  const { options } = fixture;
  let plain: StudyReport;
  let extended: StudyReport;

  it('adds variants to a finished study on resume, keeping every stage it had', async () => {
    const out = fixture.dir('extended');
    plain = await runStudy(options(ablationConfig(), out));
    expect(plain.variants).toBeUndefined();

    const lines: string[] = [];
    const before = tf.memory().numTensors;
    extended = await runStudy({
      ...options(ablationConfig({ variants }), out),
      resume: true,
      onLog: (l) => lines.push(l),
    });
    expect(tf.memory().numTensors).toBe(before);
    // The eight stages of the two seeds are kept; the variants and conv2's ranking ran.
    expect(lines.filter((l) => /done earlier/.test(l))).toHaveLength(8);
    expect(lines.filter((l) => /^seed \d: variant .*: [\d.]+ s$/.test(l))).toHaveLength(6);
    expect(lines.filter((l) => /^seed \d: both ranking of conv2: [\d.]+ s$/.test(l))).toHaveLength(2);
    expect(own(extended)).toEqual(own(plain));
    // Its time counts the kept stages with the time they took, not only this run's.
    const stages = extended.timings.reduce((a, t) => a + t.seconds, 0);
    expect(extended.timings.filter((t) => t.stage.includes('baseline'))).toHaveLength(2);
    expect(extended.totalSeconds).toBeGreaterThanOrEqual(stages);
    const recorded = JSON.parse(await readFile(path.join(out, 'study.json'), 'utf8')) as {
      config: StudyConfig;
    };
    expect(recorded.config.variants?.map((v) => v.name)).toEqual([
      'placement-pre',
      'layers-conv1-conv2',
      'rank-proxy',
    ]);
    for (const s of ['seed-2', 'seed-3']) {
      expect((await readdir(path.join(out, s))).sort()).toEqual([
        'deepcorrect',
        'fine-tuned',
        'ranking-conv2.json',
        'ranking.json',
        'variants',
      ]);
      expect((await readdir(path.join(out, s, 'variants'))).sort()).toEqual(
        variants.map((v) => v.name).sort(),
      );
    }
    // Another change than the variants is another study.
    await expect(
      runStudy({ ...options(ablationConfig({ variants, beta: 0.5 }), out), resume: true }),
    ).rejects.toThrow(/other settings \(beta\)/);
  });

  it('trains each variant on its own plan and pairs it with the units and with fine-tuning', async () => {
    const out = fixture.dir('extended');
    const report = extended;
    expect(report.variants?.map((v) => v.variant.name)).toEqual(variants.map((v) => v.name));
    const ranking = JSON.parse(
      await readFile(path.join(out, 'seed-2', 'ranking.json'), 'utf8'),
    ) as RankingResult;
    const conv1 = ranking.layers[0];
    const extra = JSON.parse(
      await readFile(path.join(out, 'seed-2', 'ranking-conv2.json'), 'utf8'),
    ) as RankingResult;
    expect(extra.layers.map((l) => l.layer)).toEqual(['conv2']);
    const ownPlan = report.ranking.layers[0]?.corrected ?? [];
    const [pre, wider, proxy] = report.variants ?? [];
    // Placement changes where the units sit, not which filters they correct.
    expect(pre?.corrected).toEqual([{ layer: 'conv1', filters: ownPlan }]);
    // The wider variant corrects conv1 as the study does and conv2 by the extra ranking's oracle order.
    const conv2 = extra.layers[0];
    expect(wider?.corrected).toEqual([
      { layer: 'conv1', filters: ownPlan },
      {
        layer: 'conv2',
        filters: conv2?.order.slice(0, Math.max(1, Math.round(0.25 * (conv2?.filters ?? 0)))),
      },
    ]);
    expect(wider?.model.trainableParameters).toBeGreaterThan(pre?.model.trainableParameters ?? Infinity);
    // The proxy variant follows the proxy's order, not the oracle's.
    expect(proxy?.corrected[0]?.filters).toEqual(conv1?.proxyOrder?.slice(0, ownPlan.length));
    for (const v of report.variants ?? []) {
      expect(v.model.seeds?.map((s) => s.path)).toEqual([
        `seed-2/variants/${v.variant.name}`,
        `seed-3/variants/${v.variant.name}`,
      ]);
      const d = v.againstDeepCorrect?.meanWithClean;
      const corrected = report.models.find((m) => m.role === 'deepcorrect');
      expect(d?.difference).toBeCloseTo(v.model.meanWithClean - (corrected?.meanWithClean ?? NaN), 12);
      const f = v.againstFineTuned?.meanWithClean;
      const fineTuned = report.models.find((m) => m.role === 'fine-tuned');
      expect(f?.difference).toBeCloseTo(v.model.meanWithClean - (fineTuned?.meanWithClean ?? NaN), 12);
      expect(d?.text).toMatch(/^(better|worse|no significant difference) \(p [=<] /);
    }
    // The page has the section, named by the variants' changes.
    const html = await readFile(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('<section id="ablation">');
    expect(html).toContain('units before the activation');
    expect(html).toContain('proxy ranking');
    expect(html).toContain('Validation mean (kept epoch)');
    // The validation column is each seed's validation mean at its kept epoch, averaged: what to choose by.
    for (const v of report.variants ?? []) {
      const kept = (v.model.seeds ?? []).map((s) => {
        const t = s.training;
        return t?.history.find((e) => e.epoch === t.bestEpoch)?.valMean ?? NaN;
      });
      expect(kept).toHaveLength(2);
      expect(keptValidationMean(v.model)).toBeCloseTo((kept[0]! + kept[1]!) / 2, 12);
    }
  });

  it('gives a fresh study with the same variants the same numbers as the extended one', async () => {
    const fresh = await runStudy(options(ablationConfig({ variants }), fixture.dir('fresh')));
    expect(own(fresh)).toEqual(own(plain));
    expect(fresh.variants?.map((v) => [v.corrected, v.model.seeds?.map((s) => s.top1)])).toEqual(
      extended.variants?.map((v) => [v.corrected, v.model.seeds?.map((s) => s.top1)]),
    );
  });

  it('ranks anew when a resume adds a variant on a layer the extra ranking lacks', async () => {
    const out = fixture.dir('extended');
    const more = [...variants, parseVariant('layers=conv1+conv3')];
    const lines: string[] = [];
    const report = await runStudy({
      ...options(ablationConfig({ variants: more }), out),
      resume: true,
      onLog: (l) => lines.push(l),
    });
    expect(lines.filter((l) => /^seed \d: both ranking of conv2, conv3: [\d.]+ s$/.test(l))).toHaveLength(2);
    expect(lines.filter((l) => /^seed \d: variant .*: done earlier/.test(l))).toHaveLength(6);
    expect(report.variants?.map((v) => v.variant.name)).toEqual(more.map((v) => v.name));
    expect(await readdir(path.join(out, 'seed-3'))).toContain('ranking-conv2-conv3.json');
    expect(own(report)).toEqual(own(plain));
  });

  it('refuses variants that change nothing or name no conv layer, writing nothing', async () => {
    for (const [bad, message] of [
      [parseVariant('beta=0.25'), /changes nothing/],
      [parseVariant('layers=conv1+dense1'), /dense1/],
    ] as const) {
      const out = fixture.dir(`bad-${bad.name}`);
      await expect(runStudy(options(ablationConfig({ variants: [bad] }), out))).rejects.toThrow(message);
      await expect(readdir(out)).rejects.toThrow(/ENOENT/);
    }
  });
});
