import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { STUDY_REPORT_VERSION, type StudyReport } from '../../../shared/study.ts';
import { reportHtml } from './report-page.ts';
import { StudyFolderError } from './study-folder.ts';

/**
 * A finished study from its folder: report.json, checked enough that the views and the page can rely on its
 * shape, and report.html rendered anew from it (so a page lost or edited by hand does not matter) unless
 * `html` is false (the first rendering loads the chart library, seconds; the views need the report only).
 */
export async function openStudy(
  folder: string,
  options: { html?: boolean } = {},
): Promise<{ path: string; report: StudyReport; html?: string }> {
  const dir = path.resolve(folder);
  const file = path.join(dir, 'report.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new StudyFolderError(
      dir,
      code === 'ENOENT'
        ? 'holds no report.json: not a study folder, or its study has not finished (resume it)'
        : `report.json is unreadable (${code ?? String(error)})`,
    );
  }
  let report: StudyReport;
  try {
    report = JSON.parse(text) as StudyReport;
  } catch (error) {
    throw new StudyFolderError(dir, `report.json is not JSON (${(error as Error).message})`);
  }
  const version: unknown = (report as { version?: unknown }).version;
  const expected: number = STUDY_REPORT_VERSION;
  if (version !== expected)
    throw new StudyFolderError(dir, `report.json has version ${String(version)}, not ${expected}`);
  const roles = Array.isArray(report.models) ? report.models.map((m) => m.role).join(',') : '';
  if (roles !== 'baseline,fine-tuned,deepcorrect' || !Array.isArray(report.config?.levels))
    throw new StudyFolderError(dir, 'report.json is not a complete study report (models or levels missing)');
  for (const m of report.models)
    if (!Array.isArray(m.top1) || m.top1.length !== report.config.levels.length + 1)
      throw new StudyFolderError(
        dir,
        `report.json: ${m.role} has ${m.top1?.length ?? 0} accuracies, not ${report.config.levels.length + 1}`,
      );
  return options.html === false
    ? { path: dir, report }
    : { path: dir, report, html: await reportHtml(report) };
}
