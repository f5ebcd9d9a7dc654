/** The sections of report.html, one function each, in page order. */
import {
  recoveredShare,
  studySeeds,
  type StudyModelResult,
  type StudyRankedLayer,
  type StudyReport,
  type StudyTraining,
  type StudyTuning,
} from '../../../shared/study.ts';
import { describeStop } from '../../../shared/training.ts';
import {
  DASH,
  escapeXml as esc,
  figure,
  formatInt,
  formatLevel,
  formatNumber,
  formatPercent,
  formatSeconds,
  formatTime,
  maxOf,
  mean,
  num,
  ok,
  rowHead,
  table,
  td,
  th,
} from './report-format.ts';
import { accuracyCell, seedsNote } from './report-comparison.ts';
import { accuracyChartOption } from '../../../shared/charts/accuracy-chart.ts';
import type { ChartOption, ChartTheme } from '../../../shared/charts/chart-style.ts';
import { rankingChartOption, rankingScores } from '../../../shared/charts/ranking-chart.ts';
import { renderChartSvg } from '../../../shared/charts/render-svg.ts';
import {
  epochChartOption,
  studyEpochSeries,
  studyValidationOption,
} from '../../../shared/charts/training-curves-chart.ts';

/** The page's colour variables (report-css.ts), so its light, dark and print themes restyle the charts. */
const THEME: ChartTheme = {
  axis: 'var(--muted)',
  grid: 'var(--grid)',
  series: ['var(--series-1)', 'var(--series-2)', 'var(--series-3)'],
};

/**
 * A chart inline in the page, where HTML gives SVG its namespace (the declarations' URLs are left out). Without
 * a DOM to measure text, ECharts lays labels out with Arial's widths: the text asks for Arial's metrics too.
 */
const inlineChart = (option: ChartOption, width: number, height: number, id: string): string =>
  renderChartSvg(
    { ...option, textStyle: { fontFamily: "Arial, Helvetica, 'Liberation Sans', sans-serif" } },
    width,
    height,
    id,
  ).replace(/ xmlns(?::xlink)?="[^"]*"/g, '');

/** The grid a method's learning rate was chosen from on validation data, when tuned. */
const tuned = (grid: readonly number[] | undefined): string =>
  grid === undefined ? '' : ` (learning rate tuned on validation over ${grid.join(', ')})`;

export function header(r: StudyReport): string {
  const c = r.config;
  const levels = `${c.levelsName}: ${c.levels.map(formatLevel).join(', ')} (${r.parameter})`;
  const subset = c.trainPerClass ? `, training on ${formatInt(c.trainPerClass)} images per class` : '';
  const items: [string, string][] = [
    ['Model', c.model],
    ['Dataset', `${c.dataset} (test split ${c.testSplit}, ${formatInt(r.testImages)} test images${subset})`],
    ['Levels', levels],
    [studySeeds(c).length === 1 ? 'Seed' : 'Seeds', studySeeds(c).join(', ')],
    ['Epochs', `${c.epochs} (batch size ${c.batchSize})`],
    [
      'Corrected layers',
      `${c.layers.join(', ') || DASH} (top ${formatPercent(c.beta, 0)} of each layer's filters)`,
    ],
    [
      'Ranking',
      `${c.rankMethod}${c.rankTau === 'signed' ? ' (signed tau)' : ''}, ` +
        (c.rankPerClass === undefined
          ? `${formatInt(c.rankImages ?? r.ranking.rankingImages)} training images`
          : `${formatInt(c.rankPerClass)} images per class`) +
        (c.ranking === undefined ? '' : `; given (${c.ranking.file}), the same in every seed`),
    ],
    ['Fine-tuning', `layers ${c.fineTuneLayers}; ${c.fineTuneOptimizer}${tuned(c.tune?.fineTune)}`],
    [
      'Unit training',
      `${c.unitOptimizer}${tuned(c.tune?.units)}; units ${c.placement === 'pre-activation' ? 'before' : 'after'} the activation`,
    ],
    ...(c.patience === undefined
      ? []
      : ([
          [
            'Budget',
            `at most ${c.epochs} epochs, early stop after ${c.patience} without a better validation mean`,
          ],
        ] as [string, string][])),
    ['Backend / device', `${r.backend} / ${r.device}`],
    ['Created', formatTime(r.createdAt)],
    ['Total time', formatSeconds(r.totalSeconds)],
  ];
  const dl = items.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('');
  const command = r.command ? `<dt>Command</dt><dd><pre><code>${esc(r.command)}</code></pre></dd>` : '';
  return (
    `<header><h1>DeepCorrect study: ${esc(r.distortionLabel)}</h1>` +
    `<p class="lede">Baseline, fine-tuning and DeepCorrect correction units under ${esc(r.distortionLabel)}, ` +
    `top-1 accuracy on ${formatInt(r.testImages)} test images, ${r.classes.length} classes.</p>` +
    `<dl class="meta">${dl}${command}</dl></header>`
  );
}

