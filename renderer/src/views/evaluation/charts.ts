/**
 * The ECharts modules the Evaluation view needs beyond the shared set (renderer/src/charts/echarts.ts): bar
 * series for the per-class breakdown. `use` is idempotent, so registering here is safe.
 */
import { BarChart, type BarSeriesOption } from 'echarts/charts';
import { use, type ComposeOption } from 'echarts/core';
import type { ChartOption } from '../../charts/echarts.ts';

use([BarChart]);

export type BarChartOption = ChartOption | ComposeOption<BarSeriesOption>;
