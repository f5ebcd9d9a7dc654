import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderStudyHtml } from '../../electron/engine/study/report-html.ts';
import { comparePaired } from '../../electron/engine/study/statistics.ts';
import { summarize } from '../../shared/stats/summary.ts';
import { ROLE_LABELS } from '../../shared/charts/accuracy-chart.ts';
import { renderChartSvg } from '../../shared/charts/render-svg.ts';
import { epochChartOption } from '../../shared/charts/training-curves-chart.ts';
import {
  PAPER_CIFAR100,
  STUDY_REPORT_VERSION,
  type StudyEpoch,
  type StudyModelResult,
  type StudyRankedLayer,
  type StudyReport,
} from '../../shared/study.ts';

const XSS_CLASS = '<img src=x onerror=alert(1)>';
const ODD_PATH = `/data/fashion&"'mnist`;
const LEVELS = [0.5, 1, 1.5, 2, 2.5, 3];

/** mulberry32: the fixture's numbers must be the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const avg = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));

function model(
  role: StudyModelResult['role'],
  label: string,
  top1: number[],
  trainable: number,
  rand: () => number,
): StudyModelResult {
  return {
    role,
    label,
    path: role === 'baseline' ? '/data/models/cnn4' : `${role}/model`,
    trainableParameters: trainable,
    parameters: 467_818 + (role === 'deepcorrect' ? trainable : 0),
    top1,
    top5: top1.map((v) => clamp01(v + 0.08)),
    perClass: top1.map((v) =>
      Array.from({ length: 10 }, () => Math.round(clamp01(v + (rand() - 0.5) * 0.2) * 200) / 200),
    ),
    meanWithClean: avg(top1),
    meanLevels: avg(top1.slice(1)),
  };
}

function history(start: number, rand: () => number): StudyEpoch[] {
  return [1, 2, 3].map((epoch) => {
    const valAccuracy = [0.9, ...LEVELS.map((l) => clamp01(start + epoch * 0.02 - l * 0.04 + rand() * 0.01))];
    return {
      epoch,
      loss: 0.9 / epoch + rand() * 0.05,
      accuracy: 0.7 + epoch * 0.05,
      valAccuracy,
      valMean: avg(valAccuracy),
      learningRate: 0.01,
      seconds: 95 + rand() * 10,
      imagesPerSecond: 2100 + rand() * 200,
    };
  });
}

function rankedLayer(
  layer: string,
  filters: number,
  rand: () => number,
  spearman?: number,
): StudyRankedLayer {
  const tau = Array.from({ length: filters }, () => Math.round((rand() * 0.3 - 0.02) * 1e4) / 1e4);
  const proxy = tau.map((t) => Math.round((t * 2 + rand() * 0.2) * 1e4) / 1e4);
  const order = tau.map((_, i) => i).sort((a, b) => (tau[b] ?? 0) - (tau[a] ?? 0));
  return {
    layer,
    filters,
    order,
    tau,
    proxy,
    ...(spearman === undefined ? {} : { spearman }),
    corrected: order.slice(0, filters / 2),
    seconds: 21.5,
  };
}

function fixture(): StudyReport {
  const rand = prng(7);
  const baseline = model(
    'baseline',
    'Baseline',
    [0.9125, 0.883, 0.765, 0.592, 0.4385, 0.331, 0.2605],
    0,
    rand,
  );
  const fineTuned = model(
    'fine-tuned',
    'Fine-tuned',
    [0.901, 0.8955, 0.879, 0.8525, 0.821, 0.7865, 0.748],
    467_818,
    rand,
  );
  const deepCorrect = model(
    'deepcorrect',
    'DeepCorrect',
    [0.912, 0.904, 0.8865, 0.859, 0.824, 0.787, 0.7455],
    18_752,
    rand,
  );
  // A class without test images at the highest level: NaN in memory, null in JSON.
  const hardest = deepCorrect.perClass[6];
  if (hardest) hardest[3] = null;
  const bestOf = (h: StudyEpoch[]): number => h.reduce((a, b) => (b.valMean > a.valMean ? b : a)).epoch;
  const ftHistory = history(0.8, rand);
  const dcHistory = history(0.81, rand);
  fineTuned.training = {
    history: ftHistory,
    bestEpoch: bestOf(ftHistory),
    trainImages: 10_000,
    valImages: 1_000,
    replicas: 2,
    optimizer: 'sgd lr 0.01 nesterov momentum 0.9',
    seconds: 301.2,
  };
  deepCorrect.training = {
    ...fineTuned.training,
    history: dcHistory,
    bestEpoch: bestOf(dcHistory),
    seconds: 276.4,
  };
  return {
    version: STUDY_REPORT_VERSION,
    createdAt: '2025-03-14T09:26:53.589Z',
    command: `deepcorrect study --model /data/models/cnn4 --dataset '${ODD_PATH}' --levels paper-cifar </script><script>alert(1)</script>`,
    backend: 'tensorflow',
    device: 'CPU, 16 threads',
    config: {
      model: '/data/models/cnn4',
      dataset: ODD_PATH,
      kind: 'blur',
      levelsName: 'paper-cifar',
      levels: LEVELS,
      seed: 1,
      epochs: 3,
      batchSize: 64,
      layers: ['conv2d_1', 'conv2d_2'],
      beta: 0.5,
      rankMethod: 'both',
      rankPerClass: 20,
      fineTuneLayers: 'all',
      unitOptimizer: 'sgd lr 0.01 nesterov momentum 0.9',
      fineTuneOptimizer: 'sgd lr 0.01 nesterov momentum 0.9',
      trainPerClass: 1000,
      testSplit: 'test',
    },
    distortionLabel: 'Gaussian blur',
    parameter: 'sigma (px)',
    classes: [
      'T-shirt/top',
      'Trouser',
      'Pullover',
      XSS_CLASS,
      'Coat',
      'Sandal',
      'Shirt',
      'Sneaker',
      'Bag',
      'Ankle boot',
    ],
    testImages: 2000,
    models: [baseline, fineTuned, deepCorrect],
    ranking: {
      method: 'both',
      split: 'train',
      rankingImages: 200,
      layers: [rankedLayer('conv2d_1', 32, rand, 0.6123), rankedLayer('conv2d_2', 64, rand)],
      seconds: 43,
    },
    paper: PAPER_CIFAR100.blur,
    timings: [
      { stage: 'load', seconds: 1.2 },
      { stage: 'rank', seconds: 43 },
      { stage: 'fine-tune', seconds: 301.2 },
      { stage: 'units', seconds: 276.4 },
      { stage: 'evaluate', seconds: 61.7 },
    ],
    totalSeconds: 684.9,
  };
}

const JSON_BLOCK = /<script type="application\/json" id="deepcorrect-report">([\s\S]*?)<\/script>/;
/** The page without its JSON block: what a reader sees. */
const visible = (html: string): string => html.replace(JSON_BLOCK, '');
const section = (html: string, id: string): string =>
  new RegExp(`<section id="${id}">([\\s\\S]*?)</section>`).exec(html)?.[1] ?? '';
