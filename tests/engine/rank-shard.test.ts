import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import type { Dataset } from '../../electron/engine/data/dataset.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import { loadModel } from '../../electron/engine/models/model-io.ts';
import { weightsSha256 } from '../../electron/engine/models/weights-hash.ts';
import { summarize } from '../../electron/engine/models/summary.ts';
import { rankFilters, type RankOptions } from '../../electron/engine/rank/rank-filters.ts';
import { mergeRankParts } from '../../electron/engine/rank/merge-rank-parts.ts';
import { planShard, rankShard, type RankPart } from '../../electron/engine/rank/rank-shard.ts';
import type { RankingResult } from '../../electron/engine/rank/types.ts';
import { readParts, writePart } from '../../electron/engine/shard/part-file.ts';
import { demoDatasetDir, demoModelDir } from '../../electron/engine/resources.ts';

/** A ranking without what measures time: what must equal across a one-process and a merged run. */
function figures(r: RankingResult): unknown {
  const { seconds: _s, shards: _sh, ...rest } = r;
  return { ...rest, layers: r.layers.map(({ seconds: _ls, ...l }) => l) };
}

describe('a ranking split into shards', () => {
  let dataset: Dataset;
  let model: tf.LayersModel;
  let dir: string;
  let options: RankOptions;
  let whole: RankingResult;
  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
    dataset = await openDataset(demoDatasetDir());
    model = (await loadModel(demoModelDir())).model;
    dir = await mkdtemp(path.join(os.tmpdir(), 'rank-shard-'));
    // 20 images and 60 rows per pass: groups of 3 filters, so shard cuts fall inside a layer's groups.
    options = {
      model,
      dataset,
      layers: ['conv1', 'conv2'],
      spec: { kind: 'blur' },
      levels: [1, 2.5],
      seed: 5,
      perClass: 2,
      method: 'both',
      batchRows: 60,
    };
    whole = await rankFilters(options);
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function shardFiles(count: number, tag: string, extra: Partial<RankOptions> = {}): Promise<string[]> {
    const files: string[] = [];
    for (let index = 0; index < count; index++) {
      const part = await rankShard({ ...options, ...extra }, { index, count });
      const file = path.join(dir, `${tag}-${index}.json`);
      await writePart(file, part);
      files.push(file);
    }
    return files;
  }

  it('merges 1, 3 and 7 shards into the one-process ranking, figure for figure', async () => {
    for (const count of [1, 3, 7]) {
      const before = tf.memory().numTensors;
      const files = await shardFiles(count, `n${count}`);
      expect(tf.memory().numTensors).toBe(before);
      const merged = mergeRankParts(await readParts(files.reverse(), 'rank'));
      expect(figures(merged)).toEqual(figures(whole));
      expect(merged.shards?.count).toBe(count);
      expect(merged.weightsSha256).toBe(await weightsSha256(model));
    }
  }, 300_000);

  it('plans slices that cover every filter once, near-equal in cost', () => {
    const convs = summarize(model).convLayers;
    for (const count of [1, 2, 3, 4, 16, 200]) {
      const seen = new Map<string, number[]>();
      for (let index = 0; index < count; index++) {
        for (const s of planShard(convs, convs, 'oracle', 200, 1000, 6, { index, count })) {
          const layer = convs[s.layer]?.name as string;
          const marks = seen.get(layer) ?? new Array<number>(convs[s.layer]?.filters ?? 0).fill(0);
          for (let f = s.from; f < s.to; f++) marks[f] = (marks[f] as number) + 1;
          seen.set(layer, marks);
        }
      }
      for (const c of convs) expect(seen.get(c.name)).toEqual(new Array<number>(c.filters).fill(1));
    }
  });

  it('refuses parts of another seed, naming the setting', async () => {
    const [a] = await shardFiles(2, 'seed5');
    const other = await rankShard({ ...options, seed: 6 }, { index: 1, count: 2 });
    const b = path.join(dir, 'seed6-1.json');
    await writePart(b, other);
    await expect(readParts([a as string, b], 'rank')).rejects.toThrow(
      /setting "header\.seed" is 5 in .*seed5-0\.json but 6 in .*seed6-1\.json/,
    );
  }, 120_000);

  it('names a missing or a doubled shard by its index', async () => {
    const files = await shardFiles(3, 'cover');
    await expect(readParts([files[0] as string, files[2] as string], 'rank')).rejects.toThrow(
      /missing shard 1 \(of 3\)/,
    );
    await expect(
      readParts([files[0] as string, files[1] as string, files[1] as string, files[2] as string], 'rank'),
    ).rejects.toThrow(/shard 1 given more than once/);
  }, 120_000);

  it('refuses a part whose counts without swaps differ from its siblings', async () => {
    const files = await shardFiles(2, 'tamper');
    const part = (await readParts<RankPart['settings'], RankPart['body']>(files, 'rank'))[1] as RankPart;
    const slice = part.body.slices[0];
    if (slice === undefined) throw new Error('shard 1 ranked nothing');
    const baseline = (slice.tallies[0] as { baseline: number[] }).baseline;
    baseline[0] = (baseline[0] as number) + 1;
    const tampered = path.join(dir, 'tampered-1.json');
    await writeFile(tampered, JSON.stringify(part));
    const parts = await readParts<RankPart['settings'], RankPart['body']>(
      [files[0] as string, tampered],
      'rank',
    );
    expect(() => mergeRankParts(parts)).toThrow(/did not rank the same model on the same images/);
  }, 120_000);

  it('refuses a file that is not a part, naming it', async () => {
    const bad = path.join(dir, 'half-written.json');
    await writeFile(bad, '{"format":"deepcorrect-part","kind":"ra');
    await expect(readParts([bad], 'rank')).rejects.toThrow(/half-written\.json: not JSON/);
  });
});

describe('weightsSha256', () => {
  it('names the weights, not the load: a second load of one model hashes the same, another model not', async () => {
    await selectBackend({ forced: 'wasm' });
    const a = (await loadModel(demoModelDir())).model;
    const b = (await loadModel(demoModelDir())).model;
    try {
      expect(b.weights[0]?.name).not.toBe(a.weights[0]?.name);
      expect(await weightsSha256(b)).toBe(await weightsSha256(a));
      const kernel = b.weights[0]?.read();
      b.weights[0]?.write(tf.tidy(() => (kernel as tf.Tensor).add(1e-6)));
      expect(await weightsSha256(b)).not.toBe(await weightsSha256(a));
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});
