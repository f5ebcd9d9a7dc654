/**
 * The study report as one self-contained HTML page (report.html): tables, SVG charts and the full report JSON,
 * with no external resources and no executable script, so researchers and reviewers can open it offline, print
 * it, or archive it next to report.json. Pure: the same report always gives the same bytes.
 *
 * Every string from the report (class names, paths, the command) may hold markup, so all of it goes through
 * escapeXml; a Content-Security-Policy forbidding scripts backs that up should an escape ever be missed.
 */
import {
  recoveredShare,
  type StudyModelResult,
  type StudyRankedLayer,
  type StudyReport,
  type StudyTraining,
} from '../../../shared/study.ts';
import { barChart, CHART_CSS, escapeXml as esc, lineChart, type LineSeries } from './svg-chart.ts';

/** What a missing value (NaN in memory, null in JSON, an absent field) prints as. */
export const DASH = '—';

const ok = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const LEVEL = new Intl.NumberFormat('en-US', { maximumFractionDigits: 4, useGrouping: false });

/** Accuracies and shares: 85.25%. */
export const formatPercent = (v: number | null | undefined, digits = 2): string =>
  ok(v) ? `${(v * 100).toFixed(digits)}%` : DASH;
export const formatInt = (v: number | null | undefined): string => (ok(v) ? INT.format(v) : DASH);
export const formatNumber = (v: number | null | undefined, digits: number): string =>
  ok(v)
    ? new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(
        v,
      )
    : DASH;
export const formatLevel = (v: number): string => LEVEL.format(v);

export function formatSeconds(v: number | null | undefined): string {
  if (!ok(v)) return DASH;
  if (v < 60) return `${v.toFixed(1)} s`;
  const s = Math.round(v);
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)} min ${pad(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${pad(Math.floor((s % 3600) / 60))} min`;
}

/** ISO times read the same in every time zone; anything unparseable is shown as given. */
function formatTime(s: string): string {
  const d = new Date(s);
  return Number.isNaN(d.getTime())
    ? s
    : d
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC');
}

const td = (text: string, cls = ''): string => `<td${cls ? ` class="${cls}"` : ''}>${esc(text)}</td>`;
const num = (text: string, best = false): string => td(text, best ? 'num best' : 'num');
const th = (text: string, attrs = ''): string => `<th${attrs}>${esc(text)}</th>`;
const rowHead = (text: string): string => `<th scope="row">${esc(text)}</th>`;

function table(head: string, rows: readonly string[], caption = '', cls = ''): string {
  const cap = caption ? `<caption>${esc(caption)}</caption>` : '';
  const body = rows.map((r) => `<tr>${r}</tr>`).join('');
  return `<div class="table-wrap"><table${cls ? ` class="${cls}"` : ''}>${cap}<thead>${head}</thead><tbody>${body}</tbody></table></div>`;
}

function figure(svg: string, caption: string): string {
  return `<figure class="chart-box">${svg}<figcaption>${esc(caption)}</figcaption></figure>`;
}

const maxOf = (values: readonly number[]): number => Math.max(...values.filter(ok));
const mean = (values: readonly number[]): number =>
  values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;

function header(r: StudyReport): string {
  const c = r.config;
  const levels = `${c.levelsName}: ${c.levels.map(formatLevel).join(', ')} (${r.parameter})`;
  const subset = c.trainPerClass ? `, training on ${formatInt(c.trainPerClass)} images per class` : '';
  const items: [string, string][] = [
    ['Model', c.model],
    ['Dataset', `${c.dataset} (test split ${c.testSplit}, ${formatInt(r.testImages)} test images${subset})`],
    ['Levels', levels],
    ['Seed', String(c.seed)],
    ['Epochs', `${c.epochs} (batch size ${c.batchSize})`],
    [
      'Corrected layers',
      `${c.layers.join(', ') || DASH} (top ${formatPercent(c.beta, 0)} of each layer's filters)`,
    ],
    ['Ranking', `${c.rankMethod}, ${formatInt(c.rankPerClass)} images per class`],
    ['Fine-tuning', `layers ${c.fineTuneLayers}; ${c.fineTuneOptimizer}`],
    ['Unit training', c.unitOptimizer],
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

function summary(r: StudyReport): string {
  const base = findRole(r, 'baseline') ?? r.models[0];
  const ft = findRole(r, 'fine-tuned');
  const baseMean = base?.meanWithClean ?? Number.NaN;
  const baseClean = base?.top1[0] ?? Number.NaN;
  const bestWith = maxOf(r.models.map((m) => m.meanWithClean));
  const bestLevels = maxOf(r.models.map((m) => m.meanLevels));
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
      num(formatPercent(m.meanWithClean), m.meanWithClean === bestWith) +
      num(formatPercent(m.meanLevels), m.meanLevels === bestLevels) +
      num(formatPercent(m.top1[0])) +
      trainable +
      num(formatInt(m.parameters)) +
      td(recovered, m === base ? 'num muted' : 'num')
    );
  });
  const note =
    'Recovered: (model mean - baseline mean) / (baseline clean - baseline mean), over clean + levels. Highlighted: best mean.';
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

