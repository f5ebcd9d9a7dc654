import { describe, expect, it } from 'vitest';
import { chartSeries, conditionLabels } from '../../shared/charts/accuracy-chart.ts';
import { PAPER_CIFAR100, type StudyModelResult, type StudyReport } from '../../shared/study.ts';
import {
  comparisonCsv,
  intervalText,
  pointsText,
  seedsText,
  studyCsv,
  summaryRows,
} from '../../renderer/src/lib/study-table.ts';
import { summarize } from '../../shared/stats/summary.ts';

function model(role: StudyModelResult['role'], top1: number[], trainable: number): StudyModelResult {
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  return {
    role,
    label: role,
    path: role,
    trainableParameters: trainable,
    parameters: 467_818 + (role === 'deepcorrect' ? trainable : 0),
    top1,
    top5: top1.map(() => 1),
    perClass: [],
    meanWithClean: mean(top1),
    meanLevels: mean(top1.slice(1)),
  };
}

const report = {
  version: 1,
  createdAt: '2024-05-01T10:20:30.000Z',
  backend: 'cpu',
  device: 'cpu',
  config: {
    model: '/m',
    dataset: '/d',
    kind: 'blur',
    levelsName: 'custom',
    levels: [1, 2, 3],
    seed: 1,
    epochs: 1,
    batchSize: 32,
    layers: ['conv1', 'conv2'],
    beta: 0.5,
    rankMethod: 'proxy',
    rankPerClass: 10,
    fineTuneLayers: 'all',
    unitOptimizer: 'sgd',
    fineTuneOptimizer: 'sgd',
    testSplit: 'test',
  },
  distortionLabel: 'Gaussian blur',
  parameter: 'sigma (px)',
  classes: ['a', 'b'],
  testImages: 20,
  models: [
    model('baseline', [0.9, 0.6, 0.4, 0.2], 0),
    model('fine-tuned', [0.85, 0.8, 0.7, 0.6], 467_818),
    model('deepcorrect', [0.9, 0.82, 0.72, 0.61], 18_752),
  ],
  ranking: { method: 'proxy', split: 'train', rankingImages: 20, layers: [], seconds: 1 },
  paper: PAPER_CIFAR100.blur,
  timings: [],
  totalSeconds: 10,
} as StudyReport;

describe('study tables', () => {
  it('gives the paper’s columns per model, with DeepCorrect’s share of fine-tuning’s parameters', () => {
    const rows = summaryRows(report);
    expect(rows.map((r) => r.role)).toEqual(['baseline', 'fine-tuned', 'deepcorrect']);
    expect(rows[0]?.meanWithClean).toBeCloseTo(0.525);
    expect(rows[0]?.meanLevels).toBeCloseTo(0.4);
    expect(rows[2]?.clean).toBe(0.9);
    expect(rows[2]?.share).toBeCloseTo(18_752 / 467_818);
    expect(Number.isNaN(rows[1]?.share)).toBe(true);
    expect(rows.map((r) => r.paper)).toEqual([0.2502, 0.5727, 0.6023]);
  });

  it('plots top-1 clean first, then each level', () => {
    expect(conditionLabels(report)).toEqual(['clean', '1', '2', '3']);
    expect(chartSeries(report).map((s) => [s.name, s.y])).toEqual([
      ['Baseline', [0.9, 0.6, 0.4, 0.2]],
      ['Fine-tuned', [0.85, 0.8, 0.7, 0.6]],
      ['DeepCorrect', [0.9, 0.82, 0.72, 0.61]],
    ]);
  });

  it('writes the table as CSV with exact numbers', () => {
    const lines = studyCsv(report).split('\r\n');
    expect(lines[0]).toBe(
      'model,mean top-1 clean+levels,mean top-1 levels,trainable parameters,share of fine-tuning parameters,' +
        'paper CIFAR-100 mean top-1 clean+levels,top-1 clean,top-1 sigma (px) 1,top-1 sigma (px) 2,top-1 sigma (px) 3',
    );
    expect(lines[1]?.split(',').slice(3)).toEqual(['0', '', '0.2502', '0.9', '0.6', '0.4', '0.2']);
    expect(lines[3]?.startsWith('DeepCorrect,')).toBe(true);
    expect(lines[3]?.split(',')[3]).toBe('18752');
    expect(lines.at(-1)).toBe('');
    expect(studyCsv({ ...report, paper: undefined }).split('\r\n')[0]).toContain('paper mean top-1');
  });

  describe('of a study over several seeds', () => {
    const seeds = {
      deepcorrect: [0.7, 0.72, 0.74],
      'fine-tuned': [0.69, 0.7, 0.71],
      baseline: [0.4, 0.4, 0.4],
    };
    const multi: StudyReport = {
      ...report,
      config: { ...report.config, seeds: [1, 2, 3] },
      models: report.models.map((m) => ({
        ...m,
        meanWithCleanSummary: summarize(seeds[m.role]),
        top1Summary: m.top1.map((v) => summarize([v, v + 0.01])),
      })),
      comparison: {
        first: 'deepcorrect',
        second: 'fine-tuned',
        confidence: 0.95,
        replicates: 10_000,
        bootstrapSeed: 1,
        meanWithClean: {
          difference: 0.02,
          interval: { low: -0.004, high: 0.041 },
          p: 0.11,
          outcome: 'no significant difference',
          text: 'no significant difference (p = 0.11)',
        },
        conditions: [
          {
            condition: 'clean',
            difference: 0.05,
            interval: { low: 0.01, high: 0.09 },
            p: 0.004,
            outcome: 'better',
            text: 'better (p = 0.0040)',
            mcnemar: [{ seed: 1, b: 12, c: 2, p: 0.013 }],
          },
        ],
      },
    };

    it('gives the accuracy columns their 95% intervals, and none for one seed', () => {
      const rows = summaryRows(multi);
      const expected = summarize(seeds.deepcorrect).interval;
      expect(rows[2]?.intervals.meanWithClean?.interval).toEqual(expected);
      expect(intervalText(rows[2]?.intervals.meanWithClean)).toBe(
        `95% CI ${((expected?.low ?? 0) * 100).toFixed(2)}–${((expected?.high ?? 0) * 100).toFixed(2)}%`,
      );
      // Constant per-seed values: an interval of zero width, still an interval.
      expect(intervalText(rows[0]?.intervals.meanWithClean)).toBe('95% CI 40.00–40.00%');
      expect(summaryRows(report)[2]?.intervals).toEqual({});
      expect(intervalText(undefined)).toBe('');
      expect(seedsText(multi)).toBe('3 seeds (1, 2, 3)');
      expect(seedsText(report)).toBe('seed 1');
    });

    it('adds the interval to the CSV and writes the paired tests as their own CSV', () => {
      const head = studyCsv(multi).split('\r\n')[0] ?? '';
      expect(head.endsWith('mean top-1 clean+levels 95% CI low,mean top-1 clean+levels 95% CI high')).toBe(
        true,
      );
      const tests = comparisonCsv(multi)?.split('\r\n') ?? [];
      expect(tests[0]).toBe('condition,DeepCorrect minus fine-tuned,CI low,CI high,p,verdict');
      expect(tests[1]).toBe('mean clean+levels,0.02,-0.004,0.041,0.11,no significant difference');
      expect(tests[2]).toBe('clean,0.05,0.01,0.09,0.004,better');
      expect(comparisonCsv(report)).toBeUndefined();
      expect(pointsText(0.0042)).toBe('+0.42');
      expect(pointsText(-0.011)).toBe('−1.10');
    });
  });
});
