/**
 * The numbers the Results view shows for a study report (shared/study.ts): the paper's table and the CSV,
 * from the report alone so every figure matches report.html (the chart: shared/charts/accuracy-chart.ts).
 */
import { ROLE_LABELS } from '../../../shared/charts/accuracy-chart.ts';
import type { Summary } from '../../../shared/stats/summary.ts';
import {
  studySeeds,
  type PaperRow,
  type StudyModelResult,
  type StudyModelRole,
  type StudyReport,
} from '../../../shared/study.ts';
import { toCsv, type CsvValue } from './csv.ts';

export type SummaryColumn =
  'meanWithClean' | 'meanLevels' | 'clean' | 'trainableParameters' | 'share' | 'paper';

export const SUMMARY_COLUMNS: readonly { id: SummaryColumn; label: string }[] = [
  { id: 'meanWithClean', label: 'mean top-1 (clean + levels)' },
  { id: 'meanLevels', label: 'mean top-1 (levels)' },
  { id: 'clean', label: 'clean top-1' },
  { id: 'trainableParameters', label: 'trainable parameters' },
  { id: 'share', label: 'share of fine-tuning’s parameters' },
  { id: 'paper', label: 'paper (mean, clean + levels)' },
];

export interface SummaryRow {
  role: StudyModelRole;
  label: string;
  meanWithClean: number;
  meanLevels: number;
  clean: number;
  trainableParameters: number;
  /** Trainable parameters as a fraction of fine-tuning's (DeepCorrect's row; NaN for the others). */
  share: number;
  /** The authors' figure for this role (CIFAR-100), NaN when the paper has none. */
  paper: number;
  /** 95% intervals over seeds of the accuracy columns (absent for one seed). */
  intervals: Partial<Record<'meanWithClean' | 'meanLevels' | 'clean', Summary>>;
}

/** "95% CI 83.59–84.83%", or '' where there is no interval (one seed). */
export function intervalText(summary: Summary | undefined): string {
  const i = summary?.interval;
  if (i === null || i === undefined) return '';
  return `95% CI ${(i.low * 100).toFixed(2)}–${(i.high * 100).toFixed(2)}%`;
}

/** How many seeds the study ran, in words for its meta line. */
export function seedsText(report: StudyReport): string {
  const seeds = studySeeds(report.config);
  return seeds.length === 1 ? `seed ${seeds[0]}` : `${seeds.length} seeds (${seeds.join(', ')})`;
}

/** A difference of accuracies in points: "+0.42" or "−1.10". */
export const pointsText = (v: number): string => `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(2)}`;

function paperFigure(paper: PaperRow | undefined, role: StudyModelRole): number {
  if (paper === undefined) return Number.NaN;
  if (role === 'baseline') return paper.baseline;
  if (role === 'fine-tuned') return paper.fineTuned;
  return paper.deepCorrect;
}

function modelOf(report: StudyReport, role: StudyModelRole): StudyModelResult | undefined {
  return report.models.find((m) => m.role === role);
}

/** The paper's table: one row per model, in the report's order (baseline, fine-tuned, DeepCorrect). */
export function summaryRows(report: StudyReport): SummaryRow[] {
  const fineTuned = modelOf(report, 'fine-tuned')?.trainableParameters ?? Number.NaN;
  return report.models.map((m) => ({
    role: m.role,
    label: ROLE_LABELS[m.role] ?? m.label,
    meanWithClean: m.meanWithClean,
    meanLevels: m.meanLevels,
    clean: m.top1[0] ?? Number.NaN,
    trainableParameters: m.trainableParameters,
    share: m.role === 'deepcorrect' && fineTuned > 0 ? m.trainableParameters / fineTuned : Number.NaN,
    paper: paperFigure(report.paper, m.role),
    intervals: {
      ...(m.meanWithCleanSummary?.interval ? { meanWithClean: m.meanWithCleanSummary } : {}),
      ...(m.meanLevelsSummary?.interval ? { meanLevels: m.meanLevelsSummary } : {}),
      ...(m.top1Summary?.[0]?.interval ? { clean: m.top1Summary[0] } : {}),
    },
  }));
}

/** A table of the three models: the paper's columns, then top-1 clean and at every level. */
export function studyCsv(report: StudyReport): string {
  const levels = report.config.levels;
  const header: CsvValue[] = [
    'model',
    'mean top-1 clean+levels',
    'mean top-1 levels',
    'trainable parameters',
    'share of fine-tuning parameters',
    report.paper === undefined
      ? 'paper mean top-1 clean+levels'
      : `paper ${report.paper.dataset} mean top-1 clean+levels`,
    'top-1 clean',
    ...levels.map((l) => `top-1 ${report.parameter} ${l}`),
  ];
  const rows: CsvValue[][] = summaryRows(report).map((row) => {
    const model = modelOf(report, row.role);
    return [
      row.label,
      row.meanWithClean,
      row.meanLevels,
      row.trainableParameters,
      Number.isNaN(row.share) ? null : row.share,
      Number.isNaN(row.paper) ? null : row.paper,
      ...(model?.top1 ?? []),
    ];
  });
  const several = studySeeds(report.config).length > 1;
  if (several) {
    header.push('mean top-1 clean+levels 95% CI low', 'mean top-1 clean+levels 95% CI high');
    rows.forEach((row, i) => {
      const interval = report.models[i]?.meanWithCleanSummary?.interval;
      row.push(interval?.low ?? null, interval?.high ?? null);
    });
  }
  return toCsv([header, ...rows]);
}

/** The paired tests as CSV: one row for the mean and one per condition. */
export function comparisonCsv(report: StudyReport): string | undefined {
  const c = report.comparison;
  if (c === undefined) return undefined;
  const header: CsvValue[] = [
    'condition',
    'DeepCorrect minus fine-tuned',
    'CI low',
    'CI high',
    'p',
    'verdict',
  ];
  const rows: CsvValue[][] = [
    [
      'mean clean+levels',
      c.meanWithClean.difference,
      c.meanWithClean.interval.low,
      c.meanWithClean.interval.high,
      c.meanWithClean.p,
      c.meanWithClean.outcome,
    ],
    ...c.conditions.map((k): CsvValue[] => [
      k.condition,
      k.difference,
      k.interval.low,
      k.interval.high,
      k.p,
      k.outcome,
    ]),
  ];
  return toCsv([header, ...rows]);
}

/** A short name for a study in lists: distortion, levels and when it was made. */
export function studyTitle(report: StudyReport): string {
  const date = report.createdAt.slice(0, 16).replace('T', ' ');
  return `${report.distortionLabel}, ${report.config.levelsName} (${date})`;
}
