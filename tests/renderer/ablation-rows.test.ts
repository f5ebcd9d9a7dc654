/**
 * The Results view's ablation rows on the figures of a real study: `deepcorrect study --distortion noise
 * --levels 20,40 --seeds 3 --seed 2 --epochs 2 --train-per-class 12 --test-per-class 10 --rank both
 * --rank-per-class 2 --layers conv1 --beta 0.5 --ablation --optimizer adam --unit-lr 0.001 --finetune-lr 0.001
 * --batch 32 --replicas 1` on the demo model and data (wasm), its report.json copied here without the
 * per-class tables, training histories and per-condition tests the table does not read.
 */
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../shared/stats/summary.ts';
import { formatP } from '../../shared/stats/verdict.ts';
import type { Outcome } from '../../shared/stats/verdict.ts';
import type {
  ConditionComparison,
  DifferenceTest,
  PairedComparison,
  StudyModelResult,
  StudyReport,
  StudyVariantResult,
} from '../../shared/study.ts';
import { parseVariant } from '../../shared/study-variants.ts';
import { ablationSection } from '../../electron/engine/study/report-ablation.ts';
import {
  ablationCsv,
  ablationNote,
  ablationRows,
  differenceText,
  meanIntervalText,
  verdictText,
} from '../../renderer/src/views/results/ablation-rows.ts';

const summary = (mean: number, sd: number, low: number, high: number): Summary => ({
  n: 3,
  mean,
  sd,
  interval: { low, high },
});

const test = (
  difference: number,
  low: number,
  high: number,
  p: number,
  outcome: Outcome,
): DifferenceTest => ({
  difference,
  interval: { low, high },
  p,
  outcome,
  text: `${outcome} (${formatP(p)})`,
});

const paired = (
  meanWithClean: DifferenceTest,
  second: 'deepcorrect' | 'fine-tuned' = 'fine-tuned',
  conditions: ConditionComparison[] = [],
): PairedComparison => ({
  first: 'deepcorrect',
  second,
  confidence: 0.95,
  replicates: 10_000,
  bootstrapSeed: 2,
  conditions,
  meanWithClean,
});

function model(
  role: StudyModelResult['role'],
  label: string,
  path: string,
  top1: number[],
  means: { withClean: number; levels: number; summary: Summary },
  trainableParameters: number,
  parameters: number,
): StudyModelResult {
  return {
    role,
    label,
    path,
    trainableParameters,
    parameters,
    top1,
    top5: top1.map(() => 1),
    perClass: [],
    meanWithClean: means.withClean,
    meanLevels: means.levels,
    meanWithCleanSummary: means.summary,
  };
}

const conv1Oracle = [13, 21, 0, 26, 3, 10, 12, 20, 30, 7, 29, 9, 19, 18, 6, 31];
const variants = [
  'placement=pre',
  'layers=conv1+conv2+conv3+conv4',
  'beta=0.25',
  'beta=0.75',
  'rank=proxy',
].map(parseVariant);

function variant(
  index: number,
  corrected: StudyVariantResult['corrected'],
  top1: number[],
  means: { withClean: number; levels: number; summary: Summary },
  trainable: number,
  againstOwn: DifferenceTest,
  againstFineTuned: DifferenceTest,
): StudyVariantResult {
  const v = variants[index];
  if (v === undefined) throw new Error(`no variant ${index}`);
  return {
    variant: v,
    corrected,
    model: model(
      'deepcorrect',
      `DeepCorrect, ${v.name}`,
      `seed-2/variants/${v.name}`,
      top1,
      means,
      trainable,
      467_818 + trainable,
    ),
    againstDeepCorrect: paired(againstOwn, 'deepcorrect'),
    againstFineTuned: paired(againstFineTuned),
  };
}

const NSD = 'no significant difference';

