/**
 * The Results view's "Ablation" table: the study's own units and each variant of them (shared/study-variants.ts),
 * with the paired differences the report holds. The same rows and words as report.html's Ablation section
 * (electron/engine/study/report-ablation.ts), from the report alone, so the two never disagree.
 */
import type { Summary } from '../../../../shared/stats/summary.ts';
import { formatP } from '../../../../shared/stats/verdict.ts';
import {
  keptValidationMean,
  studySeeds,
  type DifferenceTest,
  type StudyModelResult,
  type StudyReport,
} from '../../../../shared/study.ts';
import { describeVariant } from '../../../../shared/study-variants.ts';
import { toCsv, type CsvValue } from '../../lib/csv.ts';
import { intervalText, pointsText } from '../../lib/study-table.ts';

export interface AblationRow {
  /** "own" for the study's units, else the variant's name (unique within a study). */
  key: string;
  /** What the units are: the study's own settings, or what the variant changes. */
  label: string;
  /** Filters corrected per layer ("conv1: 8, conv2: 16"); the variants' in their first seed. */
  corrected: string;
  /** The validation mean (clean + levels) at each training's kept epoch, over seeds: what to choose by. */
  validationMean?: number;
  /** Mean top-1 over clean + levels: the seeds' mean where there are several. */
  meanWithClean: number;
  /** Its 95% t interval over seeds (absent for one seed). */
  summary?: Summary;
  /** Minus the study's own units (absent in the own row, and where per-image results are missing). */
  againstOwn?: DifferenceTest;
  /** Minus fine-tuning (absent where per-image results are missing). */
  againstFineTuned?: DifferenceTest;
  trainableParameters: number;
}

const filtersText = (corrected: readonly { layer: string; filters: readonly number[] }[]): string =>
  corrected.map((c) => `${c.layer}: ${c.filters.length}`).join(', ');

/** The study's own units in words, as report.html names them. */
export function ownUnitsLabel(report: StudyReport): string {
  const where = report.config.placement === 'pre-activation' ? 'before' : 'after';
  const rank = report.config.rankMethod === 'proxy' ? 'proxy' : 'oracle';
  return `the study’s own (${where} the activation, ${rank} ranking)`;
}

function validation(model: StudyModelResult): { validationMean?: number } {
  const kept = keptValidationMean(model);
  return kept === undefined ? {} : { validationMean: kept };
}

/** One row for the study's own units (when the report has them), then one per variant, in the report's order. */
export function ablationRows(report: StudyReport): AblationRow[] {
  const variants = report.variants ?? [];
  if (variants.length === 0) return [];
  const own = report.models.find((m) => m.role === 'deepcorrect');
  const ownCorrected = report.ranking.layers
    .filter((l) => l.corrected.length > 0)
    .map((l) => ({ layer: l.layer, filters: l.corrected }));
  const ownRow: AblationRow[] =
    own === undefined
      ? []
      : [
          {
            key: 'own',
            label: ownUnitsLabel(report),
            corrected:
              ownCorrected.length > 0
                ? filtersText(ownCorrected)
                : `${report.config.layers.join(', ')}, beta ${report.config.beta}`,
            ...validation(own),
            meanWithClean: own.meanWithCleanSummary?.mean ?? own.meanWithClean,
            ...(own.meanWithCleanSummary ? { summary: own.meanWithCleanSummary } : {}),
            ...(report.comparison ? { againstFineTuned: report.comparison.meanWithClean } : {}),
            trainableParameters: own.trainableParameters,
          },
        ];
  return [
    ...ownRow,
    ...variants.map((v): AblationRow => ({
      key: v.variant.name,
      label: describeVariant(v.variant),
      corrected: filtersText(v.corrected),
      ...validation(v.model),
      meanWithClean: v.model.meanWithCleanSummary?.mean ?? v.model.meanWithClean,
      ...(v.model.meanWithCleanSummary ? { summary: v.model.meanWithCleanSummary } : {}),
      ...(v.againstDeepCorrect ? { againstOwn: v.againstDeepCorrect.meanWithClean } : {}),
      ...(v.againstFineTuned ? { againstFineTuned: v.againstFineTuned.meanWithClean } : {}),
      trainableParameters: v.model.trainableParameters,
    })),
  ];
}

/** "+0.42 (−0.10 to +0.95)" in points, or '—' where there is no test. */
export function differenceText(t: DifferenceTest | undefined): string {
  if (t === undefined) return '—';
  return `${pointsText(t.difference)} (${pointsText(t.interval.low)} to ${pointsText(t.interval.high)})`;
}

/** The verdict the interval allows, with the bootstrap's p: "no significant difference, p = 0.41". */
export function verdictText(t: DifferenceTest | undefined): string {
  return t === undefined ? '' : `${t.outcome}, ${formatP(t.p)}`;
}

/** The mean's interval as the summary table words it ("95% CI 83.59–84.83%"), or '' for one seed. */
export const meanIntervalText = (row: AblationRow): string => intervalText(row.summary);

/** The note under the table: how the variants were trained and tested, and what the verdicts may say. */
export function ablationNote(report: StudyReport): string {
  const seeds = studySeeds(report.config);
  return (
    `Each variant’s units trained in every seed (${seeds.join(', ')}) with the study’s data, budget and ` +
    `learning rate, and were tested on the same ${report.testImages.toLocaleString('en-US')} images; ` +
    `differences are paired bootstraps over ${seeds.length === 1 ? '' : 'seeds and '}images of the mean over ` +
    `clean + levels, in points, with their 95% interval. “Better” or “worse” only where the interval excludes ` +
    `zero. Corrected: filters per layer in the first seed. Validation: the mean over clean + levels on the ` +
    `validation images at each training’s kept epoch, over seeds; choose settings by it, not by the test columns.`
  );
}

const testCells = (t: DifferenceTest | undefined): CsvValue[] =>
  t === undefined
    ? [null, null, null, null, null]
    : [t.difference, t.interval.low, t.interval.high, t.p, t.outcome];

/** The ablation table as CSV (fractions, not points), or undefined for a study without variants. */
export function ablationCsv(report: StudyReport): string | undefined {
  const rows = ablationRows(report);
  if (rows.length === 0) return undefined;
  const header: CsvValue[] = [
    'units',
    'variant',
    'corrected filters',
    'validation mean at kept epoch',
    'mean top-1 clean+levels',
    'mean top-1 clean+levels 95% CI low',
    'mean top-1 clean+levels 95% CI high',
    'minus the study units',
    'CI low',
    'CI high',
    'p',
    'verdict',
    'minus fine-tuned',
    'CI low',
    'CI high',
    'p',
    'verdict',
    'trainable parameters',
  ];
  const body = rows.map((row): CsvValue[] => [
    row.label,
    row.key === 'own' ? null : row.key,
    row.corrected,
    row.validationMean ?? null,
    row.meanWithClean,
    row.summary?.interval?.low ?? null,
    row.summary?.interval?.high ?? null,
    ...testCells(row.againstOwn),
    ...testCells(row.againstFineTuned),
    row.trainableParameters,
  ]);
  return toCsv([header, ...body]);
}
