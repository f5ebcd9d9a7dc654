/**
 * A study's top-1 accuracy of each model, clean and at every level, with each model's 95% interval over seeds
 * as a band: the Results view's chart and the report's "Accuracy per level" figure, from the report alone.
 */
import type { LineSeriesOption } from 'echarts/charts';
import type { Summary } from '../stats/summary.ts';
import type { StudyModelRole, StudyReport } from '../study.ts';
import {
  CANVAS_TOOLTIP,
  axisStyle,
  legendStyle,
  lineSeries,
  seriesColour,
  type ChartOption,
  type ChartTheme,
} from './chart-style.ts';

export const ROLE_LABELS: Record<StudyModelRole, string> = {
  baseline: 'Baseline',
  'fine-tuned': 'Fine-tuned',
  deepcorrect: 'DeepCorrect',
};

/** The chart's x categories: clean, then each level's value. */
export function conditionLabels(report: StudyReport): string[] {
  return ['clean', ...report.config.levels.map((l) => String(l))];
}

export interface ChartSeries {
  name: string;
  role: StudyModelRole;
  /** Top-1, clean first, then each level (the report's numbers, unrounded). */
  y: number[];
}

export function chartSeries(report: StudyReport): ChartSeries[] {
  return report.models.map((m) => ({ name: ROLE_LABELS[m.role] ?? m.label, role: m.role, y: [...m.top1] }));
}

/**
 * A model's 95% interval over seeds as a shaded band: an invisible line at the low end and, stacked on it, the
 * interval's width filled. None for one seed, which has no interval.
 */
function bandSeries(
  theme: ChartTheme,
  colour: number,
  name: string,
  summaries: readonly Summary[] | undefined,
): LineSeriesOption[] {
  if (summaries === undefined || summaries.some((s) => s.interval === null)) return [];
  const color = seriesColour(theme, colour);
  const quiet = {
    type: 'line' as const,
    stack: `interval-${colour}`,
    symbol: 'none',
    silent: true,
    tooltip: { show: false },
    lineStyle: { opacity: 0 },
  };
  return [
    { ...quiet, name: `${name} interval low`, data: summaries.map((s) => s.interval?.low ?? 0) },
    {
      ...quiet,
      name: `${name} 95% interval`,
      data: summaries.map((s) => (s.interval ? s.interval.high - s.interval.low : 0)),
      areaStyle: { color, opacity: 0.16 },
    },
  ];
}

export function accuracyChartOption(report: StudyReport, theme: ChartTheme): ChartOption {
  return {
    animation: false,
    grid: { left: 60, right: 20, top: 36, bottom: 48 },
    tooltip: { ...CANVAS_TOOLTIP, trigger: 'axis' },
    legend: { ...legendStyle(theme), data: chartSeries(report).map((s) => s.name) },
    xAxis: {
      type: 'category',
      name: report.parameter,
      data: conditionLabels(report),
      ...axisStyle(theme, 30),
      splitLine: { show: false },
    },
    yAxis: { type: 'value', name: 'top-1 accuracy', min: 0, max: 1, ...axisStyle(theme, 42) },
    series: [
      ...report.models.flatMap((m, i) => bandSeries(theme, i, ROLE_LABELS[m.role] ?? m.label, m.top1Summary)),
      ...chartSeries(report).map((s, i) => lineSeries(theme, i, s.name, s.y)),
    ],
  };
}
