/**
 * A tiny SVG chart builder for the study report (report-html.ts): line charts over categorical x labels and
 * bar charts, as markup strings with no dependencies and no script, so the page stays one offline file.
 *
 * Colours come from CSS classes (`series-<i>`) resolved by CHART_CSS's variables, so the page's light, dark
 * and print themes restyle the charts without redrawing them (no xmlns: the SVG is inline in HTML). Every
 * plotted point carries `data-series` and `data-value` (the number as given, not rounded) so tests and
 * reviewers can read the figures back exactly.
 */

export interface LineSeries {
  name: string;
  /** Palette slot (`series-<i>`), so one model keeps its colour across charts; defaults to its position. */
  colour?: number;
  /** One value per x label; null or NaN leaves a gap in the line. */
  values: readonly (number | null)[];
}

export interface LineChartOptions {
  title: string;
  xLabels: readonly string[];
  series: readonly LineSeries[];
  xTitle: string;
  yTitle: string;
  /** Fixed y range (e.g. 0..1 for accuracy); otherwise taken from the data, widened to nice ticks. */
  yMin?: number;
  yMax?: number;
  /** Tooltips (exact values), and tick labels unless tickFormat is given (ticks are round numbers). */
  format?: (v: number) => string;
  tickFormat?: (v: number) => string;
  width?: number;
  height?: number;
}