function perLevel(r: StudyReport): string {
  const levels = r.config.levels;
  const labels = ['clean', ...levels.map(formatLevel)];
  const best = labels.map((_, i) => maxOf(r.models.map((m) => m.top1[i] ?? Number.NaN)));
  const head =
    `<tr>${th('Model', ' rowspan="2" scope="col"')}${th('clean', ' rowspan="2" class="num" scope="col"')}` +
    `${th(r.parameter, ` colspan="${levels.length}" class="group" scope="colgroup"`)}</tr>` +
    `<tr>${levels.map((l) => th(formatLevel(l), ' class="num" scope="col"')).join('')}</tr>`;
  const rows = r.models.map(
    (m) =>
      rowHead(m.label) + labels.map((_, i) => num(formatPercent(m.top1[i]), m.top1[i] === best[i])).join(''),
  );
  const series: LineSeries[] = r.models.map((m, i) => ({ name: m.label, colour: i, values: m.top1 }));
  const chart = lineChart({
    title: `Top-1 accuracy versus ${r.parameter}`,
    xLabels: labels,
    series,
    xTitle: r.parameter,
    yTitle: 'top-1 accuracy',
    yMin: 0,
    yMax: 1,
    format: (v) => formatPercent(v),
    tickFormat: (v) => formatPercent(v, 0),
    width: 900,
    height: 380,
  });
  return (
    `<section id="levels"><h2>Accuracy per level</h2>` +
    table(head, rows, `Top-1 accuracy, clean and at each level of ${r.distortionLabel}`) +
    figure(chart, `Top-1 accuracy versus ${r.parameter}; hover a point for its exact value.`) +
    `</section>`
  );
}

type Trained = StudyModelResult & { training: StudyTraining };

function trainingSection(r: StudyReport): string {
  const trained = r.models
    .map((m, i) => ({ m, i }))
    .filter((x): x is { m: Trained; i: number } => x.m.training !== undefined);
  if (!trained.length) return '';
  // Histories may differ in length (or skip epochs), so align them on epoch numbers.
  const epochs = [...new Set(trained.flatMap(({ m }) => m.training.history.map((e) => e.epoch)))].sort(
    (a, b) => a - b,
  );
  const seriesOf = (pick: (e: Trained['training']['history'][number]) => number): LineSeries[] =>
    trained.map(({ m, i }) => ({
      name: m.label,
      colour: i,
      values: epochs.map((ep) => {
        const e = m.training.history.find((h) => h.epoch === ep);
        return e ? pick(e) : null;
      }),
    }));
  const xLabels = epochs.map(String);
  const val = lineChart({
    title: 'Validation mean top-1 per epoch',
    xLabels,
    series: seriesOf((e) => e.valMean),
    xTitle: 'epoch',
    yTitle: 'validation mean top-1',
    format: (v) => formatPercent(v),
    tickFormat: (v) => formatPercent(v, 1),
    width: 560,
    height: 300,
  });
  const loss = lineChart({
    title: 'Training loss per epoch',
    xLabels,
    series: seriesOf((e) => e.loss),
    xTitle: 'epoch',
    yTitle: 'training loss',
    yMin: 0,
    format: (v) => formatNumber(v, 4),
    tickFormat: String,
    width: 560,
    height: 300,
  });
  const head =
    '<tr>' +
    th('Model', ' scope="col"') +
    ['Best epoch', 'Best val. mean', 'Train images', 'Val. images', 'Images/s', 'Time']
      .map((h) => th(h, ' class="num" scope="col"'))
      .join('') +
    th('Optimizer', ' scope="col"') +
    th('Replicas', ' class="num" scope="col"') +
    '</tr>';
  const rows = trained.map(({ m }) => {
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
      td(t.optimizer) +
      num(formatInt(t.replicas))
    );
  });
  return (
    `<section id="training"><h2>Training</h2><div class="chart-row">` +
    figure(val, 'Validation top-1, mean over clean + levels, after each epoch.') +
    figure(loss, 'Training loss, mean over the epoch.') +
    `</div>${table(head, rows, 'Training runs (images/s: mean over epochs)')}</section>`
  );
}

