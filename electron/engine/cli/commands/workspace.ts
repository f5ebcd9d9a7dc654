import type { Command } from 'commander';
import type { ArtefactSummary, WorkspaceCheck } from '../../../../shared/workspace.ts';
import { checkInput, checkOutput, OUTPUT_FOLDER, WORKSPACE_FOLDER } from '../input-check.ts';

// The workspace code (zod schemas, hashing) loads only when a command gets past its checks.
const workspaceModule = () => import('../../workspace/workspace.ts');

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const out = (line: string): void => void process.stdout.write(`${line}\n`);

function mib(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function table(artefacts: readonly ArtefactSummary[]): string {
  if (artefacts.length === 0) return '(no artefacts)';
  return artefacts
    .map((a) => `${a.id}  ${a.kind}  ${a.status}  ${a.files} files, ${mib(a.bytes)}  ${a.path}  "${a.name}"`)
    .join('\n');
}

function report(check: WorkspaceCheck): void {
  for (const p of check.problems)
    log(`damaged: ${p.artefact === undefined ? '' : `${p.artefact}: `}${p.file}: ${p.problem}`);
  const interrupted = check.artefacts.filter((a) => a.status === 'interrupted');
  for (const a of interrupted)
    log(`interrupted: ${a.id} (${a.kind}): resume its job, or 'deepcorrect workspace discard'`);
}

export function registerWorkspace(program: Command): void {
  const ws = program
    .command('workspace')
    .description('workspaces: one folder of datasets, models, rankings and studies that never loses work');

  ws.command('init <folder>')
    .description('create a workspace (the folder is created if missing)')
    .option('--name <name>', 'its name (default: the folder name)')
    .action(async (folder: string, flags: { name?: string }) => {
      await checkOutput('', folder, OUTPUT_FOLDER);
      const { initWorkspace } = await workspaceModule();
      const manifest = await initWorkspace(folder, flags.name === undefined ? {} : { name: flags.name });
      out(`workspace "${manifest.name}" created in ${folder}`);
    });

  ws.command('list <folder>')
    .description('the artefacts a workspace holds')
    .option('--json', 'print the manifest as JSON', false)
    .action(async (folder: string, flags: { json: boolean }) => {
      await checkInput('', folder, WORKSPACE_FOLDER);
      const { openWorkspace } = await workspaceModule();
      const workspace = await openWorkspace(folder);
      if (flags.json) out(JSON.stringify(workspace.manifest, null, 1));
      else {
        const { manifest } = workspace;
        out(`workspace "${manifest.name}" (${manifest.artefacts.length} artefacts)`);
        out(
          table(
            manifest.artefacts.map((a) => ({
              ...a,
              files: a.files.length,
              bytes: a.files.reduce((s, f) => s + f.size, 0),
            })),
          ),
        );
      }
    });

  ws.command('check <folder>')
    .description('verify the manifest and every file (size and SHA-256); exits 1 when anything is damaged')
    .option('--json', 'print the result as JSON', false)
    .option(
      '--repair',
      'rebuild an unreadable manifest from the folders (the old one goes to backups/)',
      false,
    )
    .action(async (folder: string, flags: { json: boolean; repair: boolean }) => {
      await checkInput('', folder, WORKSPACE_FOLDER);
      const { checkWorkspace } = await import('../../workspace/check.ts');
      const { repairWorkspace } = await import('../../workspace/repair.ts');
      let check = await checkWorkspace(folder);
      const manifestBroken = check.problems.some((p) => p.artefact === undefined);
      if (flags.repair && manifestBroken) {
        const repaired = await repairWorkspace(folder, { log });
        log(
          `repaired: the manifest was rebuilt from the folders (${repaired.manifest.artefacts.length} artefacts); ` +
            `the old one is in ${repaired.backups.join(', ') || '(there was none)'}`,
        );
        check = await checkWorkspace(folder);
      } else if (flags.repair && !check.ok) {
        // Re-recording damaged files would hide the damage: repair is for the manifest, never for data.
        log(
          '--repair rebuilds a damaged manifest; these files are damaged themselves and are left as they are',
        );
      }
      if (flags.json) out(JSON.stringify(check, null, 1));
      else out(table(check.artefacts));
      report(check);
      if (!check.ok) {
        log(`${check.problems.length} problem${check.problems.length === 1 ? '' : 's'} in ${folder}`);
        process.exitCode = 1;
      } else if (!flags.json) out('sound: every file is present with its recorded size and checksum');
    });

  ws.command('discard <folder> <artefact-id>')
    .description('remove an interrupted artefact (its files and its entry)')
    .action(async (folder: string, id: string) => {
      await checkInput('', folder, WORKSPACE_FOLDER);
      const { openWorkspace } = await workspaceModule();
      const workspace = await openWorkspace(folder, {
        write: true,
        tool: 'deepcorrect workspace discard',
        log,
      });
      try {
        const artefact = await workspace.discard(id);
        out(`discarded ${artefact.id} (${artefact.kind}, ${artefact.path})`);
      } finally {
        await workspace.close();
      }
    });
}
