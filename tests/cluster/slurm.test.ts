// The Slurm recipe of docs/cluster.md on a real one-node cluster (slurm-cluster.ts): the shipped job scripts
// (scripts/cluster/) rank the demo model in 4 shards as a job array, merge the parts in a dependent job, and
// the merged ranking equals the one-process ranking in every field but the timings.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  slurmUnavailable,
  startSlurmCluster,
  type CommandResult,
  type SlurmCluster,
} from './slurm-cluster.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCRIPTS = path.join(ROOT, 'scripts/cluster');
const BIN = path.join(ROOT, 'bin/deepcorrect.mjs');
const SHARDS = 4;
/** The ranking both ways: small enough that 4 shards on 2 CPUs and the one-process run take well under a minute. */
const RANK = [
  ...['--model', path.join(ROOT, 'resources/models/fashion-mnist-cnn4')],
  ...['--dataset', path.join(ROOT, 'resources/datasets/fashion-mnist-demo')],
  ...['--rank-images', '40', '--levels', '1,2', '--layers', 'conv1', '--method', 'oracle'],
];
const BACKEND = 'wasm';
/** A 2-seed study of the bundled demo in a few seconds a seed (tests/faults' smallest study). */
const SEEDS = 2;
const STUDY = [
  ...['--levels', '1,3', '--epochs', '1', '--layers', 'conv2', '--beta', '0.25', '--rank', 'proxy'],
  ...['--rank-per-class', '2', '--train-per-class', '6', '--test-per-class', '5', '--batch', '32'],
  ...['--optimizer', 'adam', '--unit-lr', '0.001', '--finetune-lr', '0.001', '--replicas', '1'],
];

const skipReason = slurmUnavailable();
if (skipReason !== undefined)
  process.stdout.write(`[slurm] the one-node cluster tests are skipped: ${skipReason}\n`);

function run(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(file, args, { env, cwd, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The state of every job (array tasks one by one) of the given ids, from scontrol. */
async function jobStates(cluster: SlurmCluster, ids: readonly string[]): Promise<Map<string, string>> {
  const states = new Map<string, string>();
  for (const id of ids) {
    const show = await cluster.slurm('scontrol', ['show', 'job', '--oneliner', id]);
    if (show.code !== 0) throw new Error(`scontrol show job ${id}: ${show.stderr}`);
    for (const line of show.stdout.trim().split('\n')) {
      const task = /ArrayJobId=(\d+) ArrayTaskId=(\S+)/.exec(line);
      const job = /JobId=(\d+)/.exec(line);
      const state = /JobState=(\S+)/.exec(line)?.[1] ?? 'UNKNOWN';
      states.set(task !== null ? `${task[1]}_${task[2]}` : (job?.[1] ?? line), state);
    }
  }
  return states;
}

const DONE = new Set([
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
  'NODE_FAIL',
  'OUT_OF_MEMORY',
  'BOOT_FAIL',
]);

/**
 * Waits until every job of `ids` has ended (scontrol keeps them: MinJobAge is an hour) and returns their
 * states; fails on timeout with the states, the job logs of `work` and the daemons' log tails.
 */
async function waitForJobs(
  cluster: SlurmCluster,
  ids: readonly string[],
  work: string,
  timeoutMs: number,
): Promise<Map<string, string>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await jobStates(cluster, ids);
    if ([...states.values()].every((s) => DONE.has(s))) return states;
    if (Date.now() > deadline) {
      throw new Error(
        `jobs ${ids.join(', ')} not done in ${timeoutMs / 1000} s: ${JSON.stringify([...states])}\n` +
          `${await jobLogs(work)}\n${cluster.logTails()}`,
      );
    }
    await sleep(500);
  }
}

/** Every job log (*.out) of the work folder, for a failure message. */
async function jobLogs(work: string): Promise<string> {
  const logs = (await readdir(work)).filter((f) => f.endsWith('.out')).sort();
  const texts = await Promise.all(
    logs.map(async (f) => `--- ${f}\n${(await readFile(path.join(work, f), 'utf8')).trimEnd()}`),
  );
  return texts.join('\n');
}

/** Fields that measure time, which differ run to run (a ranking's seconds, a study's speeds and totals). */
const TIMINGS = new Set(['seconds', 'imagesPerSecond', 'totalSeconds']);

/** A result with its timings left out, at any depth: every other field must be equal. */
function withoutTimings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimings);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !TIMINGS.has(key))
      .map(([key, v]) => [key, withoutTimings(v)]),
  );
}

