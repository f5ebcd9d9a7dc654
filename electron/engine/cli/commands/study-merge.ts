import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
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
 * The merge's flags. `study` has a --workspace and a --json of its own, and commander gives an option typed
 * after a subcommand to the first command up the line that knows it (the root's options are not positional),
 * so those two arrive in the study's options; any other of the study's options is refused, not ignored.
 */
function mergeFlags(study: Command, own: MergeFlags): MergeFlags {
  const typed = study.options
    .map((o) => o.attributeName())
    .filter((name) => study.getOptionValueSource(name) === 'cli');
  const stray = typed.filter((name) => name !== 'workspace' && name !== 'json');
  if (stray.length > 0)
    throw new InvalidArgumentError(
      `'study merge' takes --workspace and --json only, not ${stray.map((n) => `--${n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')}: the seed tasks' records hold the study's settings`,
    );
  const parent = study.opts<Partial<MergeFlags>>();
  const workspace = own.workspace ?? (typed.includes('workspace') ? parent.workspace : undefined);
  return {
    ...(workspace === undefined ? {} : { workspace }),
    json: own.json || (typed.includes('json') && parent.json === true),
  };
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
      const flags = mergeFlags(study, own);
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
