/**
 * report.html's "DeepCorrect against fine-tuning" section: the paired difference per condition and for the
 * paper's mean, with its interval, p-value and the words the statistics allow, and each seed's McNemar test.
 */
import type { Summary } from '../../../shared/stats/summary.ts';
import { formatP } from '../../../shared/stats/verdict.ts';
import { studySeeds, type DifferenceTest, type StudyReport } from '../../../shared/study.ts';
import {
  escapeXml as esc,
  formatInt,
  formatLevel,
  formatPercent,
  num,
  rowHead,
  table,
  td,
  th,
} from './report-format.ts';

/** A difference in points: +0.42. */
export const points = (v: number): string => `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(2)}`;

/** A table cell of an accuracy with its 95% interval over seeds beneath it (none for one seed). */
export function accuracyCell(value: number | undefined, summary: Summary | undefined): string {
  const interval = summary?.interval;
  if (interval === null || interval === undefined) return num(formatPercent(value));
  return (
    `<td class="num">${esc(formatPercent(summary?.mean ?? value))}` +
    `<span class="sub">${esc(`${formatPercent(interval.low)} to ${formatPercent(interval.high)}`)}</span></td>`
  );
}

/** The seeds line of the page's header and the note under tables. */
export function seedsNote(r: StudyReport): string {
  const seeds = studySeeds(r.config);
  return seeds.length === 1
    ? `One seed (${seeds[0]}): the tables give no interval over seeds; a study with --seeds 3 or more does.`
    : `${seeds.length} seeds (${seeds.join(', ')}): each figure is the mean over seeds, with its 95% t interval beneath.`;
}

function differenceCells(t: DifferenceTest): string {
  return (
    num(`${points(t.difference)} points`) +
    num(`${points(t.interval.low)} to ${points(t.interval.high)}`) +
    num(formatP(t.p).replace(/^p = /, '').replace(/^p < /, '< ')) +
    td(t.outcome, t.outcome === 'no significant difference' ? 'verdict muted' : 'verdict')
  );
}

export function comparisonSection(r: StudyReport): string {
  const c = r.comparison;
  if (c === undefined)
    return (
      `<section id="comparison"><h2>DeepCorrect against fine-tuning</h2>` +
      `<p class="note">This study kept no per-image results (it was made before paired tests existed): ` +
      `run it again for intervals and tests.</p></section>`
    );
  const seeds = studySeeds(r.config);
  const mean = c.meanWithClean;
  const lede =
    `DeepCorrect minus fine-tuning, mean top-1 over clean + levels: ${points(mean.difference)} points ` +
    `(${Math.round(c.confidence * 100)}% interval ${points(mean.interval.low)} to ${points(mean.interval.high)}): ` +
    `${mean.text}.`;
  const mcnemarHeads = seeds.map((s) => th(`McNemar, seed ${s}`, ' class="num" scope="col"')).join('');
  const head =
    '<tr>' +
    th('Condition', ' scope="col"') +
    ['Difference', `${Math.round(c.confidence * 100)}% interval`, 'p (bootstrap)']
      .map((h) => th(h, ' class="num" scope="col"'))
      .join('') +
    th('Verdict', ' scope="col"') +
    mcnemarHeads +
    '</tr>';
  const mcnemarCells = (k: (typeof c.conditions)[number] | undefined): string =>
    seeds
      .map((s) => {
        const m = k?.mcnemar.find((x) => x.seed === s);
        return m === undefined ? num('') : num(`${m.b} vs ${m.c}, ${formatP(m.p)}`);
      })
      .join('');
  const rows = [
    rowHead('mean, clean + levels') + differenceCells(mean) + mcnemarCells(undefined),
    ...c.conditions.map(
      (k) =>
        rowHead(k.condition === 'clean' ? 'clean' : `${r.parameter} ${formatLevel(Number(k.condition))}`) +
        differenceCells(k) +
        mcnemarCells(k),
    ),
  ];
  const note =
    `Paired bootstrap over ${seeds.length === 1 ? '' : 'seeds and '}the ${formatInt(r.testImages)} test images ` +
    `(${formatInt(c.replicates)} replicates, seeded ${c.bootstrapSeed}); for the mean, an image counts with all ` +
    `its conditions. "Better" or "worse" only where the interval excludes zero. McNemar: images only DeepCorrect ` +
    `got right vs images only fine-tuning got right, exact two-sided p.`;
  return (
    `<section id="comparison"><h2>DeepCorrect against fine-tuning</h2>` +
    `<p class="lede">${esc(lede)}</p>` +
    table(head, rows, 'Paired differences in top-1 accuracy (DeepCorrect minus fine-tuning)', 'compact') +
    `<p class="note">${esc(note)}</p></section>`
  );
}
