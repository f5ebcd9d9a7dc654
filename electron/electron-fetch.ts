/**
 * Fetches Electron's binary on the first `npm start` instead of at install time: the package's own install
 * step downloads from outside the npm registry, so `npm ci` skips it (package.json allowScripts) and an
 * offline machine still installs. A failed fetch is remembered, so later starts open browser mode at once.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './engine/io/atomic-write.ts';

export const FETCH_MARKER = '.deepcorrect-fetch-failed.json';

export interface FetchFailure {
  at: string;
  reason: string;
}

/** The failure recorded by an earlier fetch in this install, if any. */
export function earlierFetchFailure(electronDir: string): FetchFailure | undefined {
  const marker = path.join(electronDir, FETCH_MARKER);
  if (!existsSync(marker)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(marker, 'utf8')) as Partial<FetchFailure>;
    if (typeof parsed.at === 'string' && typeof parsed.reason === 'string')
      return { at: parsed.at, reason: parsed.reason };
  } catch {
    // An unreadable marker still says that a fetch failed.
  }
  return { at: 'an earlier start', reason: 'unknown' };
}

/** The last line of the install step's error that says something (its stack trace says nothing to a user). */
function lastMessage(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('at '));
  return (lines.at(-1) ?? 'no output').slice(0, 300);
}

/**
 * Runs the electron package's own install step (downloads, checks and unpacks the binary for this
 * platform). Resolves with why it failed, or undefined when it worked; records a failure for later starts.
 */
export async function fetchElectronBinary(
  electronDir: string,
  options: { timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<string | undefined> {
  const install = path.join(electronDir, 'install.js');
  if (!existsSync(install)) return `${install} is missing`;
  const failure = await new Promise<string | undefined>((resolve) => {
    const child = spawn(process.execPath, [install], {
      cwd: electronDir,
      env: options.env ?? process.env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-8192);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(`no answer within ${Math.round(options.timeoutMs / 1000)} s`);
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve(error.message);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code === 0 ? undefined : lastMessage(stderr) || `exit ${code ?? signal}`);
    });
  });
  const marker = path.join(electronDir, FETCH_MARKER);
  if (failure === undefined) rmSync(marker, { force: true });
  else
    await writeFileAtomic(
      marker,
      `${JSON.stringify({ at: new Date().toISOString(), reason: failure } satisfies FetchFailure)}\n`,
    );
  return failure;
}
