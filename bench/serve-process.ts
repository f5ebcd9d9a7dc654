import { spawn, type ChildProcess } from 'node:child_process';

export interface ServeProcess {
  url: string;
  /** Milliseconds from spawning `deepcorrect serve` to its "ready" line (engine host up, backend chosen). */
  readyMs: number;
  stop(): Promise<void>;
  log: string[];
}

/** Starts `deepcorrect serve` as a user would, and waits for the URL it prints. */
export async function startServe(args: string[] = []): Promise<ServeProcess> {
  const started = performance.now();
  const child: ChildProcess = spawn('node', ['bin/deepcorrect.mjs', 'serve', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
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
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