describe('a one-node Slurm cluster', () => {
  let started: SlurmCluster | undefined;
  const running = (): SlurmCluster => {
    if (started === undefined) throw new Error('the cluster did not start (see beforeAll)');
    return started;
  };
  const work = mkdtempSync(path.join(tmpdir(), 'dc-slurm-work-'));

  beforeAll(async () => {
    if (skipReason === undefined) started = await startSlurmCluster({ cpus: 2 });
  });
  afterAll(async () => {
    await started?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('runs an array job: every index once, each told the array size', async (ctx) => {
    ctx.skip(skipReason !== undefined, skipReason);
    const cluster = running();
    const dir = path.join(work, 'sanity');
    await mkdir(dir);
    const submit = await cluster.slurm(
      'sbatch',
      [
        '--parsable',
        '--array=0-3',
        '--output=sanity-%A_%a.out',
        '--wrap',
        'echo "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT"',
      ],
      { cwd: dir },
    );
    expect(submit.code, submit.stderr).toBe(0);
    const id = submit.stdout.trim().split(';')[0] ?? '';
    const states = await waitForJobs(cluster, [id], dir, 30_000);
    expect([...states.keys()].sort()).toEqual([0, 1, 2, 3].map((i) => `${id}_${i}`));
    expect([...states.values()], await jobLogs(dir)).toEqual(Array(4).fill('COMPLETED'));
    const lines = await Promise.all(
      [0, 1, 2, 3].map(async (i) => (await readFile(path.join(dir, `sanity-${id}_${i}.out`), 'utf8')).trim()),
    );
    expect(lines).toEqual(['0/4', '1/4', '2/4', '3/4']);
  });

  it('ranks the demo model in 4 shards with scripts/cluster, merges after the array, and equals one process', async (ctx) => {
    ctx.skip(skipReason !== undefined, skipReason);
    const cluster = running();
    const env: NodeJS.ProcessEnv = {
      ...cluster.env,
      DEEPCORRECT_BACKEND: BACKEND,
      PARTS_DIR: 'parts',
      RANKING_OUT: 'ranking.json',
      DEEPCORRECT_BIN: BIN,
    };
    const submit = await run(path.join(SCRIPTS, 'submit-ranking.sh'), [String(SHARDS), ...RANK], env, work);
    expect(submit.code, submit.stderr).toBe(0);
    const [arrayId = '', mergeId = ''] = submit.stdout.trim().split(/\s+/);
    expect(arrayId).toMatch(/^\d+$/);
    expect(mergeId).toMatch(/^\d+$/);

    // The one-process ranking runs meanwhile, as the cluster's jobs would compete for the same 2 CPUs anyway.
    const one = run(
      'node',
      [BIN, '--backend', BACKEND, 'rank', ...RANK, '--out', 'one.json'],
      process.env,
      work,
    );
    const states = await waitForJobs(cluster, [arrayId, mergeId], work, 100_000);
    const logs = await jobLogs(work);
    expect([...states.entries()].sort(), logs).toEqual(
      [...[0, 1, 2, 3].map((i) => [`${arrayId}_${i}`, 'COMPLETED']), [mergeId, 'COMPLETED']].sort(),
    );
    const single = await one;
    expect(single.code, single.stderr).toBe(0);

    // Each task wrote its own part, and the merge the ranking.
    expect((await readdir(path.join(work, 'parts'))).sort()).toEqual(
      [0, 1, 2, 3].map((i) => `part-${i}.json`),
    );
    expect(existsSync(path.join(work, 'ranking.json')), logs).toBe(true);
    const merged = JSON.parse(await readFile(path.join(work, 'ranking.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const alone = JSON.parse(await readFile(path.join(work, 'one.json'), 'utf8')) as Record<string, unknown>;
    // The merge records its shards (count and each one's seconds); the rest is the one-process file's.
    const { shards, ...rest } = merged;
    expect(shards).toEqual({ count: SHARDS, seconds: expect.any(Array) as unknown });
    expect(alone.layers).toHaveLength(1);
    expect((alone.layers as { tau: number[]; order: number[] }[])[0]?.order).toHaveLength(32);
    expect(withoutTimings(rest)).toEqual(withoutTimings(alone));
  });

  it('a lost part: the merge refuses, naming its index; re-running that index alone, as docs/cluster.md says, mends it', async (ctx) => {
    ctx.skip(skipReason !== undefined, skipReason);
    const cluster = running();
    // The previous test's parts and one-process ranking; a task that failed leaves no part, as here.
    const alone = JSON.parse(await readFile(path.join(work, 'one.json'), 'utf8')) as Record<string, unknown>;
    await rm(path.join(work, 'parts', 'part-2.json'));
    const env: NodeJS.ProcessEnv = {
      ...cluster.env,
      DEEPCORRECT_BACKEND: BACKEND,
      PARTS_DIR: 'parts',
      DEEPCORRECT_BIN: BIN,
    };
    const sbatch = async (args: string[], extra: NodeJS.ProcessEnv = {}) => {
      const r = await cluster.slurm('sbatch', ['--parsable', ...args], {
        cwd: work,
        env: { ...env, ...extra },
      });
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.trim().split(';')[0] ?? '';
    };

    const refused = await sbatch([path.join(SCRIPTS, 'rank-merge.sbatch')], { RANKING_OUT: 'refused.json' });
    expect((await waitForJobs(cluster, [refused], work, 60_000)).get(refused)).toBe('FAILED');
    const log = await readFile(path.join(work, `deepcorrect-rank-merge-${refused}.out`), 'utf8');
    expect(log).toMatch(/missing shard 2 \(of 4\)/);
    expect(existsSync(path.join(work, 'refused.json'))).toBe(false);

    // docs/cluster.md: SHARDS=4 sbatch --array=2 scripts/cluster/rank.sbatch ..., then the merge after it.
    const again = await sbatch(['--array=2', path.join(SCRIPTS, 'rank.sbatch'), ...RANK], {
      SHARDS: String(SHARDS),
    });
    const merge = await sbatch([`--dependency=afterok:${again}`, path.join(SCRIPTS, 'rank-merge.sbatch')], {
      RANKING_OUT: 'mended.json',
    });
    const states = await waitForJobs(cluster, [again, merge], work, 90_000);
    expect([...states.values()], await jobLogs(work)).toEqual(['COMPLETED', 'COMPLETED']);
    const { shards, ...mended } = JSON.parse(
      await readFile(path.join(work, 'mended.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(shards).toEqual({ count: SHARDS, seconds: expect.any(Array) as unknown });
    expect(withoutTimings(mended)).toEqual(withoutTimings(alone));
  });

  it('splits a 2-seed study by seed with scripts/cluster, merges after the array, and equals the one-process study', async (ctx) => {
    ctx.skip(skipReason !== undefined, skipReason);
    const cluster = running();
    const env: NodeJS.ProcessEnv = {
      ...cluster.env,
      DEEPCORRECT_BACKEND: BACKEND,
      STUDY_DIR: 'split',
      DEEPCORRECT_BIN: BIN,
    };
    const submit = await run(path.join(SCRIPTS, 'submit-study.sh'), [String(SEEDS), ...STUDY], env, work);
    expect(submit.code, submit.stderr).toBe(0);
    const [arrayId = '', mergeId = ''] = submit.stdout.trim().split(/\s+/);
    const one = run(
      'node',
      [BIN, 'study', ...STUDY, '--seeds', String(SEEDS), '--out', 'whole'],
      { ...process.env, DEEPCORRECT_BACKEND: BACKEND },
      work,
    );
    const states = await waitForJobs(cluster, [arrayId, mergeId], work, 100_000);
    expect([...states.entries()].sort(), await jobLogs(work)).toEqual(
      [...[0, 1].map((i) => [`${arrayId}_${i}`, 'COMPLETED']), [mergeId, 'COMPLETED']].sort(),
    );
    const whole = await one;
    expect(whole.code, whole.stderr).toBe(0);

    const read = async (dir: string, file: string) => readFile(path.join(work, dir, file), 'utf8');
    expect(await read('split', 'study.json')).toEqual(await read('whole', 'study.json'));
    const report = async (dir: string) => {
      const { createdAt, command, ...rest } = JSON.parse(await read(dir, 'report.json')) as Record<
        string,
        unknown
      >;
      expect(createdAt).toEqual(expect.any(String));
      // The merged report records the command that runs the whole study: the tasks' own, less --seed-index.
      const whole = String(command)
        .replace(/ --out \S+/, '')
        .replace(/ --resume\b/, '');
      return { command: whole, ...(withoutTimings(rest) as object) };
    };
    const merged = await report('split');
    expect(merged.command).toMatch(/--seeds 2/);
    expect(merged.command).not.toMatch(/--seed-index/);
    expect(merged).toEqual(await report('whole'));
  });
});
