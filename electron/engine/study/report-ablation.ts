/**
 * report.html's "Ablation" section: each variant of the units (one or more of the method's open choices
 * changed) beside the study's own units, with its paired difference to them and to fine-tuning over the same
 * seeds and test images, and the words the statistics allow.
 */
import { formatP } from '../../../shared/stats/verdict.ts';
import {
  keptValidationMean,
  studySeeds,
  type DifferenceTest,
  type StudyReport,
} from '../../../shared/study.ts';
import { describeVariant } from '../../../shared/study-variants.ts';
import { accuracyCell, points } from './report-comparison.ts';
import { escapeXml as esc, formatInt, formatPercent, rowHead, table, td, th } from './report-format.ts';

/** One difference as a cell: "+0.42 points, −0.10 to +0.95" over its verdict. */
function differenceCell(t: DifferenceTest | undefined): string {
  if (t === undefined) return td('—', 'num');
  return (
    `<td class="num">${esc(`${points(t.difference)} (${points(t.interval.low)} to ${points(t.interval.high)})`)}` +
    `<span class="sub">${esc(t.outcome === 'no significant difference' ? `no significant difference, ${formatP(t.p)}` : `${t.outcome}, ${formatP(t.p)}`)}</span></td>`
  );
}

export function ablationSection(r: StudyReport): string {
  const variants = r.variants ?? [];
  if (variants.length === 0) return '';
  const own = r.models.find((m) => m.role === 'deepcorrect');
  const head =
    '<tr>' +
    th('Units', ' scope="col"') +
    th('Corrected', ' scope="col"') +
    [
      'Validation mean (kept epoch)',
      'Mean top-1, clean + levels',
      'Minus the study’s units',
      'Minus fine-tuning',
      'Trainable',
    ]
      .map((h) => th(h, ' class="num" scope="col"'))
      .join('') +
    '</tr>';
  const filters = (corrected: { layer: string; filters: number[] }[]): string =>
    corrected.map((c) => `${c.layer}: ${c.filters.length}`).join(', ');
  const rows = [
    ...(own === undefined
      ? []
      : [
          rowHead(
            `the study’s own (${r.config.placement === 'pre-activation' ? 'before' : 'after'} the activation, ${r.config.rankMethod === 'proxy' ? 'proxy' : 'oracle'} ranking)`,
          ) +
            td(r.config.layers.join(', ') + `, beta ${r.config.beta}`) +
            td(formatPercent(keptValidationMean(own)), 'num') +
            accuracyCell(own.meanWithClean, own.meanWithCleanSummary) +
            td('—', 'num') +
            differenceCell(r.comparison?.meanWithClean) +
            td(formatInt(own.trainableParameters), 'num'),
        ]),
    ...variants.map(
      (v) =>
        rowHead(describeVariant(v.variant)) +
        td(filters(v.corrected)) +
        td(formatPercent(keptValidationMean(v.model)), 'num') +
        accuracyCell(v.model.meanWithClean, v.model.meanWithCleanSummary) +
        differenceCell(v.againstDeepCorrect?.meanWithClean) +
        differenceCell(v.againstFineTuned?.meanWithClean) +
        td(formatInt(v.model.trainableParameters), 'num'),
    ),
  ];
  const seeds = studySeeds(r.config);
  const note =
    `Each variant's units trained in every seed (${seeds.join(', ')}) with the study's data, budget and learning ` +
    `rate, and were tested on the same ${formatInt(r.testImages)} images; differences are paired bootstraps over ` +
    `${seeds.length === 1 ? '' : 'seeds and '}images of the mean over clean + levels, with their 95% interval. ` +
    `"Better" or "worse" only where the interval excludes zero. Corrected: filters per layer in the first seed. ` +
    `Validation mean: the mean over clean + levels on the validation images at each training's kept epoch, ` +
    `averaged over seeds; choose settings by it, not by the test columns.`;
  return (
    `<section id="ablation"><h2>Ablation</h2>` +
    table(head, rows, 'Variants of the correction units, one choice changed at a time', 'compact') +
    `<p class="note">${esc(note)}</p></section>`
  );
}
