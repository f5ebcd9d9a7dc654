/** The page's inline style sheet: light, dark and print themes; the charts' colours are its variables. */
export const PAGE_CSS = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --grid: #e8eaed; --border: #d0d7de;
  --head: #f6f8fa; --best: #dafbe1; --series-1: #0969da; --series-2: #d1480b; --series-3: #1a7f37; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --grid: #262c36; --border: #3d444d; --head: #151b23;
    --best: #12361f; --series-1: #4493f8; --series-2: #f0883e; --series-3: #3fb950; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 32px 32px 64px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 40px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--border); }
h3 { font-size: 16px; margin: 24px 0 6px; }
.lede { color: var(--muted); margin: 0 0 16px; }
nav { display: flex; gap: 16px; flex-wrap: wrap; font-size: 13px; margin: 0 0 8px; }
nav a { color: var(--series-1); text-decoration: none; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; font-size: 13px; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
pre { margin: 0; padding: 8px 10px; background: var(--head); border: 1px solid var(--border); border-radius: 6px;
  white-space: pre-wrap; overflow-wrap: anywhere; font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.table-wrap { overflow-x: auto; margin: 8px 0 12px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
table.compact { width: auto; min-width: 50%; }
caption { caption-side: top; text-align: left; color: var(--muted); font-size: 13px; padding-bottom: 6px; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--border); text-align: left; vertical-align: top; }
thead th { background: var(--head); font-weight: 600; font-size: 13px; }
th.group { text-align: center; }
tbody th { font-weight: 500; overflow-wrap: anywhere; }
table.summary tbody th { white-space: nowrap; }
.sub { display: block; color: var(--muted); font-size: 12px; font-weight: 400; }
.num { text-align: right; white-space: nowrap; }
td.best { background: var(--best); font-weight: 700; }
.muted, .note, .facts { color: var(--muted); }
.note, .facts { font-size: 13px; margin: 4px 0 12px; }
.filters { font-size: 13px; overflow-wrap: anywhere; }
figure.chart-box { margin: 12px 0 16px; padding: 12px; border: 1px solid var(--border); border-radius: 8px; }
figure.chart-box svg { display: block; width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 12px; margin-top: 6px; }
.chart-row { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
article.layer { margin-bottom: 24px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media print {
  :root { --bg: #ffffff; --fg: #000000; --muted: #444c56; --grid: #e1e4e8; --border: #c8ccd1; --head: #f3f4f6;
    --best: #e3f5e8; --series-1: #0550ae; --series-2: #bc4c00; }
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  figure, table, article.layer h3 { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  .chart-row { grid-template-columns: 1fr 1fr; }
}
`;
