/**
 * The parts of ECharts the workbench draws with, registered once: line and scatter series on a cartesian grid
 * with tooltips and a legend, drawn on canvas. Registering only these keeps the rest of ECharts out of the
 * bundle.
 */
import { LineChart, ScatterChart, type LineSeriesOption, type ScatterSeriesOption } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  TooltipComponent,
  type GridComponentOption,
  type LegendComponentOption,
  type TooltipComponentOption,
} from 'echarts/components';
import { use, type ComposeOption } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

use([CanvasRenderer, LineChart, ScatterChart, GridComponent, TooltipComponent, LegendComponent]);

export type ChartOption = ComposeOption<
  | LineSeriesOption
  | ScatterSeriesOption
  | GridComponentOption
  | TooltipComponentOption
  | LegendComponentOption
>;

export { default as VChart } from 'vue-echarts';

/** A colour from the theme's CSS variables (charts draw on canvas, which cannot read CSS). */
export function themeColor(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value === '' ? fallback : value;
}

/**
 * Tooltips drawn on the chart's canvas rather than as HTML: ECharts' HTML tooltips are markup with inline
 * style attributes, which a Content-Security-Policy without style-src 'unsafe-inline' blocks; the canvas
 * ones work under any policy.
 */
export const CANVAS_TOOLTIP = { renderMode: 'richText' } as const;