const report: StudyReport = {
  version: 1,
  createdAt: '2026-12-05T06:30:48.721Z',
  backend: 'wasm',
  device: 'AMD EPYC, 2 threads',
  config: {
    model: '/work/main/resources/models/fashion-mnist-cnn4',
    dataset: '/work/main/resources/datasets/fashion-mnist-demo',
    kind: 'noise',
    levelsName: '20,40',
    levels: [20, 40],
    seed: 2,
    seeds: [2, 3, 4],
    epochs: 2,
    batchSize: 32,
    layers: ['conv1'],
    beta: 0.5,
    rankMethod: 'both',
    rankPerClass: 2,
    placement: 'post-activation',
    patience: 5,
    fineTuneLayers: 'all',
    unitOptimizer: 'adam, lr 0.001',
    fineTuneOptimizer: 'adam, lr 0.001',
    trainPerClass: 12,
    testSplit: 'test',
    testPerClass: 10,
    variants,
  },
  distortionLabel: 'Additive Gaussian noise',
  parameter: 'sigma (0..255)',
  classes: [
    'T-shirt/top',
    'Trouser',
    'Pullover',
    'Dress',
    'Coat',
    'Sandal',
    'Shirt',
    'Sneaker',
    'Bag',
    'Ankle boot',
  ],
  testImages: 100,
  models: [
    model(
      'baseline',
      'baseline',
      '/work/main/resources/models/fashion-mnist-cnn4',
      [0.91, 0.8266666666666667, 0.7066666666666667],
      {
        withClean: 0.8144444444444444,
        levels: 0.7666666666666666,
        summary: summary(0.8144444444444444, 0.005091750772173153, 0.8017958343324553, 0.8270930545564336),
      },
      0,
      467_818,
    ),
    model(
      'fine-tuned',
      'fine-tuned (all)',
      'seed-2/fine-tuned',
      [0.84, 0.8133333333333334, 0.7533333333333333],
      {
        withClean: 0.8022222222222223,
        levels: 0.7833333333333333,
        summary: summary(0.8022222222222223, 0.015030832509409658, 0.764883564346595, 0.8395608800978496),
      },
      467_818,
      467_818,
    ),
    model(
      'deepcorrect',
      'DeepCorrect (conv1, beta 0.5)',
      'seed-2/deepcorrect',
      [0.91, 0.83, 0.7233333333333333],
      {
        withClean: 0.8211111111111111,
        levels: 0.7766666666666667,
        summary: summary(0.8211111111111111, 0.0038490017945974017, 0.811549660600557, 0.8306725616216653),
      },
      13_472,
      482_410,
    ),
  ],
  ranking: {
    method: 'both',
    split: 'train',
    rankingImages: 20,
    layers: [{ layer: 'conv1', filters: 32, order: conv1Oracle, corrected: conv1Oracle, seconds: 1 }],
    seconds: 1,
  },
  comparison: paired(
    test(0.01888888888888889, -0.02111111111111112, 0.06333333333333334, 0.3805619438056194, NSD),
    'fine-tuned',
    [
      {
        condition: 'clean',
        ...test(0.07, 0.036583333333334064, 0.11, 0.00019998000199980003, 'better'),
        mcnemar: [
          { seed: 2, b: 8, c: 2, p: 0.1093749999999998 },
          { seed: 3, b: 7, c: 0, p: 0.015624999999999948 },
          { seed: 4, b: 11, c: 3, p: 0.05737304687499993 },
        ],
      },
    ],
  ),
  variants: [
    variant(
      0,
      [{ layer: 'conv1', filters: conv1Oracle }],
      [0.9066666666666667, 0.8366666666666666, 0.73],
      {
        withClean: 0.8244444444444445,
        levels: 0.7833333333333332,
        summary: summary(0.8244444444444445, 0.009622504486493794, 0.8005408181680587, 0.8483480707208304),
      },
      13_472,
      test(0.0033333333333333327, -0.005555555555555556, 0.014444444444444446, 0.5527447255274472, NSD),
      test(0.022222222222222223, -0.01777777777777778, 0.06555555555555558, 0.292970702929707, NSD),
    ),
    variant(
      1,
      [
        { layer: 'conv1', filters: conv1Oracle },
        { layer: 'conv2', filters: [28, 18, 2, 6, 27, 24, 10, 21, 29, 14, 25, 11, 22, 30, 15, 31] },
        {
          layer: 'conv3',
          filters: [
            3, 19, 48, 21, 60, 42, 57, 30, 23, 12, 27, 13, 1, 34, 28, 32, 61, 40, 35, 4, 47, 16, 10, 0, 9, 49,
            25, 56, 22, 17, 55, 59,
          ],
        },
        {
          layer: 'conv4',
          filters: [
            31, 38, 53, 36, 2, 57, 22, 60, 54, 37, 17, 34, 0, 56, 59, 21, 1, 19, 28, 6, 55, 39, 9, 5, 11, 40,
            43, 45, 24, 46, 44, 26,
          ],
        },
      ],
      [0.8933333333333334, 0.85, 0.7533333333333333],
      {
        withClean: 0.8322222222222223,
        levels: 0.8016666666666667,
        summary: summary(0.8322222222222223, 0.01677740985615716, 0.7905448256930507, 0.8738996187513939),
      },
      60_352,
      test(0.011111111111111112, -0.005555555555555554, 0.03333333333333333, 0.2585741425857414, NSD),
      test(0.03000000000000001, -0.007777777777777777, 0.07111111111111111, 0.11798820117988201, NSD),
    ),
    variant(
      2,
      [{ layer: 'conv1', filters: conv1Oracle.slice(0, 8) }],
      [0.91, 0.8366666666666666, 0.7200000000000001],
      {
        withClean: 0.8222222222222223,
        levels: 0.7783333333333333,
        summary: summary(0.8222222222222223, 0.005091750772173092, 0.8095736121102333, 0.8348708323342113),
      },
      3_408,
      test(0.0011111111111111111, -0.0033333333333333327, 0.005555555555555556, 0.8251174882511749, NSD),
      test(0.020000000000000007, -0.02, 0.06444444444444443, 0.3427657234276572, NSD),
    ),
    variant(
      3,
      [{ layer: 'conv1', filters: [...conv1Oracle, 24, 17, 25, 2, 1, 28, 14, 27] }],
      [0.9, 0.84, 0.73],
      {
        withClean: 0.8233333333333334,
        levels: 0.785,
        summary: summary(0.8233333333333334, 0.008819171036881984, 0.8014252979742387, 0.845241368692428),
      },
      30_192,
      test(0.002222222222222222, -0.006666666666666667, 0.012222222222222223, 0.7161283871612839, NSD),
      test(0.02111111111111111, -0.016666666666666666, 0.06333333333333334, 0.29457054294570545, NSD),
    ),
    variant(
      4,
      [{ layer: 'conv1', filters: [10, 0, 12, 13, 20, 30, 7, 29, 26, 9, 19, 18, 6, 31, 24, 3] }],
      [0.91, 0.83, 0.7233333333333333],
      {
        withClean: 0.8211111111111111,
        levels: 0.7766666666666667,
        summary: summary(0.8211111111111111, 0.006938886664887083, 0.8038739610693038, 0.8383482611529185),
      },
      13_472,
      test(0, -0.0044444444444444444, 0.0044444444444444444, 1, NSD),
      test(0.018888888888888896, -0.02111111111111111, 0.06333333333333334, 0.3755624437556244, NSD),
    ),
  ],
  timings: [],
  totalSeconds: 149,
};

