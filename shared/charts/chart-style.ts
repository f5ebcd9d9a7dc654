/**
 * What every chart of the workbench shares, in the app (ECharts on canvas) and in the study report (the same
 * options drawn to an SVG string): the option type, the colours a chart is drawn with, and the axis style.
 */
import type { BarSeriesOption, LineSeriesOption, ScatterSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components';
import type { ComposeOption } from 'echarts/core';

export type ChartOption = ComposeOption<
  | LineSeriesOption
  | ScatterSeriesOption
  | BarSeriesOption
  | GridComponentOption
  | TooltipComponentOption
  | LegendComponentOption
>;

/**
 * Colours as CSS colour strings: the app reads its theme's variables (canvas cannot), the report passes
 * `var(--…)` so its light, dark and print themes restyle the inline SVG without redrawing it.
 */
export interface ChartTheme {
  /** Axis lines, labels, names and legend text. */
  axis: string;
  grid: string;
  /** One per series, in order (baseline, fine-tuned, DeepCorrect in a study). */
  series: readonly string[];
}

export const seriesColour = (theme: ChartTheme, i: number): string =>
  theme.series[i % theme.series.length] ?? theme.axis;

/**
 * Tooltips drawn on the chart's canvas rather than as HTML: ECharts' HTML tooltips are markup with inline
 * style attributes, which a Content-Security-Policy without style-src 'unsafe-inline' blocks; the canvas
 * ones work under any policy.
 */
export const CANVAS_TOOLTIP = { renderMode: 'richText' } as const;

/** The style of every axis; the caller adds its type, name, range and data. */
export function axisStyle(theme: ChartTheme, nameGap: number) {
  return {
    nameLocation: 'middle' as const,
    nameGap,
    axisLine: { lineStyle: { color: theme.axis } },
    axisLabel: { color: theme.axis },
    nameTextStyle: { color: theme.axis },
    splitLine: { lineStyle: { color: theme.grid } },
  };
}

export const legendStyle = (theme: ChartTheme) => ({ top: 0, textStyle: { color: theme.axis } });

/** A line series in the theme's colour for its position. */
export function lineSeries(
  theme: ChartTheme,
  colour: number,
  name: string,
  data: LineSeriesOption['data'],
  width = 2,
): LineSeriesOption {
  const color = seriesColour(theme, colour);
  return { type: 'line', name, data, lineStyle: { width, color }, itemStyle: { color } };
}
