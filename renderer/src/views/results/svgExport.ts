/**
 * The Results chart as an SVG document: the same option drawn by ECharts' SVG renderer in server-side mode
 * (no DOM, no second visible chart). Registers the SVG renderer here, next to the shared canvas setup.
 */
import { init, use } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { ChartOption } from '../../charts/echarts.ts';

use([SVGRenderer]);

export function chartSvg(option: ChartOption, width: number, height: number): string {
  const chart = init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ ...option, animation: false });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
