import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import type { Dataset } from '../../electron/engine/data/dataset.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import { countEvaluation, evaluate, type EvaluationOptions } from '../../electron/engine/eval/evaluate.ts';
import { evaluateShard, type EvaluationShardOptions } from '../../electron/engine/eval/evaluate-shard.ts';
import {
  addCounts,
  type EvaluationCounts,
  type EvaluationResult,
} from '../../electron/engine/eval/evaluation-counts.ts';
import { evaluationImages, shardImageRange } from '../../electron/engine/eval/evaluation-images.ts';
import {
  mergeEvaluationParts,
  type EvaluationPartBody,
  type EvaluationPartSettings,
} from '../../electron/engine/eval/evaluation-parts.ts';
import { loadModel } from '../../electron/engine/models/model-io.ts';
import { demoDatasetDir, demoModelDir } from '../../electron/engine/resources.ts';
import type { OpenModel } from '../../electron/engine/session/models.ts';
import { readParts, writePart } from '../../electron/engine/shard/part-file.ts';

/** An evaluation's figures: everything but the time it took. */
function figures(r: EvaluationResult): Omit<EvaluationResult, 'seconds'> {
  const { seconds: _, ...rest } = r;
  return rest;
}

describe('an evaluation split into shards', () => {
  let dataset: Dataset;
  let base: OpenModel;
  let dir: string;
  let options: Omit<EvaluationShardOptions, 'shard'>;
  let whole: EvaluationResult;
  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
    dataset = await openDataset(demoDatasetDir());
    const loaded = await loadModel(demoModelDir());
    base = { ...loaded, path: demoModelDir() };
    dir = await mkdtemp(path.join(os.tmpdir(), 'evaluate-shard-'));
    // 3 images per class and batches of 8: 30 images in 4 batches (8, 8, 8, 6), so 3 shards all hold images.
    options = {
      model: base,
      dataset,
      split: 'test',
      perClass: 3,
      spec: { kind: 'noise' },
      levels: [20, 60],
      seed: 7,
      batchSize: 8,
      backend: 'wasm',
    };
    const indices = await evaluationImages(dataset, 'test', 3, 7);
    whole = await evaluate({
      model: base.model,
      dataset,
      split: 'test',
      ...(indices ? { indices } : {}),
      spec: options.spec,
      levels: options.levels,
      seed: 7,
      batchSize: 8,
    });
  }, 60_000);
  afterAll(async () => {
    base.model.dispose();
    await dataset.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function shardFiles(
    count: number,
    tag: string,
    extra: Partial<EvaluationShardOptions> = {},
  ): Promise<string[]> {
    const files: string[] = [];
    for (let index = 0; index < count; index++) {
      const file = path.join(dir, `${tag}-${index}.json`);
      await writePart(file, await evaluateShard({ ...options, ...extra, shard: { index, count } }));
      files.push(file);
    }
    return files;
  }

  const read = (files: string[]) => readParts<EvaluationPartSettings, EvaluationPartBody>(files, 'evaluate');

  it('merges 3 shards, read in any order, into the one-process evaluation, figure for figure', async () => {
    const files = await shardFiles(3, 'three');
    const parts = await read([files[2], files[0], files[1]] as string[]);
    expect(parts.map((p) => p.body.range)).toEqual([
      [0, 8],
      [8, 16],
      [16, 30],
    ]);
    const merged = mergeEvaluationParts(parts);
    expect(figures(merged.result)).toEqual(figures(whole));
    expect(merged.result.images).toBe(30);
    // Not a vacuous equality: the noise costs accuracy, and the parts' counts differ.
    expect(whole.conditions[2]?.top1).toBeLessThan(whole.conditions[0]?.top1 ?? 0);
    expect(new Set(parts.map((p) => p.body.conditions[0]?.top1)).size).toBeGreaterThan(1);
    expect(merged.settings.model.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(merged.settings.dataset.path).toBe('resources/datasets/fashion-mnist-demo');
    expect(merged.model.path).toBe('resources/models/fashion-mnist-cnn4');
  });

  it('leaks no tensor across a shard run', async () => {
    await evaluateShard({ ...options, shard: { index: 1, count: 3 } });
    const before = tf.memory().numTensors;
    await evaluateShard({ ...options, shard: { index: 0, count: 3 } });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses parts of another seed, naming the setting, and names missing and repeated shards', async () => {
    const files = await shardFiles(3, 'seven');
    const reseeded = path.join(dir, 'reseeded-1.json');
    await writePart(reseeded, await evaluateShard({ ...options, seed: 8, shard: { index: 1, count: 3 } }));
    await expect(read([files[0], reseeded, files[2]] as string[])).rejects.toThrow(
      /setting "seed" is 7 .* but 8/,
    );
    await expect(read([files[0], files[2]] as string[])).rejects.toThrow(/missing shard 1 \(of 3\)/);
    await expect(read([files[0], files[1], files[1], files[2]] as string[])).rejects.toThrow(
      /shard 1 given more than once/,
    );
  });

  it('refuses parts cut from other batch sizes, naming the setting', async () => {
    const eight = await shardFiles(2, 'b8');
    const ten = await shardFiles(2, 'b10', { batchSize: 10 });
    await expect(read([eight[0], ten[1]] as string[])).rejects.toThrow(/setting "batchSize"/);
  });

  it('adds per-image records in shard order into the whole evaluation order', async () => {
    const indices = (await evaluationImages(dataset, 'test', 3, 7)) as Uint32Array;
    const run = (part: Uint32Array): Promise<EvaluationCounts> =>
      countEvaluation({
        model: base.model,
        dataset,
        split: 'test',
        indices: part,
        spec: options.spec,
        levels: options.levels,
        seed: 7,
        batchSize: 8,
        perImage: true,
      } satisfies EvaluationOptions);
    const all = await run(indices);
    const added = addCounts([await run(indices.subarray(0, 16)), await run(indices.subarray(16))]);
    expect(added).toEqual(all);
    expect(added.imageIndices).toEqual(indices);
  });
});

describe('the images a shard holds', () => {
  it('are whole batches, contiguous and balanced, covering the list once', () => {
    for (const [images, batch, count] of [
      [30, 8, 3],
      [10_000, 250, 4],
      [10_000, 250, 7],
      [1000, 250, 4],
    ] as const) {
      const ranges = Array.from({ length: count }, (_, index) =>
        shardImageRange(images, batch, { index, count }),
      );
      expect(ranges[0]?.[0]).toBe(0);
      expect(ranges.at(-1)?.[1]).toBe(images);
      for (let i = 1; i < count; i++) expect(ranges[i]?.[0]).toBe(ranges[i - 1]?.[1]);
      for (const [from, to] of ranges) {
        expect(from % batch).toBe(0);
        expect(to === images || to % batch === 0).toBe(true);
      }
      const sizes = ranges.map(([from, to]) => Math.ceil((to - from) / batch));
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  it('are none for the last shards when there are fewer batches than shards', () => {
    const ranges = [0, 1, 2].map((index) => shardImageRange(20, 250, { index, count: 3 }));
    expect(ranges).toEqual([
      [0, 20],
      [20, 20],
      [20, 20],
    ]);
  });
});
