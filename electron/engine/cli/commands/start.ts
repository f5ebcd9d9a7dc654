import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { electronBinary } from '../../../electron-binary.ts';
import { serveWorkbench } from './serve.ts';

const MAIN = fileURLToPath(new URL('../../../../out/main/index.mjs', import.meta.url));

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('open the workbench: the desktop app where Electron is installed, otherwise browser mode')
    .option('--browser', 'use browser mode even where the desktop app could start')
    .action(async (opts: { browser?: boolean }) => {
      const electron = electronBinary();
      if (!opts.browser && electron.found) {
        if (!existsSync(MAIN))
          throw new Error(`the desktop app is not built (${MAIN}): run \`npm run build\``);
        const child = spawn(electron.path, [MAIN], { stdio: 'inherit' });
        await new Promise<void>((resolve) => child.on('exit', () => resolve()));
        return;
      }
      if (!opts.browser && !electron.found) {
        process.stdout.write(
          `The desktop app cannot start here: ${electron.reason}.\nOpening browser mode instead: open the URL below in a browser on this machine.\n`,
        );
      }
      await serveWorkbench({ port: 0, backend: program.opts<{ backend?: string }>().backend });
    });
}