/** RFC 4180 records back into fields (quotes kept off, doubled quotes undone). */
function csvRecords(csv: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const ch = csv[i];
    if (quoted) {
      if (ch === '"' && csv[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\r' && csv[i + 1] === '\n') {
      fields.push(field);
      records.push(fields);
      fields = [];
      field = '';
      i++;
    } else field += ch;
  }
  return records;
}

describe('ablation rows', () => {
  const rows = ablationRows(report);

  it('lists the study’s own units first, then each variant in the report’s order, in words', () => {
    expect(rows.map((r) => r.key)).toEqual(['own', ...variants.map((v) => v.name)]);
    expect(rows.map((r) => r.label)).toEqual([
      'the study’s own (after the activation, oracle ranking)',
      'units before the activation',
      'layers conv1, conv2, conv3, conv4',
      'beta 0.25',
      'beta 0.75',
      'proxy ranking',
    ]);
    expect(rows.map((r) => r.corrected)).toEqual([
      'conv1: 16',
      'conv1: 16',
      'conv1: 16, conv2: 16, conv3: 32, conv4: 32',
      'conv1: 8',
      'conv1: 24',
      'conv1: 16',
    ]);
    expect(rows.map((r) => r.trainableParameters)).toEqual([13_472, 13_472, 60_352, 3_408, 30_192, 13_472]);
  });

  it('gives each mean with its 95% interval over seeds, as the summary table words it', () => {
    expect(rows[0]?.meanWithClean).toBeCloseTo(0.8211, 4);
    expect(rows.map(meanIntervalText)).toEqual([
      '95% CI 81.15–83.07%',
      '95% CI 80.05–84.83%',
      '95% CI 79.05–87.39%',
      '95% CI 80.96–83.49%',
      '95% CI 80.14–84.52%',
      '95% CI 80.39–83.83%',
    ]);
  });

  it('pairs each variant with the study’s units and with fine-tuning, the own row with fine-tuning only', () => {
    expect(rows[0]?.againstOwn).toBeUndefined();
    expect(differenceText(rows[0]?.againstOwn)).toBe('—');
    expect(verdictText(rows[0]?.againstOwn)).toBe('');
    expect(differenceText(rows[0]?.againstFineTuned)).toBe('+1.89 (−2.11 to +6.33)');
    expect(verdictText(rows[0]?.againstFineTuned)).toBe('no significant difference, p = 0.38');
    expect(rows.slice(1).map((r) => differenceText(r.againstOwn))).toEqual([
      '+0.33 (−0.56 to +1.44)',
      '+1.11 (−0.56 to +3.33)',
      '+0.11 (−0.33 to +0.56)',
      '+0.22 (−0.67 to +1.22)',
      '+0.00 (−0.44 to +0.44)',
    ]);
    expect(rows.slice(1).map((r) => differenceText(r.againstFineTuned))).toEqual([
      '+2.22 (−1.78 to +6.56)',
      '+3.00 (−0.78 to +7.11)',
      '+2.00 (−2.00 to +6.44)',
      '+2.11 (−1.67 to +6.33)',
      '+1.89 (−2.11 to +6.33)',
    ]);
    expect(verdictText(rows[2]?.againstOwn)).toBe('no significant difference, p = 0.26');
    // The verdict follows the report's outcome: "better" where its interval excludes zero.
    expect(verdictText(report.comparison?.conditions[0])).toBe('better, p < 0.001');
    // Paired on the same images, each difference is the difference of the two rows' means.
    for (const row of rows.slice(1)) {
      expect(row.againstOwn?.difference).toBeCloseTo(row.meanWithClean - (rows[0]?.meanWithClean ?? NaN), 9);
      const fineTuned = report.models[1]?.meanWithClean ?? NaN;
      expect(row.againstFineTuned?.difference).toBeCloseTo(row.meanWithClean - fineTuned, 9);
    }
  });

  it('shows the figures and words report.html’s Ablation section shows', () => {
    const html = ablationSection(report);
    for (const row of rows) {
      expect(html).toContain(row.label);
      expect(html).toContain(row.trainableParameters.toLocaleString('en-US'));
      if (row.againstOwn) expect(html).toContain(differenceText(row.againstOwn));
      if (row.againstFineTuned) {
        expect(html).toContain(differenceText(row.againstFineTuned));
        expect(html).toContain(verdictText(row.againstFineTuned));
      }
    }
    for (const v of report.variants ?? [])
      expect(html).toContain(rows.find((r) => r.key === v.variant.name)?.corrected);
  });

  it('exports the table as CSV in fractions, with blanks where a row has no test', () => {
    const records = csvRecords(ablationCsv(report) ?? '');
    expect(records).toHaveLength(7);
    expect(records[0]?.[0]).toBe('units');
    expect(records[0]).toHaveLength(18);
    const own = records[1] ?? [];
    // The validation column is blank: these figures carry no training histories.
    expect(own.slice(0, 5)).toEqual([
      'the study’s own (after the activation, oracle ranking)',
      '',
      'conv1: 16',
      '',
      '0.821111',
    ]);
    expect(own.slice(7, 12)).toEqual(['', '', '', '', '']);
    expect(own.slice(12, 18)).toEqual([
      '0.0188889',
      '-0.0211111',
      '0.0633333',
      '0.380562',
      'no significant difference',
      '13472',
    ]);
    const wider = records[3] ?? [];
    expect(wider.slice(0, 3)).toEqual([
      'layers conv1, conv2, conv3, conv4',
      'layers-conv1-conv2-conv3-conv4',
      'conv1: 16, conv2: 16, conv3: 32, conv4: 32',
    ]);
    expect(Number(wider[5])).toBeCloseTo(0.79054, 4);
    expect(Number(wider[7])).toBeCloseTo(0.011111, 6);
  });

  it('gives the validation mean at each seed’s kept epoch, averaged, where the trainings are recorded', () => {
    const epoch = (n: number, valMean: number) => ({
      epoch: n,
      loss: 1,
      accuracy: 0.5,
      valAccuracy: [valMean],
      valMean,
      learningRate: 0.001,
      seconds: 1,
      imagesPerSecond: 100,
    });
    const training = (best: number, values: number[]) => ({
      history: values.map((v, i) => epoch(i + 1, v)),
      bestEpoch: best,
      trainImages: 120,
      valImages: 30,
      replicas: 1,
      optimizer: 'adam, lr 0.001',
      seconds: 2,
    });
    const [first, ...rest] = report.variants ?? [];
    if (first === undefined) throw new Error('the report has variants');
    const seeds = [2, 3, 4].map((seed, i) => ({
      seed,
      top1: first.model.top1,
      meanWithClean: first.model.meanWithClean,
      meanLevels: first.model.meanLevels,
      training: training(i === 0 ? 2 : 1, i === 0 ? [0.7, 0.8, 0.75] : [0.9, 0.6]),
    }));
    const withTraining: StudyReport = {
      ...report,
      variants: [{ ...first, model: { ...first.model, seeds } }, ...rest],
    };
    const row = ablationRows(withTraining).find((r) => r.key === first.variant.name);
    // Seed 2 kept epoch 2 (0.8), the other seeds epoch 1 (0.9).
    expect(row?.validationMean).toBeCloseTo((0.8 + 0.9 + 0.9) / 3, 12);
    expect(ablationRows(report).find((r) => r.key === first.variant.name)?.validationMean).toBeUndefined();
  });

  it('words the note for the seeds the study ran', () => {
    expect(ablationNote(report)).toContain('in every seed (2, 3, 4)');
    expect(ablationNote(report)).toContain('the same 100 images');
    expect(ablationNote(report)).toContain('paired bootstraps over seeds and images');
    const oneSeed: StudyReport = { ...report, config: { ...report.config, seeds: [2] } };
    expect(ablationNote(oneSeed)).toContain('paired bootstraps over images');
  });

  it('has no rows for a study without variants, and dashes where a variant kept no per-image results', () => {
    const { variants: _dropped, ...plain } = report;
    expect(ablationRows(plain)).toEqual([]);
    expect(ablationCsv(plain)).toBeUndefined();
    const first = report.variants?.[0];
    if (first === undefined) throw new Error('the report has variants');
    const { againstDeepCorrect: _a, againstFineTuned: _f, ...bare } = first;
    const { comparison: _c, ...older } = report;
    const [own, only] = ablationRows({ ...older, variants: [bare] });
    expect(own?.againstFineTuned).toBeUndefined();
    expect(only?.againstOwn).toBeUndefined();
    expect(differenceText(only?.againstFineTuned)).toBe('—');
    const oneSeed = {
      ...bare,
      model: { ...bare.model, meanWithCleanSummary: { n: 1, mean: 0.8, sd: null, interval: null } },
    };
    const [, unsure] = ablationRows({ ...report, variants: [oneSeed] });
    expect(unsure?.meanWithClean).toBe(0.8);
    expect(unsure === undefined ? 'missing' : meanIntervalText(unsure)).toBe('');
  });
});
