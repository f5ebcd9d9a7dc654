import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentResult, RankingResult } from '../../electron/engine/rank/types.ts';
import { cli as runCli } from './run-cli.ts';

const DEMO = 'resources/datasets/fashion-mnist-demo';
const MODEL = 'resources/models/fashion-mnist-cnn4';

/** Every run here on the wasm backend. */
const cli = (args: string[]) => runCli(['--backend', 'wasm', ...args]);

describe('deepcorrect rank', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dc-rank-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('ranks a layer, runs the experiment, prints a table and writes the JSON', async () => {
    const out = path.join(dir, 'ranking.json');
    const r = await cli([
      'rank',
      ...['--model', MODEL, '--dataset', DEMO, '--levels', '1,3', '--layers', 'conv4'],
      ...['--per-class', '2', '--method', 'both', '--seed', '2', '--out', out],
      ...['--experiment', '--eval-per-class', '2'],
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/conv4 \(64 filters, [\d.]+ s\): top tau: /);
    expect(r.stdout).toMatch(/Spearman\(tau, proxy\) = -?[\d.]+/);
    expect(r.stdout).toMatch(/layer\s+10%\s+25%\s+50%\s+75%\s+90%/);
    const saved = JSON.parse(await readFile(out, 'utf8')) as RankingResult & { experiment: ExperimentResult };
    expect(saved.levels).toEqual([1, 3]);
    expect(saved.rankingImages).toBe(20);
    expect(saved.backend).toBe('wasm');
    const [layer] = saved.layers;
    expect(layer?.layer).toBe('conv4');
    expect(layer?.tau).toHaveLength(64);
    expect(layer?.proxy).toHaveLength(64);
    expect([...(layer?.order ?? [])].sort((a, b) => a - b)).toEqual([...Array(64).keys()]);
    expect(saved.experiment.images).toBe(20);
    expect(saved.experiment.layers[0]?.fractions.map((f) => f.fraction)).toEqual([0.1, 0.25, 0.5, 0.75, 0.9]);
  });

  it('prints JSON with --json and refuses an unknown layer', async () => {
    const ok = await cli([
      'rank',
      ...['--model', MODEL, '--dataset', DEMO, '--levels', '2', '--layers', 'conv1'],
      ...['--per-class', '1', '--method', 'proxy', '--json'],
    ]);
    expect(ok.code).toBe(0);
    const parsed = JSON.parse(ok.stdout) as RankingResult;
    expect(parsed.method).toBe('proxy');
    expect(parsed.layers[0]?.tau).toBeUndefined();
    expect(parsed.layers[0]?.order).toEqual(parsed.layers[0]?.proxyOrder);
    const bad = await cli(['rank', '--model', MODEL, '--dataset', DEMO, '--layers', 'fc1']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /"fc1" is not a conv layer of the model; its conv layers are conv1, conv2, conv3, conv4/,
    );
  });
});