const pct = (v: number): string => `${(v * 100).toFixed(2)}%`;

interface Plot {
  /** Every text: axis names and labels, legend entries. */
  texts: string[];
  legend: string[];
  /** Per series, its points' values by data index, read back through the y axis' tick labels. */
  series: number[][];
}

/** What the first chart of a fragment shows, as ECharts' SVG renderer draws it. */
function plotted(fragment: string): Plot {
  const svg = /<svg[\s\S]*?<\/svg>/.exec(fragment)?.[0] ?? '';
  const texts = [...svg.matchAll(/<text ([^>]*)>([^<]*)<\/text>/g)].map(([, attrs = '', text = '']) => ({
    attrs,
    text,
  }));
  // The value axis' labels are the right-aligned ones; each sits at its value's height.
  const ticks = texts
    .filter((t) => t.attrs.includes('text-anchor="end"'))
    .map((t) => [Number(t.text), Number(/translate\([\d.]+ ([\d.]+)\)/.exec(t.attrs)?.[1])] as const);
  const [v0, y0] = ticks[0] ?? [0, 0];
  const [v1, y1] = ticks.at(-1) ?? [1, 1];
  const series: number[][] = [];
  const points = /matrix\([^)]*,([\d.]+)\)"[^>]*ecmeta_series_index="(\d+)" ecmeta_data_index="(\d+)"/g;
  for (const [, y, s, i] of svg.matchAll(points))
    (series[Number(s)] ??= [])[Number(i)] = v0 + ((Number(y) - y0) / (y1 - y0)) * (v1 - v0);
  return {
    texts: texts.map((t) => t.text),
    legend: texts.filter((t) => t.attrs.includes('text-anchor="start"')).map((t) => t.text),
    series,
  };
}

