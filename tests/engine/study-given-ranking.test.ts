/**
 * A study's given ranking (--ranking) checked against the study before any work: a real proxy ranking of the
 * demo model, then the same file changed in one respect at a time.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudyConfig } from '../../shared/study.ts';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import type { Dataset } from '../../electron/engine/data/dataset.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import { loadModel } from '../../electron/engine/models/model-io.ts';
import { weightsSha256 } from '../../electron/engine/models/weights-hash.ts';
import { rankFilters } from '../../electron/engine/rank/rank-filters.ts';
import type { RankingResult } from '../../electron/engine/rank/types.ts';
import { demoDatasetDir, demoModelDir } from '../../electron/engine/resources.ts';
import {
  checkGivenRanking,
  rankingOf,
  readGivenRanking,
  type GivenRanking,
} from '../../electron/engine/study/given-ranking.ts';
import { quickStudyConfig } from './study-fixture.ts';

describe("a study's given ranking", () => {
  let model: tf.LayersModel;
  let dataset: Dataset;
  let dir: string;
  let ranking: RankingResult;
  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
    ({ model } = await loadModel(demoModelDir()));
    dataset = await openDataset(demoDatasetDir());
    dir = await mkdtemp(path.join(tmpdir(), 'dc-given-ranking-'));
    ranking = await rankFilters({
      model,
      dataset,
      layers: ['conv1', 'conv2'],
      spec: { kind: 'noise' },
      levels: [20, 40],
      seed: 2,
      perClass: 2,
      method: 'proxy',
    });
  });
  afterAll(async () => {
    model.dispose();
    await dataset.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The ranking, changed as asked, written to a file and read back as --ranking reads it. */
  async function given(change: (r: RankingResult) => object = (r) => r): Promise<GivenRanking> {
    const file = path.join(dir, `ranking-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(file, JSON.stringify(change(structuredClone(ranking))));
    return readGivenRanking(file);
  }
  const configFor = (g: GivenRanking, overrides: Partial<StudyConfig> = {}): StudyConfig =>
    quickStudyConfig({ ranking: { file: path.basename(g.path), sha256: g.sha256 }, ...overrides });

  it("accepts a ranking of the study's base model, distortion, levels and layers, leaking no tensor", async () => {
    const hash = await weightsSha256(model);
    const g = await given((r) => ({ ...r, weightsSha256: hash }));
    const before = tf.memory().numTensors;
    await checkGivenRanking(g, configFor(g), model);
    expect(tf.memory().numTensors).toBe(before);
    // Each seed's ranking.json: the study's layers, in its order, as the file ranked them.
    const mine = rankingOf(g, ['conv2', 'conv1']);
    expect(mine.layers.map((l) => l.layer)).toEqual(['conv2', 'conv1']);
    expect(mine.layers[0]?.order).toEqual(ranking.layers[1]?.order);
  });

  it('refuses one that does not fit, naming what differs', async () => {
    const g = await given();
    const refusals: [GivenRanking, Partial<StudyConfig>, RegExp][] = [
      [g, { layers: ['conv3'] }, /ranks conv1, conv2 but not conv3, which the study corrects/],
      [
        g,
        { variants: [{ name: 'layers-conv1+conv3', layers: ['conv1', 'conv3'] }] },
        /but not conv3, which the study or a variant corrects/,
      ],
      [g, { levels: [20, 60] }, /ranked at levels 20, 40, not the study's 20, 60/],
      [g, { rankMethod: 'both' }, /the study's ranking method both is not the ranking file's proxy/],
      [
        await given((r) => ({ ...r, split: 'test' })),
        {},
        /ranked on the test split, which the study tests on/,
      ],
      [
        await given((r) => ({ ...r, layers: r.layers.map((l) => ({ ...l, filters: l.filters * 2 })) })),
        {},
        /ranks 64 filters of conv1, whose base model has 32/,
      ],
    ];
    for (const [ranked, overrides, message] of refusals)
      await expect(checkGivenRanking(ranked, configFor(ranked, overrides), model)).rejects.toThrow(message);
    // A config that does not record the file it runs with (a resume given another file) is refused too.
    await expect(checkGivenRanking(g, quickStudyConfig(), model)).rejects.toThrow(
      /does not record the ranking file/,
    );
  });
});
