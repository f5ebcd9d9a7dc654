import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface ServeProcess {
  url: string;
  /** Milliseconds from spawning `deepcorrect serve` to its "ready" line (engine host up, backend chosen). */
  readyMs: number;
  stop(): Promise<void>;
  log: string[];
}

/**
 * Starts `deepcorrect serve` as a user would, and waits for the URL it prints. Unless the caller names one,
 * the demo workspace goes to a temporary folder (removed on stop), so tests and benchmarks never write into
 * the user's own demo workspace.
 */
export async function startServe(
  args: string[] = [],
  /** Extra environment for the server (and the engine host it starts), e.g. DEEPCORRECT_DEMO_WORKSPACE. */
  env: Record<string, string> = {},
): Promise<ServeProcess> {
  const started = performance.now();
  const demo =
    env.DEEPCORRECT_DEMO_WORKSPACE === undefined
      ? mkdtempSync(path.join(tmpdir(), 'dc-demo-workspace-'))
      : undefined;
  const child: ChildProcess = spawn('node', ['bin/deepcorrect.mjs', 'serve', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...(demo === undefined ? {} : { DEEPCORRECT_DEMO_WORKSPACE: path.join(demo, 'demo-workspace') }),
      ...env,
    },
  });
  const log: string[] = [];
  child.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${log.join('')}`)));
  });
  const readyMs = performance.now() - started;
  return {
    url,
    readyMs,
    log,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => {
          if (demo !== undefined) rmSync(demo, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