function findRole(r: StudyReport, role: StudyModelResult['role']): StudyModelResult | undefined {
  return r.models.find((m) => m.role === role);
}

export function summary(r: StudyReport): string {
  const base = findRole(r, 'baseline') ?? r.models[0];
  const ft = findRole(r, 'fine-tuned');
  const baseMean = base?.meanWithClean ?? Number.NaN;
  const baseClean = base?.top1[0] ?? Number.NaN;
  const head =
    '<tr>' +
    th('Model', ' scope="col"') +
    th('Mean top-1, clean + levels', ' class="num" scope="col"') +
    th('Mean top-1, levels', ' class="num" scope="col"') +
    th('Clean top-1', ' class="num" scope="col"') +
    th('Trainable parameters', ' class="num" scope="col"') +
    th('Total parameters', ' class="num" scope="col"') +
    th('Lost accuracy recovered', ' class="num" scope="col"') +
    '</tr>';
  const rows = r.models.map((m) => {
    const share = ft && ft.trainableParameters > 0 && m.role === 'deepcorrect';
    const trainable = share
      ? `<td class="num">${esc(formatInt(m.trainableParameters))}<span class="sub">${esc(
          `${formatPercent(m.trainableParameters / ft.trainableParameters)} of fine-tuning's`,
        )}</span></td>`
      : num(formatInt(m.trainableParameters));
    const recovered =
      m === base ? 'reference' : formatPercent(recoveredShare(m.meanWithClean, baseMean, baseClean));
    return (
      rowHead(m.label) +
      accuracyCell(m.meanWithClean, m.meanWithCleanSummary) +
      accuracyCell(m.meanLevels, m.meanLevelsSummary) +
      accuracyCell(m.top1[0], m.top1Summary?.[0]) +
      trainable +
      num(formatInt(m.parameters)) +
      td(recovered, m === base ? 'num muted' : 'num')
    );
  });
  const note = `${seedsNote(r)} Recovered: (model mean - baseline mean) / (baseline clean - baseline mean), over clean + levels. Whether a difference is real: see "DeepCorrect against fine-tuning".`;
  return (
    `<section id="summary"><h2>Summary</h2>` +
    table(head, rows, 'Top-1 accuracy on the test split', 'summary') +
    `<p class="note">${esc(note)}</p>${paperTable(r)}</section>`
  );
}

function paperTable(r: StudyReport): string {
  const p = r.paper;
  if (!p) return '';
  const head =
    '<tr>' +
    [
      'Source',
      'Clean baseline',
      'Baseline mean',
      'Fine-tuned mean',
      'DeepCorrect mean',
      'DeepCorrect recovered',
    ]
      .map((h, i) => th(h, i ? ' class="num" scope="col"' : ' scope="col"'))
      .join('') +
    '</tr>';
  const row = (label: string, clean: number, b: number, f: number, d: number): string =>
    rowHead(label) +
    [clean, b, f, d].map((v) => num(formatPercent(v))).join('') +
    num(formatPercent(recoveredShare(d, b, clean)));
  const rows = [
    row(`Paper: ${p.dataset} (Borkar and Karam)`, p.cleanBaseline, p.baseline, p.fineTuned, p.deepCorrect),
  ];
  const [b, f, d] = [findRole(r, 'baseline'), findRole(r, 'fine-tuned'), findRole(r, 'deepcorrect')];
  if (b && f && d)
    rows.push(row('This study', b.top1[0] ?? Number.NaN, b.meanWithClean, f.meanWithClean, d.meanWithClean));
  return (
    `<h3>The paper's figures</h3>` +
    table(
      head,
      rows,
      `The authors' published ${p.dataset} results for this distortion (mean top-1 over clean + 6 levels), not measured by this study`,
      'paper',
    )
  );
}