/** Plotted values equal the report's to within half a pixel of the chart's height. */
function expectValues(plotted: readonly number[] | undefined, values: readonly number[]): void {
  expect(plotted).toHaveLength(values.length);
  values.forEach((v, i) => expect(plotted?.[i]).toBeCloseTo(v, 2));
}

describe('study report HTML', () => {
  const report = fixture();
  const html = renderStudyHtml(report);
  // A reviewer's copy to open in a browser; never part of the repository.
  if (process.env.STUDY_SAMPLE_HTML) writeFileSync(process.env.STUDY_SAMPLE_HTML, html);

  it('shows each model mean over clean + levels in the summary table, and the paper row', () => {
    const summary = /<table class="summary">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
    for (const m of report.models) {
      const row = new RegExp(`<th scope="row">${m.label}</th>(.*?)</tr>`).exec(summary)?.[1] ?? '';
      const cells = [...row.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((c) => c[1]);
      expect(cells[0]).toBe(pct(m.meanWithClean));
      expect(cells[1]).toBe(pct(m.meanLevels));
      expect(cells[2]).toBe(pct(m.top1[0] ?? Number.NaN));
    }
    // No winner is highlighted: whether a difference is real is the paired tests' to say.
    expect(summary).not.toContain('best');
    expect(section(html, 'summary')).toContain('One seed (');
    expect(summary).toContain('18,752<span class="sub">4.01% of fine-tuning&#39;s</span>');
    const paper = /<table class="paper">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
    expect(paper).toContain('CIFAR-100');
    for (const v of [0.7028, 0.2502, 0.5727, 0.6023]) expect(paper).toContain(`>${pct(v)}<`);
  });

  it('plots the report top-1 values per model over the levels, and the training curves', () => {
    const levels = plotted(section(html, 'levels'));
    expect(levels.legend).toEqual(report.models.map((m) => ROLE_LABELS[m.role]));
    expect(levels.texts).toEqual(expect.arrayContaining(['clean', ...LEVELS.map(String), report.parameter]));
    report.models.forEach((m, i) => expectValues(levels.series[i], m.top1));
    const trained = report.models.filter((x) => x.training);
    const curves = plotted(section(html, 'training'));
    expect(curves.legend).toEqual(
      trained.map((m) => `${ROLE_LABELS[m.role]} (best epoch ${m.training?.bestEpoch})`),
    );
    trained.forEach((m, i) =>
      expectValues(curves.series[i], m.training?.history.map((e) => e.valMean) ?? []),
    );
  });

  it('escapes every string from the report', () => {
    const page = visible(html);
    expect(html).not.toContain('<img');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).not.toContain(ODD_PATH);
    expect(page).toContain('/data/fashion&amp;&quot;&#39;mnist');
    expect(page).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('loads nothing from outside and runs no script', () => {
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/https?:\/\//i);
    expect([...html.matchAll(/<script\b[^>]*>/gi)].map((m) => m[0])).toEqual([
      '<script type="application/json" id="deepcorrect-report">',
    ]);
  });

  it('draws the same page for the same report, each chart with its own element ids', () => {
    expect(renderStudyHtml(report)).toBe(html);
    const ids = [...html.matchAll(/ id="([^"]*)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('embeds the report JSON, which parses back to the report', () => {
    const text = JSON_BLOCK.exec(html)?.[1] ?? '';
    expect(text).not.toContain('<');
    expect(JSON.parse(text)).toEqual(report);
  });

  it('prints a dash, never NaN, for missing values', () => {
    const page = visible(html);
    expect(page).not.toContain('NaN');
    expect(page).toContain('Spearman correlation of tau and proxy: 0.612');
    expect(page).toContain('Spearman correlation of tau and proxy: —');
    const row = new RegExp(`<th scope="row">&lt;img[^<]*</th>(.*?)</tr>`).exec(section(html, 'classes'))?.[1];
    expect(row?.match(/<td[^>]*>([^<]*)<\/td>/g)?.at(-1)).toBe('<td class="num">—</td>');

    const withNaN = fixture();
    const cell = withNaN.models[0]?.perClass[6];
    if (cell) cell[0] = Number.NaN;
    withNaN.models.forEach((m) => (m.meanLevels = Number.NaN));
    expect(visible(renderStudyHtml(withNaN))).not.toContain('NaN');
  });

  it('leaves out the paper and training sections when the report has neither', () => {
    const bare = fixture();
    delete bare.paper;
    delete bare.command;
    for (const m of bare.models) delete m.training;
    const page = renderStudyHtml(bare);
    expect(page).not.toContain('id="training"');
    expect(page).not.toContain('href="#training"');
    expect(page).not.toContain('class="paper"');
    expect(page).not.toContain('<dt>Command</dt>');
    expect(page).toContain('id="ranking"');
    expectValues(plotted(section(page, 'levels')).series[2], bare.models[2]?.top1 ?? []);
  });
});

describe('report charts', () => {
  it('break a line at missing values, keep every other value, and escape their text', () => {
    const gap = fixture();
    gap.parameter = 'x & <y>';
    const top1 = gap.models[0]?.top1 ?? [];
    top1[2] = Number.NaN;
    const chart = section(renderStudyHtml(gap), 'levels');
    const line = /<g clip-path="[^"]*">\s*<path d="([^"]*)"/.exec(chart)?.[1] ?? '';
    expect(line.match(/M/g)).toHaveLength(2);
    const points = plotted(chart).series[0] ?? [];
    expect(Object.keys(points).map(Number)).toEqual([0, 1, 3, 4, 5, 6]);
    for (const i of [0, 1, 3, 4, 5, 6]) expect(points[i]).toBeCloseTo(top1[i] ?? Number.NaN, 2);
    expect(chart).toContain('>x &amp; &lt;y&gt;</text>');
  });

  it('draw one bar per filter in ranking order, negative ones included, the corrected ones solid', () => {
    const report = fixture();
    const layer = report.ranking.layers[0];
    const tau = layer?.tau ?? [];
    const chart = /<article class="layer">[\s\S]*?<\/article>/.exec(renderStudyHtml(report))?.[0] ?? '';
    const bars = [...chart.matchAll(/<path d="M[\d.]+ [\d.]+l[\d.]+ 0l0 (-?[\d.]+)[^"]*" fill="([^"]*)"/g)];
    expect(bars).toHaveLength(layer?.filters ?? 0);
    expect(tau.some((t) => t < 0)).toBe(true);
    // SVG's y grows downwards: a bar drawn down from the axis is a negative score.
    expect(bars.map((b) => Number(b[1]) > 0)).toEqual(layer?.order.map((f) => (tau[f] ?? 0) < 0));
    expect(bars.filter((b) => b[2] === 'var(--series-1)')).toHaveLength(layer?.corrected.length ?? -1);
  });

  it('give a handful of ticks for values equal up to float rounding', () => {
    // Two validation means of the same counts, summed in a different order (a real one-epoch study).
    const points: [number, number][] = [
      [1, 0.7666666666666666],
      [2, 0.7666666666666667],
    ];
    const theme = { axis: '#000', grid: '#ccc', series: ['#00f'] };
    const svg = renderChartSvg(
      epochChartOption([{ name: 'a', colour: 0, points }], { name: 'v' }, theme),
      400,
      300,
    );
    const ticks = [...svg.matchAll(/text-anchor="end"[^>]*>([^<]*)</g)].map((m) => Number(m[1]));
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks.length).toBeLessThanOrEqual(8);
    expect(ticks[0]).toBeLessThan(0.7666);
    expect(ticks.at(-1)).toBeGreaterThan(0.7667);
  });

  describe('of a study over several seeds', () => {
    const rand = prng(9);
    const seeds = [4, 5, 6];
    const images = 200;
    const conditions = 1 + LEVELS.length;
    const answers = (p: number): Uint8Array[] =>
      Array.from({ length: conditions }, () =>
        Uint8Array.from({ length: images }, () => (rand() < p ? 1 : 0)),
      );
    const base = fixture();
    const perSeed = base.models.map((m) =>
      seeds.map(() => m.top1.map((v) => clamp01(v + (rand() - 0.5) * 0.02))),
    );
    const multi: StudyReport = {
      ...base,
      config: { ...base.config, seed: 4, seeds },
      testImages: images,
      models: base.models.map((m, i) => {
        const runs = perSeed[i] as number[][];
        return {
          ...m,
          ...(m.training
            ? {
                training: {
                  ...m.training,
                  stop: { reason: 'early stop' as const, epoch: 3, epochs: 30, patience: 2, bestEpoch: 1 },
                  tuning: {
                    learningRate: 0.01,
                    candidates: [
                      { learningRate: 0.003, bestValMean: 0.81, bestEpoch: 3 },
                      { learningRate: 0.01, bestValMean: 0.83, bestEpoch: 1 },
                    ],
                  },
                },
              }
            : {}),
          top1: m.top1.map((_, k) => avg(runs.map((r) => r[k] as number))),
          seeds: runs.map((top1, j) => ({
            seed: seeds[j] as number,
            top1,
            meanWithClean: avg(top1),
            meanLevels: avg(top1.slice(1)),
          })),
          top1Summary: m.top1.map((_, k) => summarize(runs.map((r) => r[k] as number))),
          meanWithCleanSummary: summarize(runs.map(avg)),
          meanLevelsSummary: summarize(runs.map((r) => avg(r.slice(1)))),
        };
      }),
      comparison: comparePaired(
        { first: 'deepcorrect', second: 'fine-tuned' },
        seeds.map((seed) => ({ seed, images: undefined, conditions: answers(0.7) })),
        seeds.map((seed) => ({ seed, images: undefined, conditions: answers(0.6) })),
        ['clean', ...LEVELS.map(String)],
        4,
      ),
    };
    const page = renderStudyHtml(multi);

    it('gives each accuracy its 95% interval over seeds and names the seeds', () => {
      const summary = section(page, 'summary');
      expect(summary).toContain('3 seeds (4, 5, 6)');
      for (const m of multi.models) {
        const i = m.meanWithCleanSummary?.interval;
        expect(summary).toContain(`<span class="sub">${pct(i?.low ?? 0)} to ${pct(i?.high ?? 0)}</span>`);
      }
      expect(visible(page)).toContain('<dt>Seeds</dt><dd>4, 5, 6</dd>');
    });

    it('states the paired difference with its interval, p and the verdict the interval allows', () => {
      const c = multi.comparison;
      const text = section(page, 'comparison');
      expect(c?.meanWithClean.outcome).toBe('better');
      expect(text).toContain(c?.meanWithClean.text.replace('<', '&lt;') ?? '?');
      for (const s of seeds) expect(text).toContain(`McNemar, seed ${s}`);
      // One row for the mean, one per condition.
      expect([...text.matchAll(/<th scope="row">/g)]).toHaveLength(1 + conditions);
      expect(text.match(/>(better|worse|no significant difference)</g)).toHaveLength(1 + conditions);
    });

    it('says why each training stopped and which learning rate tuning kept', () => {
      const text = section(page, 'training');
      expect(text).toContain('early stop at epoch 3 of 30 (patience 2, best epoch 1)');
      expect(text).toContain('(tuned: 0.003: 81.00%, 0.01: 83.00% (kept))');
    });

    it('draws each model with its interval band and keeps the legend to the models', () => {
      const levels = plotted(section(page, 'levels'));
      expect(levels.legend).toEqual(multi.models.map((m) => ROLE_LABELS[m.role]));
      // The bands are filled areas in the models' colours, faint.
      const svg = /<svg[\s\S]*?<\/svg>/.exec(section(page, 'levels'))?.[0] ?? '';
      expect([...svg.matchAll(/fill-opacity="0\.16"/g)].length).toBe(3);
      expect(section(page, 'levels')).toContain('shaded: 95% interval');
    });
  });

  it('says so when a study kept no per-image results', () => {
    expect(section(renderStudyHtml(fixture()), 'comparison')).toContain('kept no per-image results');
  });
});
