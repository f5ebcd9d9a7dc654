/** The terminal's summary of a study: the paper's table with each model's spread, then the paired tests. */
import type { Summary } from '../../../shared/stats/summary.ts';
import {
  keptValidationMean,
  studySeeds,
  type DifferenceTest,
  type StudyReport,
} from '../../../shared/study.ts';

const pct = (v: number): string => `${(v * 100).toFixed(2)}%`;
const points = (v: number): string => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(2)}`;

/** "84.21%", or "84.21% ±0.62" with several seeds (the half-width of the 95% t interval). */
function cell(value: number, summary: Summary | undefined): string {
  if (summary?.interval == null) return pct(value);
  return `${pct(summary.mean)} ±${((summary.interval.high - summary.interval.low) * 50).toFixed(2)}`;
}

function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((cells) =>
      cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  '),
    )
    .join('\n');
}

function difference(label: string, t: DifferenceTest): string[] {
  return [
    label,
    `${points(t.difference)} points`,
    `[${points(t.interval.low)}, ${points(t.interval.high)}]`,
    t.text,
  ];
}

export function summaryTable(report: StudyReport): string {
  const levels = report.config.levels.map((l) => String(l));
  const seeds = studySeeds(report.config);
  const head = ['model', 'mean clean+levels', 'mean levels', 'clean', ...levels, 'trainable'];
  const rows = report.models.map((m) => [
    m.label,
    cell(m.meanWithClean, m.meanWithCleanSummary),
    cell(m.meanLevels, m.meanLevelsSummary),
    ...m.top1.map((v, k) => cell(v, m.top1Summary?.[k])),
    m.trainableParameters.toLocaleString('en-US'),
  ]);
  const spread =
    seeds.length > 1
      ? `${seeds.length} seeds (${seeds.join(', ')}): mean ± half-width of the 95% t interval\n`
      : '1 seed: no interval over seeds (run --seeds 3 or more for one)\n';
  let out = `${report.parameter} levels: ${levels.join(', ')}\n${spread}${table([head, ...rows])}\n`;
  const c = report.comparison;
  if (c !== undefined) {
    out +=
      `\nDeepCorrect minus fine-tuning, top-1 (paired bootstrap over ${seeds.length === 1 ? '' : 'seeds and '}` +
      `${report.testImages} test images, ${c.replicates.toLocaleString('en-US')} replicates, ${Math.round(c.confidence * 100)}% interval):\n`;
    out += `${table([
      difference('mean clean+levels', c.meanWithClean),
      ...c.conditions.map((k) => difference(k.condition, k)),
    ])}\n`;
  }
  if (report.variants !== undefined && report.variants.length > 0) {
    out += `\nAblation: each variant of the units, its validation mean at the kept epoch (choose by it), its test mean clean+levels, and its paired difference (${seeds.length === 1 ? 'bootstrap over images' : 'bootstrap over seeds and images'}):\n`;
    const rows = [
      [
        'variant',
        'validation',
        'mean clean+levels',
        'minus DeepCorrect',
        '',
        'minus fine-tuned',
        '',
        'trainable',
      ],
      ...report.variants.map((v) => {
        const against = (t: DifferenceTest | undefined): string[] =>
          t === undefined
            ? ['-', '']
            : [`${points(t.difference)} [${points(t.interval.low)}, ${points(t.interval.high)}]`, t.outcome];
        const val = keptValidationMean(v.model);
        return [
          v.variant.name,
          val === undefined ? '-' : pct(val),
          cell(v.model.meanWithClean, v.model.meanWithCleanSummary),
          ...against(v.againstDeepCorrect?.meanWithClean),
          ...against(v.againstFineTuned?.meanWithClean),
          v.model.trainableParameters.toLocaleString('en-US'),
        ];
      }),
    ];
    out += `${table(rows)}\n`;
  }
  if (report.paper)
    out +=
      `the authors' ${report.paper.dataset} (mean clean + 6 levels): baseline ${pct(report.paper.baseline)}, ` +
      `fine-tuned ${pct(report.paper.fineTuned)}, DeepCorrect ${pct(report.paper.deepCorrect)}\n`;
  return out;
}
