import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

  it("runs the experiment of a saved ranking as rank --experiment did; refuses another model's ranking by file", async () => {
    // The file of the test above: ranked and measured at seed 2, whose settings the experiment takes over.
    const ranking = path.join(dir, 'ranking.json');
    const saved = JSON.parse(await readFile(ranking, 'utf8')) as RankingResult & {
      experiment: ExperimentResult;
    };
    const out = path.join(dir, 'with-experiment.json');
    const r = await cli([
      ...['rank', 'experiment', '--model', MODEL, '--dataset', DEMO, '--ranking', ranking],
      ...['--eval-per-class', '2', '--out', out],
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/oracle experiment on 20 test images: mean top-1 over the 2 distorted levels/);
    const again = JSON.parse(await readFile(out, 'utf8')) as RankingResult & { experiment: ExperimentResult };
    const figures = (e: ExperimentResult) => ({ ...e, seconds: 0 });
    expect(figures(again.experiment)).toEqual(figures(saved.experiment));
    expect(again.layers).toEqual(saved.layers);

    // The same ranking said to be of other weights: refused naming the file, before the experiment runs.
    const other = path.join(dir, 'other-weights.json');
    await writeFile(other, JSON.stringify({ ...saved, weightsSha256: 'f'.repeat(64) }));
    const refused = await cli([
      'rank',
      'experiment',
      '--model',
      MODEL,
      '--dataset',
      DEMO,
      '--ranking',
      other,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `${other}: ranks a model whose weights hash ffffffffffff..., not --model ${MODEL}`,
    );
    // The ranking's settings are the experiment's: a ranking option is refused, not ignored.
    const stray = await cli([
      ...['rank', 'experiment', '--model', MODEL, '--dataset', DEMO, '--ranking', ranking],
      ...['--levels', '1'],
    ]);
    expect(stray.stderr).toMatch(/'rank experiment' takes no --levels \(it takes --model, --dataset, /);
  });

  it('sizes the set in images, ranks by signed tau and reports ties, worse cells and stability', async () => {
    const out = path.join(dir, 'signed.json');
    const r = await cli([
      'rank',
      ...['--model', MODEL, '--dataset', DEMO, '--levels', '1.5,3', '--layers', 'conv4'],
      ...['--rank-images', '25', '--method', 'oracle', '--tau', 'signed', '--stability-beta', '0.25'],
      ...['--seed', '4', '--out', out],
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/conv4 \(64 filters, [\d.]+ s\): top signed tau: /);
    expect(r.stdout).toMatch(/ties: \d+ of 64 filters share their score with another/);
    expect(r.stdout).toMatch(
      /stability: Spearman\(half 1, half 2\) = (-?[\d.]+|undefined .*), top-25.0% overlap [\d.]+%/,
    );
    expect(r.stdout).toMatch(/filter x level cells: \d+ worse with the clean map, \d+ better, of 128/);
    const saved = JSON.parse(await readFile(out, 'utf8')) as RankingResult;
    expect(saved.tauKind).toBe('signed');
    expect(saved.rankImages).toBe(25);
    expect(saved.perClass).toBeUndefined();
    expect(saved.rankingImages).toBe(25);
    expect(saved.stability).toEqual({ method: 'split-half', images: [13, 12], score: 'tau', beta: 0.25 });
    const [layer] = saved.layers;
    expect(layer?.worseCells).toBeGreaterThanOrEqual(0);
    expect(layer?.ties.filters).toBeLessThanOrEqual(64);
    expect(layer?.stability?.topOverlap).toBeGreaterThanOrEqual(0);
    expect(layer?.stability?.topOverlap).toBeLessThanOrEqual(1);
  });

  it('refuses a set larger than the split, two sizes at once and an unknown tau, writing nothing', async () => {
    const out = path.join(dir, 'refused.json');
    const common = ['rank', '--model', MODEL, '--dataset', DEMO, '--out', out];
    const big = await cli([...common, '--rank-images', '20000']);
    expect(big.code).toBe(1);
    expect(big.stderr).toMatch(
      /--rank-images 20000 is out of range: give 10 to 10000 \(at least one image per class, at most the 10000 images of the train split\)/,
    );
    const both = await cli([...common, '--rank-images', '100', '--per-class', '10']);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/--rank-images and --per-class .*: give one/);
    const tau = await cli([...common, '--tau', 'relative']);
    expect(tau.code).toBe(1);
    expect(tau.stderr).toMatch(/--tau <kind>.*'relative' is invalid\. Allowed choices are abs, signed/);
    await expect(access(out)).rejects.toThrow(/ENOENT/);
  });

  it("refuses the study's ranking options the same way, before the study folder exists", async () => {
    const out = path.join(dir, 'study');
    const common = ['study', '--model', MODEL, '--dataset', DEMO, '--out', out];
    const big = await cli([...common, '--rank-images', '10001']);
    expect(big.code).toBe(1);
    expect(big.stderr).toMatch(/--rank-images 10001 is out of range: give 10 to 10000/);
    const both = await cli([...common, '--rank-images', '100', '--rank-per-class', '10']);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/--rank-images and --rank-per-class .*: give one/);
    const tau = await cli([...common, '--rank-tau', 'relative']);
    expect(tau.code).toBe(1);
    expect(tau.stderr).toMatch(/Allowed choices are abs, signed/);
    await expect(access(out)).rejects.toThrow(/ENOENT/);
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