export function perLevel(r: StudyReport): string {
  const levels = r.config.levels;
  const labels = ['clean', ...levels.map(formatLevel)];
  const head =
    `<tr>${th('Model', ' rowspan="2" scope="col"')}${th('clean', ' rowspan="2" class="num" scope="col"')}` +
    `${th(r.parameter, ` colspan="${levels.length}" class="group" scope="colgroup"`)}</tr>` +
    `<tr>${levels.map((l) => th(formatLevel(l), ' class="num" scope="col"')).join('')}</tr>`;
  const rows = r.models.map(
    (m) => rowHead(m.label) + labels.map((_, i) => accuracyCell(m.top1[i], m.top1Summary?.[i])).join(''),
  );
  const chart = inlineChart(accuracyChartOption(r, THEME), 900, 380, 'levels');
  return (
    `<section id="levels"><h2>Accuracy per level</h2>` +
    table(head, rows, `Top-1 accuracy, clean and at each level of ${r.distortionLabel}`) +
    figure(
      chart,
      `Top-1 accuracy versus ${r.parameter}${studySeeds(r.config).length > 1 ? ', mean over seeds; shaded: 95% interval' : ''}; the exact values are in the table above.`,
    ) +
    `</section>`
  );
}

type Trained = StudyModelResult & { training: StudyTraining };

/** Each learning rate tried and its best validation mean, the kept one marked. */
const tuningText = (t: StudyTuning): string =>
  t.candidates
    .map(
      (c) =>
        `${c.learningRate}: ${formatPercent(c.bestValMean)}${c.learningRate === t.learningRate ? ' (kept)' : ''}`,
    )
    .join(', ');

export function trainingSection(r: StudyReport): string {
  const trained = r.models.filter((m): m is Trained => m.training !== undefined);
  if (!trained.length) return '';
  const val = inlineChart(studyValidationOption(r, THEME), 560, 300, 'validation');
  const losses = studyEpochSeries(r, (e) => e.loss);
  const loss = inlineChart(
    epochChartOption(losses, { name: 'training loss', min: 0 }, THEME),
    560,
    300,
    'loss',
  );
  const head =
    '<tr>' +
    th('Model', ' scope="col"') +
    ['Best epoch', 'Best val. mean', 'Train images', 'Val. images', 'Images/s', 'Time']
      .map((h) => th(h, ' class="num" scope="col"'))
      .join('') +
    th('Optimizer', ' scope="col"') +
    th('Replicas', ' class="num" scope="col"') +
    th('Stopped', ' scope="col"') +
    '</tr>';
  const rows = trained.map((m) => {
    const t = m.training;
    const best = t.history.find((e) => e.epoch === t.bestEpoch);
    return (
      rowHead(m.label) +
      num(String(t.bestEpoch)) +
      num(formatPercent(best?.valMean)) +
      num(formatInt(t.trainImages)) +
      num(formatInt(t.valImages)) +
      num(formatInt(mean(t.history.map((e) => e.imagesPerSecond)))) +
      num(formatSeconds(t.seconds)) +
      td(t.tuning ? `${t.optimizer} (tuned: ${tuningText(t.tuning)})` : t.optimizer) +
      num(formatInt(t.replicas)) +
      td(t.stop ? describeStop(t.stop) : DASH)
    );
  });
  return (
    `<section id="training"><h2>Training</h2><div class="chart-row">` +
    figure(val, 'Validation top-1, mean over clean + levels, after each epoch.') +
    figure(loss, 'Training loss, mean over the epoch.') +
    `</div>${table(head, rows, 'Training runs (images/s: mean over epochs)')}</section>`
  );
}

