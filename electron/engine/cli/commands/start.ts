import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { ELECTRON_DIR, electronBinary } from '../../../electron-binary.ts';
import { earlierFetchFailure, fetchElectronBinary } from '../../../electron-fetch.ts';
import { addAllowOptions, checkAllowed, type AllowFlags } from './serve.ts';

const MAIN = fileURLToPath(new URL('../../../../out/main/index.mjs', import.meta.url));
/** Enough for Electron's ~100 MB download on a slow line; an offline machine fails in about a second. */
const FETCH_TIMEOUT_MS = 10 * 60_000;

/** Why a desktop window cannot open here whatever Electron does, or undefined when it can. */
export function noDisplay(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | undefined {
  if (platform !== 'linux') return undefined;
  const set = (name: string): boolean => (env[name] ?? '') !== '';
  return set('DISPLAY') || set('WAYLAND_DISPLAY')
    ? undefined
    : 'no display (DISPLAY and WAYLAND_DISPLAY are unset)';
}

/** The Electron executable to open the desktop app with, fetching it on the first start; or why there is none. */
async function desktopBinary(say: (line: string) => void): Promise<{ path: string } | { reason: string }> {
  const headless = noDisplay(process.env, process.platform);
  if (headless !== undefined) return { reason: headless };
  const binary = electronBinary();
  if (binary.found) return binary;
  if (!binary.fetchable) return binary;
  const earlier = earlierFetchFailure(ELECTRON_DIR);
  if (earlier !== undefined)
    return {
      reason: `Electron's binary could not be downloaded at ${earlier.at} (${earlier.reason}); \`npm run fetch-electron\` tries again`,
    };
  say("Downloading Electron's binary (first start only, about 100 MB)...");
  const failure = await fetchElectronBinary(ELECTRON_DIR, { timeoutMs: FETCH_TIMEOUT_MS });
  if (failure !== undefined)
    return {
      reason: `Electron's binary could not be downloaded (${failure}); \`npm run fetch-electron\` tries again`,
    };
  const fetched = electronBinary();
  return fetched.found ? fetched : { reason: fetched.reason };
}

export function registerStart(program: Command): void {
  addAllowOptions(
    program
      .command('start')
      .description('open the workbench: the desktop app where Electron can run, otherwise browser mode')
      .option('--browser', 'use browser mode even where the desktop app could start'),
  ).action(async (opts: AllowFlags & { browser?: boolean }) => {
    const say = (line: string): void => void process.stdout.write(`${line}\n`);
    await checkAllowed(opts);
    const allowed = [...(opts.allow ?? []), ...(opts.allowRead ?? [])].length > 0;
    if (!opts.browser) {
      const desktop = await desktopBinary(say);
      if ('path' in desktop) {
        if (!existsSync(MAIN))
          throw new Error(`the desktop app is not built (${MAIN}): run \`npm run build\``);
        // The desktop app opens what its own dialogs choose; the folders matter to browser mode alone.
        if (allowed)
          say(
            '--allow and --allow-read apply to browser mode (--browser); the desktop app opens any folder you choose.',
          );
        const child = spawn(desktop.path, [MAIN], { stdio: 'inherit' });
        await new Promise<void>((resolve) => child.on('exit', () => resolve()));
        return;
      }
      say(
        `The desktop app cannot start here: ${desktop.reason}.\nOpening browser mode instead: open the URL below in a browser on this machine.`,
      );
    }
    const { serveWorkbench } = await import('../serve-workbench.ts');
    await serveWorkbench({
      port: 0,
      ...(opts.allow === undefined ? {} : { allow: opts.allow }),
      ...(opts.allowRead === undefined ? {} : { allowRead: opts.allowRead }),
      backend: program.opts<{ backend?: string }>().backend,
    });
  });
}
