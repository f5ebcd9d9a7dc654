/**
 * The parts of ECharts the workbench draws with, registered once: line and scatter series on a cartesian grid
 * with tooltips and a legend, drawn on canvas. Registering only these keeps the rest of ECharts out of the
 * bundle.
 */
import { LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { ChartTheme } from '../../../shared/charts/chart-style.ts';

use([CanvasRenderer, LineChart, ScatterChart, GridComponent, TooltipComponent, LegendComponent]);

export { CANVAS_TOOLTIP, type ChartOption } from '../../../shared/charts/chart-style.ts';
export { default as VChart } from 'vue-echarts';

/** A colour from the theme's CSS variables (charts draw on canvas, which cannot read CSS). */
export function themeColor(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value === '' ? fallback : value;
}

/** The colours of the shared chart definitions (shared/charts) in the app's current theme. */
export function appChartTheme(): ChartTheme {
  return {
    axis: themeColor('--chart-axis', '#5d6778'),
    grid: themeColor('--chart-grid', '#e3e7ed'),
    series: [
      themeColor('--chart-1', '#2f6fdb'),
      themeColor('--chart-2', '#d9480f'),
      themeColor('--chart-3', '#1f8a4c'),
    ],
  };
}
