/** A ranked layer's filter scores in ranking order, the corrected filters set apart (the report's ranking). */
import type { StudyRankedLayer } from '../study.ts';
import { CANVAS_TOOLTIP, axisStyle, seriesColour, type ChartOption, type ChartTheme } from './chart-style.ts';

/** The score the chart shows: the oracle's tau when it ran, else the proxy; undefined when neither was kept. */
export function rankingScores(layer: StudyRankedLayer): { name: string; values: number[] } | undefined {
  if (layer.tau) return { name: 'tau (correction priority)', values: layer.tau };
  if (layer.proxy) return { name: 'proxy (normalised L1 distance)', values: layer.proxy };
  return undefined;
}

export function rankingChartOption(
  layer: StudyRankedLayer,
  scores: { name: string; values: readonly number[] },
  theme: ChartTheme,
): ChartOption {
  const corrected = new Set(layer.corrected);
  const solid = seriesColour(theme, 0);
  return {
    animation: false,
    grid: { left: 64, right: 20, top: 16, bottom: 48 },
    tooltip: { ...CANVAS_TOOLTIP, trigger: 'axis' },
    xAxis: {
      type: 'category',
      name: 'filter index, most important first',
      data: layer.order.map(String),
      ...axisStyle(theme, 30),
      splitLine: { show: false },
    },
    yAxis: { type: 'value', name: scores.name, ...axisStyle(theme, 48) },
    series: [
      {
        type: 'bar',
        name: scores.name,
        barCategoryGap: '28%',
        data: layer.order.map((f) => ({
          value: scores.values[f] ?? null,
          itemStyle: corrected.has(f) ? { color: solid } : { color: theme.axis, opacity: 0.55 },
        })),
      },
    ],
  };
}
