import { describe, expect, it } from 'vitest';
import { chartSeries, conditionLabels } from '../../shared/charts/accuracy-chart.ts';
import { PAPER_CIFAR100, type StudyModelResult, type StudyReport } from '../../shared/study.ts';
import { studyCsv, summaryRows } from '../../renderer/src/lib/study-table.ts';

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
});
