import type { StudyReport } from '../../../shared/study.ts';

/**
 * report.html for a report. The page's charts need ECharts, whose import takes most of a second: loaded when a
 * page is drawn, not when any command starts (every `deepcorrect` command would otherwise wait for it).
 */
export async function reportHtml(report: StudyReport): Promise<string> {
  const { renderStudyHtml } = await import('./report-html.ts');
  return renderStudyHtml(report);
}