function rankedLayer(l: StudyRankedLayer, index: number): string {
  const scores = rankingScores(l);
  const corrected = new Set(l.corrected);
  const chart = scores
    ? figure(
        inlineChart(rankingChartOption(l, scores, THEME), 900, 260, `ranking-${index}`),
        `${l.layer}: each filter's ${scores.name}, in ranking order; solid bars: the corrected filters.`,
      )
    : `<p class="note">No scores recorded for this layer.</p>`;
  const head =
    '<tr>' +
    ['Rank', 'Filter', 'tau', 'proxy'].map((h) => th(h, ' class="num" scope="col"')).join('') +
    th('Corrected', ' scope="col"') +
    '</tr>';
  const rows = l.order
    .slice(0, 10)
    .map(
      (f, i) =>
        num(String(i + 1)) +
        num(String(f)) +
        num(formatNumber(l.tau?.[f], 4)) +
        num(formatNumber(l.proxy?.[f], 4)) +
        td(corrected.has(f) ? 'yes' : 'no'),
    );
  const list = l.corrected.length
    ? `<p class="filters"><strong>Corrected filters (${l.corrected.length}):</strong> ${esc(l.corrected.join(', '))}</p>`
    : `<p class="filters"><strong>Corrected filters:</strong> none (this layer was not corrected)</p>`;
  return (
    `<article class="layer"><h3>${esc(l.layer)}</h3>` +
    `<p class="facts">${formatInt(l.filters)} filters · ${l.corrected.length} corrected · ` +
    `Spearman correlation of tau and proxy: ${esc(formatNumber(l.spearman, 3))} · ${esc(formatSeconds(l.seconds))}</p>` +
    chart +
    list +
    table(head, rows, `${l.layer}: top 10 filters`, 'compact') +
    `</article>`
  );
}

export function ranking(r: StudyReport): string {
  const k = r.ranking;
  return (
    `<section id="ranking"><h2>Filter ranking</h2>` +
    `<p class="facts">Method ${esc(k.method)} · split ${esc(k.split)} · ${formatInt(k.rankingImages)} ranking images · ` +
    `${esc(formatSeconds(k.seconds))}</p>` +
    k.layers.map(rankedLayer).join('') +
    `</section>`
  );
}

export function perClass(r: StudyReport): string {
  const levels = r.config.levels;
  // The hardest condition is the largest level for every distortion the workbench ranks by severity.
  const top = levels.length ? levels.indexOf(Math.max(...levels)) : -1;
  const cond = top + 1;
  const where = top >= 0 ? `${r.parameter} = ${formatLevel(levels[top] ?? Number.NaN)}` : 'clean';
  const base = findRole(r, 'baseline');
  const head =
    '<tr>' +
    th('Class', ' scope="col"') +
    (base ? th(`${base.label}, clean`, ' class="num" scope="col"') : '') +
    r.models.map((m) => th(`${m.label}, ${where}`, ' class="num" scope="col"')).join('') +
    '</tr>';
  const rows = r.classes.map((name, k) => {
    const values = r.models.map((m) => m.perClass[cond]?.[k] ?? null);
    const best = maxOf(values.filter(ok));
    return (
      rowHead(name) +
      (base ? num(formatPercent(base.perClass[0]?.[k])) : '') +
      values.map((v) => num(formatPercent(v), v === best)).join('')
    );
  });
  return (
    `<section id="classes"><h2>Per class</h2>` +
    table(head, rows, `Top-1 accuracy per class at the highest level (${where})`, 'compact') +
    `</section>`
  );
}

export function timings(r: StudyReport): string {
  const head =
    '<tr>' +
    th('Stage', ' scope="col"') +
    th('Time', ' class="num" scope="col"') +
    th('Share', ' class="num" scope="col"') +
    '</tr>';
  const total = r.totalSeconds;
  const rows = r.timings.map(
    (t) =>
      rowHead(t.stage) +
      num(formatSeconds(t.seconds)) +
      num(formatPercent(total > 0 ? t.seconds / total : Number.NaN, 1)),
  );
  rows.push(`<th scope="row">Total</th>${num(formatSeconds(total))}${num('')}`);
  return `<section id="timings"><h2>Timings</h2>${table(head, rows, '', 'compact timings')}</section>`;
}
