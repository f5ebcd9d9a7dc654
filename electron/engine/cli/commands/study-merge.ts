import path from 'node:path';
import type { Command } from 'commander';
import { subcommandFlags } from '../subcommand-flags.ts';
import { commandLine } from '../command-line.ts';
import { checkInput, checkWorkspaceFolder, type Expected } from '../input-check.ts';
import { summaryTable } from '../study-summary.ts';

const STUDY_FOLDER: Expected = {
  kind: 'folder',
  what: 'a study folder the seed tasks wrote (deepcorrect study --seeds N --seed-index K --out <folder>)',
};

interface MergeFlags {
  workspace?: string;
  json: boolean;
}

/**
 * `deepcorrect study merge <folder>`: the report of a study split by seed, once every seed's task has
 * finished. No model or dataset is opened, so it runs in a second on a login node.
 */
export function registerStudyMerge(study: Command): void {
  study
    .command('merge <folder>')
    .description(
      "write the report of a study run as one task per seed (--seed-index) once every task has finished: study.json, report.json, report.html, as 'deepcorrect study --seeds N' writes them",
    )
    .option(
      '--workspace <folder>',
      'also register the merged study in this workspace (a copy under studies/<id>, checksummed)',
    )
    .option('--json', 'print report.json instead of the table', false)
    .action(async (folder: string, own: MergeFlags) => {
      const flags = subcommandFlags(
        study,
        'merge',
        own,
        ['workspace', 'json'],
        "the seed tasks' records hold the study's settings",
      );
      await checkInput('', folder, STUDY_FOLDER);
      if (flags.workspace !== undefined) await checkWorkspaceFolder('--workspace', flags.workspace);
      const log = (line: string): void => void process.stderr.write(`${line}\n`);
      const { mergeStudy } = await import('../../study/merge-study.ts');
      const merged = await mergeStudy(folder);
      let shown = merged.outDir;
      if (flags.workspace !== undefined) {
        const { registerStudyCopy } = await import('../../workspace/run-study-in-workspace.ts');
        const copy = await registerStudyCopy(flags.workspace, merged.outDir, merged.config, {
          command: merged.report.command ?? commandLine(),
          tool: 'deepcorrect study merge',
          log,
        });
        shown = copy.outDir;
      }
      const { report } = merged;
      if (flags.json) process.stdout.write(`${JSON.stringify({ ...report, outDir: shown }, null, 1)}\n`);
      else {
        process.stdout.write(summaryTable(report));
        process.stdout.write(
          `report: ${path.join(shown, 'report.html')} (numbers: report.json); ` +
            `${report.totalSeconds.toFixed(0)} s of compute over ${merged.config.seeds?.length ?? 1} seed tasks on ${report.backend}\n`,
        );
      }
    });
}