function rankedLayer(l: StudyRankedLayer): string {
  const scores = l.tau ?? l.proxy;
  const scoreName = l.tau ? 'tau (correction priority)' : 'proxy (normalised L1 distance)';
  const corrected = new Set(l.corrected);
  const chart = scores
    ? figure(
        barChart({
          title: `${l.layer}: ${scoreName} in ranking order`,
          labels: l.order.map(String),
          values: l.order.map((f) => scores[f] ?? null),
          orientation: 'vertical',
          valueTitle: scoreName,
          categoryTitle: 'filter index, most important first',
          highlight: l.order.map((f) => corrected.has(f)),
          format: (v) => formatNumber(v, 4),
          tickFormat: String,
          width: 900,
          height: 260,
        }),
        `${l.layer}: each filter's ${scoreName}, in ranking order; solid bars: the corrected filters.`,
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

function ranking(r: StudyReport): string {
  const k = r.ranking;
  return (
    `<section id="ranking"><h2>Filter ranking</h2>` +
    `<p class="facts">Method ${esc(k.method)} · split ${esc(k.split)} · ${formatInt(k.rankingImages)} ranking images · ` +
    `${esc(formatSeconds(k.seconds))}</p>` +
    k.layers.map(rankedLayer).join('') +
    `</section>`
  );
}

function perClass(r: StudyReport): string {
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

function timings(r: StudyReport): string {
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

/** JSON in a data block: escaping `<` means no value can close the element or open a comment. */
function embeddedJson(r: StudyReport): string {
  const json = JSON.stringify(r)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return `<script type="application/json" id="deepcorrect-report">${json}</script>`;
}

const PAGE_CSS = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --grid: #e8eaed; --border: #d0d7de;
  --head: #f6f8fa; --best: #dafbe1; --series-0: #6e7781; --series-1: #0969da; --series-2: #d1480b;
  --series-3: #1a7f37; --series-4: #8250df; --series-5: #bf3989; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --grid: #262c36; --border: #3d444d; --head: #151b23;
    --best: #12361f; --series-0: #9198a1; --series-1: #4493f8; --series-2: #f0883e; --series-3: #3fb950;
    --series-4: #ab7df8; --series-5: #db61a2; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 32px 32px 64px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 40px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--border); }
h3 { font-size: 16px; margin: 24px 0 6px; }
.lede { color: var(--muted); margin: 0 0 16px; }
nav { display: flex; gap: 16px; flex-wrap: wrap; font-size: 13px; margin: 0 0 8px; }
nav a { color: var(--series-1); text-decoration: none; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; font-size: 13px; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
pre { margin: 0; padding: 8px 10px; background: var(--head); border: 1px solid var(--border); border-radius: 6px;
  white-space: pre-wrap; overflow-wrap: anywhere; font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.table-wrap { overflow-x: auto; margin: 8px 0 12px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
table.compact { width: auto; min-width: 50%; }
caption { caption-side: top; text-align: left; color: var(--muted); font-size: 13px; padding-bottom: 6px; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--border); text-align: left; vertical-align: top; }
thead th { background: var(--head); font-weight: 600; font-size: 13px; }
th.group { text-align: center; }
tbody th { font-weight: 500; overflow-wrap: anywhere; }
table.summary tbody th { white-space: nowrap; }
.sub { display: block; color: var(--muted); font-size: 12px; font-weight: 400; }
.num { text-align: right; white-space: nowrap; }
td.best { background: var(--best); font-weight: 700; }
.muted, .note, .facts { color: var(--muted); }
.note, .facts { font-size: 13px; margin: 4px 0 12px; }
.filters { font-size: 13px; overflow-wrap: anywhere; }
figure.chart-box { margin: 12px 0 16px; padding: 12px; border: 1px solid var(--border); border-radius: 8px; }
figcaption { color: var(--muted); font-size: 12px; margin-top: 6px; }
.chart-row { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
article.layer { margin-bottom: 24px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media print {
  :root { --bg: #ffffff; --fg: #000000; --muted: #444c56; --grid: #e1e4e8; --border: #c8ccd1; --head: #f3f4f6;
    --best: #e3f5e8; --series-0: #6e7781; --series-1: #0550ae; --series-2: #bc4c00; }
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  figure, table, article.layer h3 { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  .chart-row { grid-template-columns: 1fr 1fr; }
}
${CHART_CSS}`;

// No script may run: the page is read, not executed; the JSON block is data, which CSP does not block.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** The whole report.html page for a study report. */
export function renderStudyHtml(report: StudyReport): string {
  const links: [string, string][] = [
    ['summary', 'Summary'],
    ['levels', 'Per level'],
    ...(report.models.some((m) => m.training) ? ([['training', 'Training']] as [string, string][]) : []),
    ['ranking', 'Ranking'],
    ['classes', 'Per class'],
    ['timings', 'Timings'],
  ];
  const nav = links.map(([id, label]) => `<a href="#${id}">${esc(label)}</a>`).join('');
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>DeepCorrect study: ${esc(report.distortionLabel)}</title><style>${PAGE_CSS}</style></head>` +
    `<body><main><nav>${nav}</nav>` +
    header(report) +
    summary(report) +
    perLevel(report) +
    trainingSection(report) +
    ranking(report) +
    perClass(report) +
    timings(report) +
    `<footer>Written by DeepCorrect Workbench, report version ${report.version}. ` +
    'The full report is embedded in this file as JSON (script element #deepcorrect-report).</footer>' +
    `</main>${embeddedJson(report)}</body></html>\n`
  );
}
