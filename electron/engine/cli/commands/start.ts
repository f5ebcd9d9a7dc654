import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { serveWorkbench } from './serve.ts';

const MAIN = fileURLToPath(new URL('../../../../out/main/index.mjs', import.meta.url));

/**
 * The Electron binary, or why there is none: the `electron` package fetches it on first install, which fails
 * offline, leaving the package without `dist/`.
 */
export function electronBinary(): { path: string } | { missing: string } {
  let packageDir: string;
  try {
    packageDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { missing: 'the electron package is not installed' };
  }
  const pathFile = path.join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return { missing: `Electron's binary was never downloaded (no ${pathFile})` };
  const binary = path.join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? { path: binary } : { missing: `${binary} is missing` };
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('open the workbench: the desktop app where Electron is installed, otherwise browser mode')
    .option('--browser', 'use browser mode even where the desktop app could start')
    .action(async (opts: { browser?: boolean }) => {
      const electron = electronBinary();
      if (!opts.browser && 'path' in electron) {
        if (!existsSync(MAIN))
          throw new Error(`the desktop app is not built (${MAIN}): run \`npm run build\``);
        const child = spawn(electron.path, [MAIN], { stdio: 'inherit' });
        await new Promise<void>((resolve) => child.on('exit', () => resolve()));
        return;
      }
      if (!opts.browser && 'missing' in electron) {
        process.stdout.write(
          `The desktop app cannot start here: ${electron.missing}.\nOpening browser mode instead: open the URL below in a browser on this machine.\n`,
        );
      }
      await serveWorkbench({ port: 0, backend: program.opts<{ backend?: string }>().backend });
    });
}
