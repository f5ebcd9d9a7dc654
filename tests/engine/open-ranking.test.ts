import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRanking } from '../../electron/engine/rank/open-ranking.ts';

/** A ranking as `rank --method both --out` writes it when tau is constant: Spearman NaN, written as null. */
const RANKING = {
  model: 'cnn4',
  dataset: 'resources/datasets/fashion-mnist-demo',
  method: 'both',
  kind: 'blur',
  levels: [1, 2],
  seed: 0,
  tauKind: 'abs',
  split: 'train',
  rankImages: 4,
  rankingImages: 4,
  layers: [
    {
      layer: 'conv1',
      activation: 'conv1',
      filters: 2,
      order: [1, 0],
      tau: [0, 0],
      proxy: [0.1, 0.2],
      proxyOrder: [1, 0],
      spearman: Number.NaN,
      ties: { filters: 2, groups: 1, largest: 2 },
      seconds: 0.5,
    },
  ],
  backend: 'wasm',
  seconds: 1,
};

describe('openRanking', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dc-open-ranking-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('opens a ranking whose Spearman was undefined (null in JSON) as NaN', async () => {
    const file = path.join(dir, 'constant-tau.json');
    await writeFile(file, JSON.stringify(RANKING));
    expect(JSON.stringify(RANKING)).toContain('"spearman":null');
    const { ranking } = await openRanking(file);
    expect(ranking.layers[0]?.spearman).toBeNaN();
  });

  it('refuses a Spearman that is neither a number nor null, naming the field', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({ ...RANKING, layers: [{ ...RANKING.layers[0], spearman: 'high' }] }),
    );
    await expect(openRanking(file)).rejects.toThrow(/bad\.json: .*field "layers\[0\]\.spearman"/);
  });
});
