/**
 * How fast `deepcorrect` answers, from starting node to its exit: help, refusals that need no engine (a missing
 * input, a misspelt option), a dataset summary, and a command that loads the engine. Each case runs the
 * launcher as a user does (bin/deepcorrect.mjs; npx adds about 0.5 s of its own).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoDatasetDir, demoModelDir } from '../electron/engine/resources.ts';
import { round } from './round.ts';

const LAUNCHER = fileURLToPath(new URL('../bin/deepcorrect.mjs', import.meta.url));

export interface CliBenchResult {
  bench: 'cli';
  case: string;
  args: string;
  runs: number;
  /** Wall time from spawning node to its exit. */
  median_ms: number;
  min_ms: number;
  exit_code: number;
  /** The machine's 1-minute load average after the case: wall times mean little on a busy machine. */
  load_1min: number;
}

function timed(args: string[]): Promise<{ ms: number; code: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [LAUNCHER, ...args], (error) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ ms: performance.now() - started, code });
    });
  });
}

/** One JSON line per case, the median and the fastest of `runs` runs. */
export async function benchCli(runs = 3): Promise<CliBenchResult[]> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'dc-bench-cli-'));
  const dataset = demoDatasetDir();
  const cases: { name: string; args: string[]; runs: number }[] = [
    { name: 'help', args: ['--help'], runs },
    {
      name: 'missing-input',
      args: ['evaluate', '--model', path.join(scratch, 'nope'), '--dataset', dataset],
      runs,
    },
    { name: 'unknown-option', args: ['distort', '--input', 'x.png'], runs },
    { name: 'dataset-info', args: ['dataset', 'info', dataset], runs },
    // The engine's start alone: TensorFlow.js and the wasm backend loaded, a backend picked, nothing run.
    { name: 'doctor-engine', args: ['--backend', 'wasm', 'doctor'], runs },
    {
      name: 'evaluate-engine',
      args: [
        'evaluate',
        '--model',
        demoModelDir(),
        '--dataset',
        dataset,
        '--per-class',
        '1',
        '--levels',
        '1',
      ],
      runs,
    },
  ];
  const results: CliBenchResult[] = [];
  try {
    for (const c of cases) {
      const times: number[] = [];
      let code = 0;
      for (let i = 0; i < c.runs; i += 1) {
        const run = await timed(c.args);
        times.push(run.ms);
        code = run.code;
      }
      times.sort((a, b) => a - b);
      results.push({
        bench: 'cli',
        case: c.name,
        // Paths relative to where the bench ran: no machine's folders in the results.
        args: c.args
          .map((a) =>
            a.startsWith(scratch)
              ? path.basename(a)
              : path.isAbsolute(a)
                ? path.relative(process.cwd(), a)
                : a,
          )
          .join(' '),
        runs: c.runs,
        median_ms: round(times[Math.floor(times.length / 2)] ?? NaN, 0),
        min_ms: round(times[0] ?? NaN, 0),
        exit_code: code,
        load_1min: round(loadavg()[0] ?? NaN, 1),
      });
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return results;
}
