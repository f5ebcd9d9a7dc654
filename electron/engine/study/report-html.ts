/**
 * The study report as one self-contained HTML page (report.html): tables, SVG charts and the full report JSON,
 * with no external resources and no executable script, so researchers and reviewers can open it offline, print
 * it, or archive it next to report.json. Pure: the same report always gives the same bytes.
 *
 * Every string from the report (class names, paths, the command) may hold markup, so all of it goes through
 * escapeXml; a Content-Security-Policy forbidding scripts backs that up should an escape ever be missed.
 */
import type { StudyReport } from '../../../shared/study.ts';
import { PAGE_CSS } from './report-css.ts';
import { header, perClass, perLevel, ranking, summary, timings, trainingSection } from './report-sections.ts';
import { comparisonSection } from './report-comparison.ts';
import { ablationSection } from './report-ablation.ts';
import { escapeXml as esc } from './report-format.ts';

/** JSON in a data block: escaping `<` means no value can close the element or open a comment. */
function embeddedJson(r: StudyReport): string {
  const json = JSON.stringify(r)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return `<script type="application/json" id="deepcorrect-report">${json}</script>`;
}

// No script may run: the page is read, not executed; the JSON block is data, which CSP does not block.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** The whole report.html page for a study report. */
export function renderStudyHtml(report: StudyReport): string {
  const links: [string, string][] = [
    ['summary', 'Summary'],
    ['levels', 'Per level'],
    ['comparison', 'Paired tests'],
    ...((report.variants?.length ?? 0) > 0 ? ([['ablation', 'Ablation']] as [string, string][]) : []),
    ...(report.models.some((m) => m.training) ? ([['training', 'Training']] as [string, string][]) : []),
    ['ranking', 'Ranking'],
    ['classes', 'Per class'],
    ['timings', 'Timings'],
  ];
  const nav = links.map(([id, label]) => `<a href="#${id}">${esc(label)}</a>`).join('');
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>DeepCorrect study: ${esc(report.distortionLabel)}</title><style>${PAGE_CSS}</style></head>` +
    `<body><main><nav>${nav}</nav>` +
    header(report) +
    summary(report) +
    perLevel(report) +
    comparisonSection(report) +
    ablationSection(report) +
    trainingSection(report) +
    ranking(report) +
    perClass(report) +
    timings(report) +
    `<footer>Written by DeepCorrect Workbench, report version ${report.version}. ` +
    'The full report is embedded in this file as JSON (script element #deepcorrect-report).</footer>' +
    `</main>${embeddedJson(report)}</body></html>\n`
  );
}
