/** Number formats and small HTML builders shared by the report's sections. */
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
const esc = escapeXml;

/** What a missing value (NaN in memory, null in JSON, an absent field) prints as. */
export const DASH = '—';

export const ok = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const LEVEL = new Intl.NumberFormat('en-US', { maximumFractionDigits: 4, useGrouping: false });

/** Accuracies and shares: 85.25%. */
export const formatPercent = (v: number | null | undefined, digits = 2): string =>
  ok(v) ? `${(v * 100).toFixed(digits)}%` : DASH;
export const formatInt = (v: number | null | undefined): string => (ok(v) ? INT.format(v) : DASH);
export const formatNumber = (v: number | null | undefined, digits: number): string =>
  ok(v)
    ? new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(
        v,
      )
    : DASH;
export const formatLevel = (v: number): string => LEVEL.format(v);

export function formatSeconds(v: number | null | undefined): string {
  if (!ok(v)) return DASH;
  if (v < 60) return `${v.toFixed(1)} s`;
  const s = Math.round(v);
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)} min ${pad(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${pad(Math.floor((s % 3600) / 60))} min`;
}

/** ISO times read the same in every time zone; anything unparseable is shown as given. */
export function formatTime(s: string): string {
  const d = new Date(s);
  return Number.isNaN(d.getTime())
    ? s
    : d
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC');
}

export const td = (text: string, cls = ''): string => `<td${cls ? ` class="${cls}"` : ''}>${esc(text)}</td>`;
export const num = (text: string, best = false): string => td(text, best ? 'num best' : 'num');
export const th = (text: string, attrs = ''): string => `<th${attrs}>${esc(text)}</th>`;
export const rowHead = (text: string): string => `<th scope="row">${esc(text)}</th>`;

export function table(head: string, rows: readonly string[], caption = '', cls = ''): string {
  const cap = caption ? `<caption>${esc(caption)}</caption>` : '';
  const body = rows.map((r) => `<tr>${r}</tr>`).join('');
  return `<div class="table-wrap"><table${cls ? ` class="${cls}"` : ''}>${cap}<thead>${head}</thead><tbody>${body}</tbody></table></div>`;
}

export function figure(svg: string, caption: string): string {
  return `<figure class="chart-box">${svg}<figcaption>${esc(caption)}</figcaption></figure>`;
}

export const maxOf = (values: readonly number[]): number => Math.max(...values.filter(ok));
export const mean = (values: readonly number[]): number =>
  values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;
