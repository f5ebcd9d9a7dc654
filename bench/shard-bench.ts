/**
 * A ranking split into shards run as local processes, against the same ranking in one process (issue 19: N
 * shards as N processes must not be slower than one process per core). The engine's wasm backend runs on one
 * thread in Node, so one process uses one core; each case is the `deepcorrect` command a user or a scheduler
 * runs, timed from spawning the processes to the merged file. The shards' merged ranking is checked equal to
 * the one process's, figure for figure, so the speed is not bought with a different answer.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PAPER_PRESETS } from '../shared/distortions.ts';
import type { RankingResult } from '../electron/engine/rank/types.ts';
import { demoDatasetDir, demoModelDir } from '../electron/engine/resources.ts';
import { round } from './round.ts';

const LAUNCHER = fileURLToPath(new URL('../bin/deepcorrect.mjs', import.meta.url));

export interface ShardBenchResult {
  bench: 'rank-shards';
  backend: 'wasm';
  method: 'oracle';
  shards: number;
  /** Local processes run at once: the shards, or the one unsharded run. */
  processes: number;
  cores: number;
  ranking_images: number;
  levels: number;
  filters: number;
  /** From spawning the processes to the ranking file (for shards: the merge included). */
  wall_s: number;
  /** The merge alone (0 for the unsharded run). */
  merge_s: number;
  /** The one-process wall time over this one (1 for the unsharded run). */
  speedup: number;
  /** Every tau, error count, order and proxy equal to the unsharded run's. */
  equal_to_one_process: boolean;
  load_1min: number;
}

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [LAUNCHER, ...args], { maxBuffer: 1 << 24 }, (error, _out, stderr) => {
      if (error === null) resolve();
      else reject(new Error(`deepcorrect ${args.slice(0, 2).join(' ')} failed: ${stderr.trim()}`));
    });
  });
}

function figures(r: RankingResult): string {
  const { seconds: _s, shards: _sh, ...rest } = r;
  return JSON.stringify({ ...rest, layers: r.layers.map(({ seconds: _ls, ...l }) => l) });
}

/** One JSON line for the unsharded run and one per shard count in `counts`. */
export async function benchShards(counts: readonly number[] = [2]): Promise<ShardBenchResult[]> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'dc-bench-shards-'));
  const levels = [...PAPER_PRESETS['paper-cifar'].blur];
  const rank = [
    'rank',
    '--model',
    demoModelDir(),
    '--dataset',
    demoDatasetDir(),
    '--per-class',
    '10',
    '--levels',
    levels.join(','),
    '--method',
    'oracle',
    '--backend',
    'wasm',
  ];
  const results: ShardBenchResult[] = [];
  try {
    const oneFile = path.join(scratch, 'one.json');
    let started = performance.now();
    await run([...rank, '--out', oneFile]);
    const oneWall = (performance.now() - started) / 1000;
    const one = JSON.parse(await readFile(oneFile, 'utf8')) as RankingResult;
    const base = {
      bench: 'rank-shards' as const,
      backend: 'wasm' as const,
      method: 'oracle' as const,
      cores: availableParallelism(),
      ranking_images: one.rankingImages,
      levels: levels.length,
      filters: one.layers.reduce((sum, l) => sum + l.filters, 0),
    };
    results.push({
      ...base,
      shards: 1,
      processes: 1,
      wall_s: round(oneWall, 1),
      merge_s: 0,
      speedup: 1,
      equal_to_one_process: true,
      load_1min: round(loadavg()[0] ?? NaN, 1),
    });
    for (const count of counts) {
      const parts = Array.from({ length: count }, (_, i) => path.join(scratch, `n${count}-part-${i}.json`));
      const merged = path.join(scratch, `n${count}-merged.json`);
      started = performance.now();
      await Promise.all(parts.map((file, i) => run([...rank, '--shard', `${i}/${count}`, '--out', file])));
      const mergeStarted = performance.now();
      await run(['rank', 'merge', ...parts, '--out', merged]);
      const ended = performance.now();
      const wall = (ended - started) / 1000;
      const result = JSON.parse(await readFile(merged, 'utf8')) as RankingResult;
      results.push({
        ...base,
        shards: count,
        processes: count,
        wall_s: round(wall, 1),
        merge_s: round((ended - mergeStarted) / 1000, 2),
        speedup: round(oneWall / wall, 2),
        equal_to_one_process: figures(result) === figures(one),
        load_1min: round(loadavg()[0] ?? NaN, 1),
      });
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return results;
}
