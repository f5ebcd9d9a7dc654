/**
 * A study's top-1 accuracy of each model, clean and at every level: the Results view's chart and the report's
 * "Accuracy per level" figure, from the report alone.
 */
import type { StudyModelRole, StudyReport } from '../study.ts';
import {
  CANVAS_TOOLTIP,
  axisStyle,
  legendStyle,
  lineSeries,
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

export function accuracyChartOption(report: StudyReport, theme: ChartTheme): ChartOption {
  return {
    animation: false,
    grid: { left: 60, right: 20, top: 36, bottom: 48 },
    tooltip: { ...CANVAS_TOOLTIP, trigger: 'axis' },
    legend: legendStyle(theme),
    xAxis: {
      type: 'category',
      name: report.parameter,
      data: conditionLabels(report),
      ...axisStyle(theme, 30),
      splitLine: { show: false },
    },
    yAxis: { type: 'value', name: 'top-1 accuracy', min: 0, max: 1, ...axisStyle(theme, 42) },
    series: chartSeries(report).map((s, i) => lineSeries(theme, i, s.name, s.y)),
  };
}
