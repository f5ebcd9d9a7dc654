import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAVED_EVALUATION_FORMAT, SavedResultSchema } from '../../shared/saved-result.ts';
import { cli } from './run-cli.ts';

const MODEL = 'resources/models/fashion-mnist-cnn4';
const DEMO = 'resources/datasets/fashion-mnist-demo';
// 26 images per class: 260 images, batches of 250 and 10, so of 3 shards two hold images and the last none.
const EVALUATE = [
  '--backend',
  'wasm',
  'evaluate',
  '--model',
  MODEL,
  '--dataset',
  DEMO,
  '--per-class',
  '26',
  '--distortion',
  'noise',
  '--levels',
  '20,60',
  '--seed',
  '3',
];

const withoutSeconds = (table: string): string => table.replace(/\(\d+\.\d s\)/, '(s)');

async function json(file: string): Promise<Record<string, unknown>> {
  const value = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  delete value.seconds;
  delete value.shards;
  return value;
}

describe('deepcorrect evaluate --shard and evaluate merge', () => {
  let dir: string;
  /** The unsharded evaluation's table. */
  let table: string;
  const part = (tag: string, i: number): string => path.join(dir, `${tag}-${i}.json`);
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dc-eval-shard-'));
    // The whole evaluation, its 3 shards and one shard of another seed, as a job array runs them: at once.
    const runs = await Promise.all([
      cli([...EVALUATE, '--out', path.join(dir, 'whole.json')]),
      ...[0, 1, 2].map((i) => cli([...EVALUATE, '--shard', `${i}/3`, '--out', part('p', i)])),
      cli([...EVALUATE, '--seed', '4', '--shard', '1/3', '--out', part('seed4', 1)]),
    ]);
    for (const r of runs) expect(r.stderr).not.toMatch(/^deepcorrect:/m);
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0, 0]);
    table = runs[0]?.stdout ?? '';
    expect(runs[1]?.stdout).toMatch(/^shard 0\/3: images 1-250 of 260 under 3 conditions/);
    expect(runs[2]?.stdout).toMatch(/^shard 1\/3: images 251-260 of 260/);
    expect(runs[3]?.stdout).toMatch(/^shard 2\/3: no images \(the 260 images make 2 batches of 250/);
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('merges the parts, in any order, into the unsharded evaluation: the same table and the same figures', async () => {
    const merged = await cli([
      'evaluate',
      'merge',
      part('p', 2),
      part('p', 0),
      part('p', 1),
      '--out',
      path.join(dir, 'merged.json'),
    ]);
    expect(merged.code).toBe(0);
    expect(merged.stderr).toContain('merged 3 parts (260 images, wasm)');
    expect(withoutSeconds(merged.stdout)).toBe(withoutSeconds(table));
    expect(merged.stdout).toContain('260 images, noise');
    expect(await json(path.join(dir, 'merged.json'))).toEqual(await json(path.join(dir, 'whole.json')));
    const printed = await cli(['evaluate', 'merge', part('p', 0), part('p', 1), part('p', 2), '--json']);
    const { seconds: _, shards, ...figures } = JSON.parse(printed.stdout) as Record<string, unknown>;
    expect(shards).toBe(3);
    expect(figures).toEqual(await json(path.join(dir, 'whole.json')));
  }, 60_000);

  it('keeps the merged evaluation in a workspace, listed and opened as an evaluation run in the app', async () => {
    const ws = path.join(dir, 'ws');
    expect((await cli(['workspace', 'init', ws])).code).toBe(0);
    const merged = await cli([
      'evaluate',
      'merge',
      part('p', 0),
      part('p', 1),
      part('p', 2),
      '--workspace',
      ws,
    ]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stderr).toMatch(/kept in .* as ".*under .*noise, merged from 3 shards"/);
    const list = JSON.parse((await cli(['workspace', 'list', ws, '--json'])).stdout) as {
      artefacts: { kind: string; status: string; path: string }[];
    };
    const entry = list.artefacts.find((a) => a.kind === 'evaluation');
    expect(entry?.status).toBe('complete');
    // The schema the app's result.open checks a saved result against.
    const saved = SavedResultSchema.parse(
      JSON.parse(await readFile(path.join(ws, entry?.path ?? ''), 'utf8')),
    );
    expect(saved.format).toBe(SAVED_EVALUATION_FORMAT);
    expect(saved.model.path).toBe(MODEL);
    const { seconds: _s, ...figures } = saved.result as unknown as Record<string, unknown>;
    // The evaluation's figures, as the one-process run wrote them beside its model and dataset.
    expect(await json(path.join(dir, 'whole.json'))).toMatchObject(figures);
    expect(Object.keys(figures)).toContain('conditions');
  }, 60_000);

  it('refuses parts of another seed, naming it, and a missing or repeated shard, naming it', async () => {
    const [seed, missing, repeated] = await Promise.all([
      cli(['evaluate', 'merge', part('p', 0), part('seed4', 1), part('p', 2)]),
      cli(['evaluate', 'merge', part('p', 0), part('p', 2)]),
      cli(['evaluate', 'merge', part('p', 0), part('p', 1), part('p', 1), part('p', 2)]),
    ]);
    expect(seed.code).toBe(1);
    expect(seed.stderr).toMatch(/setting "seed" is 3 in .*p-0\.json but 4 in .*seed4-1\.json/);
    expect(missing.stderr).toMatch(/missing shard 1 \(of 3\)/);
    expect(repeated.stderr).toMatch(/shard 1 given more than once/);
    for (const r of [seed, missing, repeated]) expect(r.stdout).toBe('');
  }, 60_000);

  it('refuses a malformed --shard, and --shard without --out, before the engine loads and writing nothing', async () => {
    const before = await readdir(dir);
    const out = path.join(dir, 'never.json');
    const runs = await Promise.all([
      ...['x', '5/4', '0/0'].map((s) => cli([...EVALUATE, '--shard', s, '--out', out])),
      cli([...EVALUATE, '--shard', '0/3']),
    ]);
    for (const r of runs) {
      expect(r.code).toBe(1);
      // The backend ladder reports each backend it tries: none was tried.
      expect(r.stderr).not.toMatch(/backend/);
    }
    expect(runs[0]?.stderr).toContain(`"x" is not a shard: write I/N`);
    expect(runs[1]?.stderr).toMatch(/"5\/4": shard indices run from 0 to 3/);
    expect(runs[2]?.stderr).toMatch(/"0\/0": a job splits into at least 1 shard/);
    expect(runs[3]?.stderr).toContain('--shard 0/3 needs --out FILE');
    expect(await readdir(dir)).toEqual(before);
  }, 60_000);
});
