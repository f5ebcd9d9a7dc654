// `rank --shard I/N --out PART` and `rank merge`: run as separate processes, as a scheduler's tasks are, then
// merged into the ranking one process gives; bad shards refused before any work; the merge kept in a workspace
// and listed there like a ranking run in the app.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RankingResult } from '../../electron/engine/rank/types.ts';
import { cli } from './run-cli.ts';

const RANK = [
  'rank',
  '--model',
  'resources/models/fashion-mnist-cnn4',
  '--dataset',
  'resources/datasets/fashion-mnist-demo',
  '--rank-images',
  '30',
  '--levels',
  '1,2',
  '--layers',
  'conv2',
  '--method',
  'both',
  '--backend',
  'wasm',
];

let dir: string;
const at = (name: string): string => path.join(dir, name);
const read = async (file: string): Promise<RankingResult> =>
  JSON.parse(await readFile(file, 'utf8')) as RankingResult;
function figures(r: RankingResult): unknown {
  const { seconds: _s, shards: _sh, ...rest } = r;
  return { ...rest, layers: r.layers.map(({ seconds: _ls, ...l }) => l) };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dc-rank-shard-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('deepcorrect rank --shard and rank merge', () => {
  it('three shard processes merge into the one-process ranking; the merge is kept in a workspace', async () => {
    const runs = await Promise.all([
      cli([...RANK, '--out', at('one.json')]),
      ...[0, 1, 2].map((i) => cli([...RANK, '--shard', `${i}/3`, '--out', at(`part-${i}.json`)])),
    ]);
    for (const r of runs) expect(r.stderr + r.stdout).not.toMatch(/deepcorrect: /);
    expect(runs[1]?.stdout).toMatch(/^shard 0\/3: \d+ filters \(conv2 0-\d+\) on 30 images/);
    expect(await cli(['workspace', 'init', at('ws')])).toMatchObject({ code: 0 });
    const merged = await cli([
      'rank',
      'merge',
      at('part-2.json'),
      at('part-0.json'),
      at('part-1.json'),
      '--out',
      at('merged.json'),
      '--workspace',
      at('ws'),
    ]);
    expect(merged.stderr).toMatch(/kept in .* as ".*merged from 3 shards"/);
    expect(merged.code).toBe(0);
    expect(merged.stdout).toMatch(/^merged 3 parts/);
    const one = await read(at('one.json'));
    const whole = await read(at('merged.json'));
    expect(figures(whole)).toEqual(figures(one));
    expect(whole.shards?.count).toBe(3);
    // The workspace lists it complete, and its file is the same ranking.
    const list = await cli(['workspace', 'list', at('ws'), '--json']);
    const manifest = JSON.parse(list.stdout) as {
      artefacts: { kind: string; status: string; path: string }[];
    };
    const entry = manifest.artefacts.find((a) => a.kind === 'ranking');
    expect(entry?.status).toBe('complete');
    expect(figures(await read(path.join(at('ws'), entry?.path ?? '')))).toEqual(figures(one));
    // A part missing: named by index; nothing written.
    const missing = await cli([
      'rank',
      'merge',
      at('part-0.json'),
      at('part-2.json'),
      '--out',
      at('m2.json'),
    ]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/missing shard 1 \(of 3\)/);
    expect(await readdir(dir)).not.toContain('m2.json');
    // A doubled part.
    const doubled = await cli([
      'rank',
      'merge',
      at('part-0.json'),
      at('part-1.json'),
      at('part-1.json'),
      at('part-2.json'),
      '--json',
    ]);
    expect(doubled.stderr).toMatch(/shard 1 given more than once/);
  }, 240_000);

  it('refuses parts of other settings, naming the setting', async () => {
    const other = await cli([
      ...RANK.map((a) => (a === '1,2' ? '1,3' : a)),
      '--shard',
      '1/3',
      '--out',
      at('other-1.json'),
    ]);
    expect(other.code).toBe(0);
    const r = await cli([
      'rank',
      'merge',
      at('part-0.json'),
      at('other-1.json'),
      at('part-2.json'),
      '--json',
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/setting "header\.levels\[1\]" is 2 in .*part-0\.json but 3 in .*other-1\.json/);
  }, 120_000);

  it('a shard killed mid-run leaves no part; rerunning its index completes the set', async () => {
    // Every layer at six levels on 60 images: a shard long enough (about 10 s here) to be killed while working.
    const heavy = [
      ...RANK.slice(0, 5),
      ...['--rank-images', '60', '--levels', 'paper-cifar', '--method', 'oracle', '--backend', 'wasm'],
    ];
    const shardArgs = (i: number): string[] => [
      ...heavy,
      '--shard',
      `${i}/3`,
      '--out',
      at(`heavy-${i}.json`),
    ];
    const others = Promise.all([cli(shardArgs(0)), cli(shardArgs(2))]);
    const child = spawn(process.execPath, ['bin/deepcorrect.mjs', ...shardArgs(1)], { stdio: 'ignore' });
    // Listened for before the kill, so an exit of its own (which would make this test prove nothing) is seen.
    const exited = new Promise<string>((resolve) =>
      child.once('exit', (code, signal) => resolve(signal ?? `exit code ${code}`)),
    );
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    for (const r of await others) expect(r.code, r.stderr).toBe(0);
    // Nothing of shard 1: no part, no temporary file left that a merge could take.
    expect((await readdir(dir)).filter((f) => f.includes('heavy-1'))).toEqual([]);
    const parts = [0, 1, 2].map((i) => at(`heavy-${i}.json`));
    const refused = await cli(['rank', 'merge', parts[0] as string, parts[2] as string, '--json']);
    expect(refused.stderr).toMatch(/missing shard 1 \(of 3\)/);
    const rerun = await cli(shardArgs(1));
    expect(rerun.code, rerun.stderr).toBe(0);
    const merged = await cli(['rank', 'merge', ...parts, '--json']);
    expect(merged.code, merged.stderr).toBe(0);
    const ranking = JSON.parse(merged.stdout) as RankingResult;
    expect(ranking.layers.map((l) => [l.layer, l.tau?.length])).toEqual([
      ['conv1', 32],
      ['conv2', 32],
      ['conv3', 64],
      ['conv4', 64],
    ]);
  }, 240_000);

  it.each([
    [
      ['rank', 'merge', 'a.json', '--seed', '3', '--json'],
      /'rank merge' takes no --seed \(it takes --out, --json, --workspace\)/,
    ],
    [['evaluate', 'merge', 'a.json', '--levels', '1'], /'evaluate merge' takes no --levels/],
    [
      ['study', 'merge', 'folder', '--epochs', '2'],
      /'study merge' takes no --epochs \(it takes --workspace, --json\)/,
    ],
  ])('a merge refuses an option of the command it merges: %j', async (args, why) => {
    const r = await cli(args);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(why);
  });

  it.each([
    ['5/4', /shard indices run from 0 to 3/],
    ['0/0', /at least 1 shard/],
    ['two/4', /is not a shard/],
  ])('refuses --shard %s before the engine loads', async (shard, why) => {
    const r = await cli([...RANK, '--shard', shard, '--out', at('never.json')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(why);
    expect(r.stderr).not.toMatch(/backend/);
    expect(await readdir(dir)).not.toContain('never.json');
  });

  it('refuses --shard without --out, and a file that is not a part', async () => {
    const r = await cli([...RANK, '--shard', '0/2']);
    expect(r.stderr).toMatch(/--shard writes a part file: give it with --out/);
    await writeFile(at('cut.json'), '{"format":"deepcorrect-part","kind":"rank","shard":{"ind');
    const cut = await cli(['rank', 'merge', at('cut.json'), '--json']);
    expect(cut.stderr).toMatch(/cut\.json: not JSON/);
    const ranking = await cli(['rank', 'merge', at('one.json'), '--json']);
    expect(ranking.stderr).toMatch(/one\.json: not a shard's part/);
  });
});