export interface BarChartOptions {
  title: string;
  labels: readonly string[];
  values: readonly (number | null)[];
  /** Vertical: columns along x (many bars); horizontal: one row per bar (few bars, long labels). */
  orientation: 'vertical' | 'horizontal';
  valueTitle: string;
  categoryTitle: string;
  /** Bars to set apart (class `highlight`), e.g. the filters that get correction units. */
  highlight?: readonly boolean[];
  format?: (v: number) => string;
  tickFormat?: (v: number) => string;
  width?: number;
  height?: number;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for element content and quoted attribute values alike. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const isNum = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
/** Coordinates rounded so the markup stays short and stable across platforms. */
const c = (v: number): string => String(Math.round(v * 10) / 10);
const defaultFormat = (v: number): string => String(Number(v.toPrecision(4)));

/** Round numbers (1, 2, 2.5, 5 times a power of ten) covering [min, max] in about `count` steps. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  // Values equal up to float rounding (two means of the same counts) would give a step below the values'
  // precision and an unbounded number of ticks: treat them as equal.
  if (!(max - min > 1e-9 * Math.max(1, Math.abs(min), Math.abs(max)))) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    return niceTicks(min - pad, max + pad, count);
  }
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const ticks: number[] = [];
  // Multiplying rather than accumulating keeps ticks like 0.3 free of float drift.
  for (let k = first; k <= last; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

interface Frame {
  left: number;
  top: number;
  width: number;
  height: number;
}

function open(title: string, width: number, height: number, kind: string): string {
  return (
    `<svg class="chart chart-${kind}" viewBox="0 0 ${width} ${height}" ` +
    `role="img" aria-label="${escapeXml(title)}" preserveAspectRatio="xMidYMid meet"><title>${escapeXml(title)}</title>`
  );
}

/** Horizontal gridlines and labels for a value axis drawn vertically. */
function yAxis(
  frame: Frame,
  ticks: readonly number[],
  y: (v: number) => number,
  fmt: (v: number) => string,
): string {
  return ticks
    .map((t) => {
      const py = c(y(t));
      return (
        `<line class="grid" x1="${c(frame.left)}" x2="${c(frame.left + frame.width)}" y1="${py}" y2="${py}"/>` +
        `<text class="tick" x="${c(frame.left - 6)}" y="${py}" text-anchor="end" dominant-baseline="middle">${escapeXml(fmt(t))}</text>`
      );
    })
    .join('');
}

function axisTitles(frame: Frame, xTitle: string, yTitle: string, xOffset: number): string {
  const cx = frame.left + frame.width / 2;
  const cy = frame.top + frame.height / 2;
  return (
    `<text class="axis-title" x="${c(cx)}" y="${c(frame.top + frame.height + xOffset)}" text-anchor="middle">${escapeXml(xTitle)}</text>` +
    `<text class="axis-title" transform="translate(14 ${c(cy)}) rotate(-90)" text-anchor="middle">${escapeXml(yTitle)}</text>`
  );
}

/** Only every k-th category label fits when there are many; the tooltips still name each one. */
function labelStride(count: number, width: number, maxChars: number): number {
  const fit = Math.max(1, Math.floor(width / Math.max(24, maxChars * 7 + 8)));
  return Math.max(1, Math.ceil(count / fit));
}

function legend(series: readonly LineSeries[], x: number, y: number): string {
  let at = x;
  return series
    .map(({ name, colour }, i) => {
      const item =
        `<g class="legend-item series-${colour ?? i}" transform="translate(${c(at)} ${c(y)})">` +
        `<line class="line" x1="0" x2="18" y1="0" y2="0"/><circle class="point" cx="9" cy="0" r="3.5"/>` +
        `<text class="legend-text" x="24" y="0" dominant-baseline="middle">${escapeXml(name)}</text></g>`;
      at += 24 + name.length * 7 + 22;
      return item;
    })
    .join('');
}

function extent(values: readonly number[], lo?: number, hi?: number): [number, number] {
  const min = lo ?? (values.length ? Math.min(...values) : 0);
  const max = hi ?? (values.length ? Math.max(...values) : 1);
  return [min, max];
}

/** A line chart: one polyline per series over categorical x labels, gaps where a value is missing. */
export function lineChart(o: LineChartOptions): string {
  const width = o.width ?? 640;
  const height = o.height ?? 320;
  const fmt = o.format ?? defaultFormat;
  const frame: Frame = { left: 64, top: 36, width: width - 64 - 20, height: height - 36 - 58 };
  const finite = o.series.flatMap((s) => s.values.filter(isNum));
  const [dMin, dMax] = extent(finite, o.yMin, o.yMax);
  const ticks = niceTicks(dMin, dMax, 5);
  const lo = o.yMin ?? Math.min(dMin, ticks[0] ?? dMin);
  const hi = o.yMax ?? Math.max(dMax, ticks[ticks.length - 1] ?? dMax);
  const span = hi - lo || 1;
  const y = (v: number): number => frame.top + frame.height - ((v - lo) / span) * frame.height;
  const n = o.xLabels.length;
  // Categories sit in the middle of equal slots so the first and last points do not touch the axes.
  const x = (i: number): number => frame.left + ((i + 0.5) / Math.max(1, n)) * frame.width;
  const stride = labelStride(n, frame.width, Math.max(1, ...o.xLabels.map((l) => l.length)));

  const xTicks = o.xLabels
    .map((label, i) =>
      i % stride === 0
        ? `<text class="tick" x="${c(x(i))}" y="${c(frame.top + frame.height + 16)}" text-anchor="middle">${escapeXml(label)}</text>`
        : '',
    )
    .join('');
  const body = o.series
    .map((s, si) => {
      const segments: string[] = [];
      let current: string[] = [];
      const points: string[] = [];
      o.xLabels.forEach((label, i) => {
        const v = s.values[i];
        if (!isNum(v)) {
          if (current.length) segments.push(current.join(' '));
          current = [];
          return;
        }
        current.push(`${current.length ? 'L' : 'M'}${c(x(i))} ${c(y(v))}`);
        points.push(
          `<circle class="point" cx="${c(x(i))}" cy="${c(y(v))}" r="3.5" data-series="${escapeXml(s.name)}" ` +
            `data-index="${i}" data-label="${escapeXml(label)}" data-value="${String(v)}">` +
            `<title>${escapeXml(`${s.name}, ${label}: ${fmt(v)}`)}</title></circle>`,
        );
      });
      if (current.length) segments.push(current.join(' '));
      const path = segments.length ? `<path class="line" d="${segments.join(' ')}"/>` : '';
      return `<g class="series series-${s.colour ?? si}" data-series="${escapeXml(s.name)}">${path}${points.join('')}</g>`;
    })
    .join('');
  return (
    open(o.title, width, height, 'line') +
    yAxis(
      frame,
      ticks.filter((t) => t >= lo - 1e-9 && t <= hi + 1e-9),
      y,
      o.tickFormat ?? fmt,
    ) +
    `<line class="axis" x1="${c(frame.left)}" x2="${c(frame.left + frame.width)}" y1="${c(frame.top + frame.height)}" y2="${c(frame.top + frame.height)}"/>` +
    xTicks +
    axisTitles(frame, o.xTitle, o.yTitle, 40) +
    legend(o.series, frame.left, 16) +
    body +
    '</svg>'
  );
}

/** A bar chart from zero (bars below zero point down or left), e.g. filter scores in ranking order. */
export function barChart(o: BarChartOptions): string {
  const horizontal = o.orientation === 'horizontal';
  const n = o.labels.length;
  const width = o.width ?? 640;
  const height = o.height ?? (horizontal ? 48 + n * 22 + 40 : 300);
  const fmt = o.format ?? defaultFormat;
  const tickFmt = o.tickFormat ?? fmt;
  const maxLabel = Math.max(1, ...o.labels.map((l) => l.length));
  const frame: Frame = horizontal
    ? { left: 30 + Math.min(160, maxLabel * 7), top: 16, width: 0, height: height - 16 - 48 }
    : { left: 64, top: 16, width: width - 64 - 20, height: height - 16 - 58 };
  if (horizontal) frame.width = width - frame.left - 24;
  const finite = o.values.filter(isNum);
  const ticks = niceTicks(Math.min(0, ...finite), Math.max(0, ...finite), 5);
  const lo = ticks[0] ?? 0;
  const hi = ticks[ticks.length - 1] ?? 1;
  const span = hi - lo || 1;
  const valueLength = horizontal ? frame.width : frame.height;
  // Position along the value axis, measured from the frame's origin side.
  const v2 = (v: number): number => ((v - lo) / span) * valueLength;
  const slot = (horizontal ? frame.height : frame.width) / Math.max(1, n);
  const thickness = Math.max(1, slot * 0.72);
  const stride = horizontal ? 1 : labelStride(n, frame.width, maxLabel);

  const bars = o.values
    .map((raw, i) => {
      const label = o.labels[i] ?? '';
      const start = slot * i + (slot - thickness) / 2;
      const tick = horizontal
        ? `<text class="tick" x="${c(frame.left - 6)}" y="${c(frame.top + slot * (i + 0.5))}" text-anchor="end" dominant-baseline="middle">${escapeXml(label)}</text>`
        : i % stride === 0
          ? `<text class="tick" x="${c(frame.left + slot * (i + 0.5))}" y="${c(frame.top + frame.height + 16)}" text-anchor="middle">${escapeXml(label)}</text>`
          : '';
      if (!isNum(raw)) return tick;
      const a = Math.min(v2(0), v2(raw));
      const len = Math.max(0.5, Math.abs(v2(raw) - v2(0)));
      const rect = horizontal
        ? `x="${c(frame.left + a)}" y="${c(frame.top + start)}" width="${c(len)}" height="${c(thickness)}"`
        : `x="${c(frame.left + start)}" y="${c(frame.top + frame.height - a - len)}" width="${c(thickness)}" height="${c(len)}"`;
      return (
        `<rect class="bar${o.highlight?.[i] ? ' highlight' : ''}${raw < 0 ? ' negative' : ''}" ${rect} data-label="${escapeXml(label)}" data-value="${String(raw)}">` +
        `<title>${escapeXml(`${label}: ${fmt(raw)}`)}</title></rect>${tick}`
      );
    })
    .join('');

  const grid = horizontal
    ? ticks
        .map((t) => {
          const px = c(frame.left + v2(t));
          return (
            `<line class="grid" x1="${px}" x2="${px}" y1="${c(frame.top)}" y2="${c(frame.top + frame.height)}"/>` +
            `<text class="tick" x="${px}" y="${c(frame.top + frame.height + 16)}" text-anchor="middle">${escapeXml(tickFmt(t))}</text>`
          );
        })
        .join('')
    : yAxis(frame, ticks, (v) => frame.top + frame.height - v2(v), tickFmt);
  const zero = horizontal
    ? `<line class="axis" x1="${c(frame.left + v2(0))}" x2="${c(frame.left + v2(0))}" y1="${c(frame.top)}" y2="${c(frame.top + frame.height)}"/>`
    : `<line class="axis" x1="${c(frame.left)}" x2="${c(frame.left + frame.width)}" y1="${c(frame.top + frame.height - v2(0))}" y2="${c(frame.top + frame.height - v2(0))}"/>`;
  const titles = horizontal
    ? axisTitles(frame, o.valueTitle, o.categoryTitle, 38)
    : axisTitles(frame, o.categoryTitle, o.valueTitle, 40);
  return (
    open(o.title, width, height, 'bar') + grid + zero + `<g class="bars">${bars}</g>` + titles + '</svg>'
  );
}

/** The chart styles; the page defines --fg, --muted, --grid and --series-<i> for its themes. */
export const CHART_CSS = `
svg.chart { width: 100%; height: auto; display: block; font: 12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }
svg.chart .grid { stroke: var(--grid); stroke-width: 1; }
svg.chart .axis { stroke: var(--muted); stroke-width: 1; }
svg.chart .tick { fill: var(--muted); font-size: 11px; font-variant-numeric: tabular-nums; }
svg.chart .axis-title, svg.chart .legend-text { fill: var(--fg); font-size: 12px; }
svg.chart .line { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
svg.chart .point { stroke: var(--bg); stroke-width: 1.5; }
svg.chart .bar { fill: var(--series-0); opacity: 0.55; }
svg.chart .bar.highlight { fill: var(--series-1); opacity: 1; }
${[0, 1, 2, 3, 4, 5]
  .map(
    (i) =>
      `svg.chart .series-${i} .line { stroke: var(--series-${i}); } svg.chart .series-${i} .point { fill: var(--series-${i}); }`,
  )
  .join('\n')}
svg.chart .series-0 .line { stroke-dasharray: 6 4; }
`;
