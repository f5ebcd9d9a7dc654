/**
 * Training curves: a value per epoch for each trained model of a study (the Results view's validation
 * curves; the report's validation and loss figures), and one live job's loss and running accuracy against
 * its progress (the Correction view).
 */
import type { StudyEpoch, StudyReport } from '../study.ts';
import { ROLE_LABELS } from './accuracy-chart.ts';
import {
  CANVAS_TOOLTIP,
  axisStyle,
  legendStyle,
  lineSeries,
  type ChartOption,
  type ChartTheme,
} from './chart-style.ts';

export interface EpochSeries {
  name: string;
  /** Palette slot, so a model keeps its colour across charts. */
  colour: number;
  /** [epoch, value] */
  points: [number, number][];
}

export interface EpochAxis {
  name: string;
  min?: number;
  max?: number;
}

/** Values per epoch, one line per series; a legend when there is more than one. */
export function epochChartOption(
  series: readonly EpochSeries[],
  y: EpochAxis,
  theme: ChartTheme,
  lastEpoch?: number,
): ChartOption {
  const legend = series.length > 1;
  return {
    animation: false,
    grid: { left: 60, right: 20, top: legend ? 36 : 16, bottom: 44 },
    tooltip: { ...CANVAS_TOOLTIP, trigger: 'axis' },
    ...(legend ? { legend: legendStyle(theme) } : {}),
    xAxis: {
      type: 'value',
      name: 'epoch',
      min: 1,
      ...(lastEpoch === undefined ? {} : { max: Math.max(1, lastEpoch) }),
      minInterval: 1,
      ...axisStyle(theme, 28),
      splitLine: { show: false },
    },
    yAxis: { type: 'value', ...y, ...axisStyle(theme, 42) },
    series: series.map((s) => lineSeries(theme, s.colour, s.name, s.points, 1.5)),
  };
}

/** One series per model with a training history, coloured by the model's place in the report. */
export function studyEpochSeries(
  report: StudyReport,
  pick: (e: StudyEpoch) => number,
  name: (label: string, bestEpoch: number) => string = (label) => label,
): EpochSeries[] {
  return report.models.flatMap((m, i) =>
    m.training === undefined || m.training.history.length === 0
      ? []
      : [
          {
            name: name(ROLE_LABELS[m.role] ?? m.label, m.training.bestEpoch),
            colour: i,
            points: m.training.history.map((e): [number, number] => [e.epoch, pick(e)]),
          },
        ],
  );
}

/** Validation mean top-1 per epoch of the trained models: the selection criterion of both. */
export function studyValidationOption(report: StudyReport, theme: ChartTheme): ChartOption {
  const series = studyEpochSeries(
    report,
    (e) => e.valMean,
    (label, best) => `${label} (best epoch ${best})`,
  );
  return epochChartOption(series, { name: 'validation mean top-1', min: 0, max: 1 }, theme);
}

export interface ProgressCurves {
  /** [progress %, value] per progress report. */
  loss: [number, number][];
  accuracy: [number, number][];
}

/** One job's loss (left axis) and running accuracy (right axis) against its progress. */
export function progressChartOption(
  curves: ProgressCurves,
  theme: ChartTheme,
  /** What the x axis measures: a live job's progress, or (for a finished run's epochs) its share of them. */
  xName = 'job progress (%)',
): ChartOption {
  const line = { showSymbol: false };
  return {
    animation: false,
    grid: { left: 52, right: 52, top: 28, bottom: 40 },
    tooltip: { ...CANVAS_TOOLTIP, trigger: 'axis' },
    legend: legendStyle(theme),
    xAxis: { type: 'value', name: xName, min: 0, max: 100, ...axisStyle(theme, 34) },
    yAxis: [
      { type: 'value', name: 'loss', min: 0, ...axisStyle(theme, 34) },
      {
        type: 'value',
        name: 'accuracy',
        min: 0,
        max: 1,
        ...axisStyle(theme, 34),
        splitLine: { show: false },
      },
    ],
    series: [
      { ...lineSeries(theme, 0, 'loss', curves.loss, 1.5), ...line },
      { ...lineSeries(theme, 1, 'running accuracy', curves.accuracy, 1.5), ...line, yAxisIndex: 1 },
    ],
  };
}
