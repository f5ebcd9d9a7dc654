import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { DEMO_WORKSPACE_ENV, demoWorkspaceDir } from '../../workspace/demo-dir.ts';
import { checkInput, checkOutput, OUTPUT_FOLDER } from '../input-check.ts';
import { nonNegativeInt } from '../options.ts';

export const RENDERER_DIR = fileURLToPath(new URL('../../../../out/renderer/', import.meta.url));
/** Serves a renderer built elsewhere (`vite build --outDir DIR`): side-by-side builds while developing. */
export const RENDERER_DIR_ENV = 'DEEPCORRECT_RENDERER_DIR';

/**
 * The app's own data folder, $XDG_DATA_HOME/deepcorrect (~/.local/share/deepcorrect by default): the folder
 * the demo workspace lives in when no override moves it, and the one browser mode may write to by default.
 */
export function appDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.dirname(demoWorkspaceDir(undefined, { ...env, [DEMO_WORKSPACE_ENV]: '' }));
}

export function rendererDir(): string {
  const custom = process.env[RENDERER_DIR_ENV];
  return custom === undefined || custom === '' ? RENDERER_DIR : `${path.resolve(custom)}${path.sep}`;
}

/** The folders browser mode may use, as `serve` and `start` take them. */
export interface AllowFlags {
  allow?: string[];
  allowRead?: string[];
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** --allow and --allow-read, the same for `serve` and `start` (whose browser mode is serve's). */
export function addAllowOptions(command: Command): Command {
  return command
    .option(
      '--allow <folder>',
      'a folder the UI may open datasets from and write to (repeatable; default: none, the current folder is only read)',
      collect,
    )
    .option(
      '--allow-read <folder>',
      'a folder the UI may open datasets and models from, never write to (repeatable)',
      collect,
    );
}

/**
 * A folder to read must be there (a typo would start a session that can open nothing); a folder to write may
 * be made later, but not under a file.
 */
export async function checkAllowed(flags: AllowFlags): Promise<void> {
  for (const dir of flags.allow ?? []) await checkOutput('--allow', dir, OUTPUT_FOLDER);
  for (const dir of flags.allowRead ?? [])
    await checkInput('--allow-read', dir, { kind: 'file or folder', what: 'a folder (or file) to read' });
}

export function registerServe(program: Command): void {
  addAllowOptions(
    program
      .command('serve')
      .description(
        'browser mode: serve the workbench UI and its engine on 127.0.0.1, behind a per-launch token',
      )
      .option('--port <n>', 'port (0: any free one)', nonNegativeInt, 0),
  ).action(async (opts: AllowFlags & { port: number }) => {
    await checkAllowed(opts);
    const { serveWorkbench } = await import('../serve-workbench.ts');
    await serveWorkbench({ ...opts, backend: program.opts<{ backend?: string }>().backend });
  });
}
