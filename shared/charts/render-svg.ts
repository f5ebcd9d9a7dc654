/**
 * A chart option drawn as an SVG document by ECharts' SVG renderer in server-side mode: no DOM, so the same
 * call serves the engine's report (Node) and the Results view's "Chart as SVG" (a browser, without a second
 * visible chart). The markup has no script: it is a picture, as the report's Content-Security-Policy needs.
 */
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { init, use } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { ChartOption } from './chart-style.ts';

// The tooltip draws nothing here; registered so that options made for the app render without a warning.
use([SVGRenderer, LineChart, BarChart, GridComponent, LegendComponent, TooltipComponent]);

/**
 * `id` replaces the renderer's prefix of element ids and classes, and classes are renumbered from 0: both are
 * counted per process (zr0-, zr1-...; zr0-cls-12), so this way a page with several charts has unique ids and
 * the same chart is drawn to the same bytes every time.
 */
export function renderChartSvg(option: ChartOption, width: number, height: number, id = 'chart'): string {
  const chart = init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ ...option, animation: false });
    const classes = new Map<string, number>();
    const local = (n: string): number => classes.get(n) ?? classes.set(n, classes.size).size - 1;
    return chart
      .renderToSVGString()
      .replace(
        /(["#.\s])zr\d+-cls-(\d+)/g,
        (_, before: string, n: string) => `${before}${id}-cls-${local(n)}`,
      )
      .replace(/(["#.])zr\d+-/g, `$1${id}-`);
  } finally {
    // An undisposed instance keeps a timer that would hold the command line's process open.
    chart.dispose();
  }
}
