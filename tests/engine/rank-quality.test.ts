import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import type { Dataset } from '../../electron/engine/data/dataset.ts';
import { writeIdxDataset } from '../../electron/engine/data/idx-writer.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import { planFromRanking } from '../../electron/engine/correct/plan.ts';
import { loadModel } from '../../electron/engine/models/model-io.ts';
import { summarize } from '../../electron/engine/models/summary.ts';
import {
  balancedQuotas,
  cellChanges,
  correctionPriority,
  countTies,
  rankFilters,
  rankingStability,
  stratifiedHalves,
  type RankingResult,
  type RankOptions,
} from '../../electron/engine/rank/index.ts';
import { rankLayer } from '../../electron/engine/rank/rank-layer.ts';
import { loadRankingSet } from '../../electron/engine/rank/ranking-set.ts';
import { demoDatasetDir, demoModelDir } from '../../electron/engine/resources.ts';
import { rankingSizeProblem } from '../../shared/ranking-size.ts';

const LEVELS = [1.5, 3];
const SEED = 4;

describe('the ranking set, tau kinds, ties, cells and stability', () => {
  let dir: string;
  let dataset: Dataset;
  let model: tf.LayersModel;
  let base: Omit<RankOptions, 'method'>;
  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
    dir = await mkdtemp(path.join(tmpdir(), 'dc-rank-quality-'));
    // A real train split smaller than the default ranking set: 3 demo images of each class.
    const demo = await openDataset(demoDatasetDir());
    try {
      await writeIdxDataset(demo, dir, { perClass: { train: 3, test: 1 }, seed: 1 });
    } finally {
      await demo.close();
    }
    dataset = await openDataset(dir);
    model = (await loadModel(demoModelDir())).model;
    base = { model, dataset, layers: ['conv4'], spec: { kind: 'blur' }, levels: LEVELS, seed: SEED };
  });
  afterAll(async () => {
    model.dispose();
    await dataset.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A ranking, checked to leave no tensor behind. */
  async function ranked(options: Partial<RankOptions> & Pick<RankOptions, 'method'>): Promise<RankingResult> {
    const before = tf.memory().numTensors;
    const result = await rankFilters({ ...base, ...options });
    expect(tf.memory().numTensors).toBe(before);
    return result;
  }

  it('ranks the whole train split when it is smaller than the default 1,000 images', async () => {
    const r = await ranked({ method: 'proxy' });
    expect(r.rankImages).toBe(30);
    expect(r.perClass).toBeUndefined();
    expect(r.rankingImages).toBe(30);
    expect(r.tauKind).toBe('abs');
  });

  it('refuses a set larger than the split, or smaller than its classes, before reading an image', async () => {
    for (const images of [31, 9]) {
      const before = tf.memory().numTensors;
      await expect(rankFilters({ ...base, method: 'oracle', images })).rejects.toThrow(
        `images ${images} is out of range: give 10 to 30 (at least one image per class, at most the 30 images of the train split)`,
      );
      expect(tf.memory().numTensors).toBe(before);
    }
    await expect(rankFilters({ ...base, method: 'oracle', images: 20, perClass: 2 })).rejects.toThrow(
      /not both/,
    );
    expect(rankingSizeProblem(1000, 10_000, 10, '--rank-images')).toBeUndefined();
    expect(rankingSizeProblem(10_001, 10_000, 10, '--rank-images')).toMatch(
      /^--rank-images 10001 .* 10 to 10000/,
    );
  });

  it('gives signed tau by its formula and the same errors as abs; counts worse cells from the raw errors', async () => {
    const abs = await ranked({ method: 'oracle', images: 20, stability: false });
    const signed = await ranked({ method: 'oracle', images: 20, stability: false, tau: 'signed' });
    expect(signed.tauKind).toBe('signed');
    const [a, s] = [abs.layers[0], signed.layers[0]];
    expect(s?.errors).toEqual(a?.errors);
    const { baseline, perFilter } = s?.errors ?? { baseline: [], perFilter: [] };
    // float64 recomputation of sum_j (e_j - e_ij) / e_j from the error counts, levels with e_j = 0 left out.
    const expected = perFilter.map((row) =>
      baseline.reduce((sum, e, j) => (e === 0 ? sum : sum + (e - (row[j] as number)) / e), 0),
    );
    expect(s?.tau).toHaveLength(64);
    s?.tau?.forEach((t, f) => expect(Math.abs(t - (expected[f] as number))).toBeLessThan(1e-10));
    const absExpected = perFilter.map((row) =>
      baseline.reduce((sum, e, j) => (e === 0 ? sum : sum + Math.abs((row[j] as number) - e) / e), 0),
    );
    a?.tau?.forEach((t, f) => expect(Math.abs(t - (absExpected[f] as number))).toBeLessThan(1e-10));
    // Signed orders by errors removed: its first filter removes the most.
    expect(s?.tau?.[s.order[0] as number]).toBe(Math.max(...(s?.tau ?? [])));
    let worse = 0;
    let better = 0;
    for (const row of perFilter)
      row.forEach((eij, j) => {
        if (eij > (baseline[j] as number)) worse++;
        if (eij < (baseline[j] as number)) better++;
      });
    expect([s?.worseCells, s?.betterCells]).toEqual([worse, better]);
    expect([a?.worseCells, a?.betterCells]).toEqual([worse, better]);
    // abs and signed agree exactly when no cell got worse.
    if (worse === 0) expect(s?.tau).toEqual(a?.tau);
    expect(s?.ties).toEqual(countTies(s?.tau ?? []));
    // The planner takes the top of the recorded tau's order, and refuses an order that does not follow it.
    const plan = planFromRanking(signed, 0.25);
    expect(plan[0]?.filters).toEqual(s?.order.slice(0, 16));
    const top = plan[0]?.filters.map((f) => s?.tau?.[f] as number) ?? [];
    expect(Math.min(...top)).toBeGreaterThanOrEqual(
      Math.max(...(s?.order.slice(16).map((f) => s.tau?.[f] as number) ?? [])),
    );
    const reversed = {
      ...signed,
      layers: signed.layers.map((l) => ({ ...l, order: [...l.order].reverse() })),
    };
    if (Math.max(...(s?.tau ?? [])) > Math.min(...(s?.tau ?? [])))
      expect(() => planFromRanking(reversed, 0.25)).toThrow(/"conv4" is not in the order of its signed tau/);
  });

  it("measures stability from the halves' own rankings, at no change to the whole set's", async () => {
    const whole = await ranked({ method: 'both', stability: false });
    const r = await ranked({ method: 'both', stabilityBeta: 0.25 });
    const layer = r.layers[0];
    expect(layer?.errors).toEqual(whole.layers[0]?.errors);
    expect(layer?.order).toEqual(whole.layers[0]?.order);
    expect(r.stability?.method).toBe('split-half');
    expect(r.stability?.score).toBe('tau');
    expect(r.stability?.beta).toBe(0.25);
    expect(r.stability?.images).toEqual([15, 15]);
    const st = layer?.stability;
    expect(st).toBeDefined();
    if (st?.spearman !== null) {
      expect(st?.spearman).toBeGreaterThanOrEqual(-1);
      expect(st?.spearman).toBeLessThanOrEqual(1);
    }
    expect(st?.topOverlap).toBeGreaterThanOrEqual(0);
    expect(st?.topOverlap).toBeLessThanOrEqual(1);

    // Each half ranked on its own, as a set of its own: the same agreement.
    const before = tf.memory().numTensors;
    const set = await loadRankingSet(
      dataset,
      'train',
      { images: 30 },
      { seed: SEED, halves: true, option: 'images' },
    );
    const conv4 = summarize(model).convLayers.find((c) => c.name === 'conv4');
    if (conv4 === undefined || set.halves === undefined) throw new Error('no conv4 or no halves');
    const halves = await Promise.all(
      [0, 1].map(async (h) => {
        const rows = [...set.halves!.keys()].filter((i) => set.halves![i] === h);
        const pixels = tf.gather(set.pixels, rows);
        try {
          return await rankLayer({
            model,
            images: {
              pixels,
              labels: Int32Array.from(rows, (i) => set.labels[i] as number),
              ids: Uint32Array.from(rows, (i) => set.ids[i] as number),
              n: rows.length,
            },
            layer: conv4,
            spec: { kind: 'blur' },
            levels: LEVELS,
            seed: SEED,
            method: 'both',
            tau: 'abs',
            stabilityBeta: 0.25,
            batchRows: 1000,
            tick: () => undefined,
          });
        } finally {
          pixels.dispose();
        }
      }),
    );
    set.pixels.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const [a, b] = halves.map((h) => ({ score: h.tau ?? [], tieBreak: h.proxy ?? [] }));
    const direct = rankingStability(a!, b!, 0.25);
    expect(st?.topOverlap).toBe(direct.topOverlap);
    expect(st?.spearman ?? Number.NaN).toBeCloseTo(direct.spearman ?? Number.NaN, 12);
    // The halves' errors add up to the whole set's.
    expect(halves.map((h) => h.errors?.images)).toEqual([15, 15]);
    expect(halves[0]!.errors!.baseline.map((e, j) => e + (halves[1]!.errors!.baseline[j] as number))).toEqual(
      layer?.errors?.baseline,
    );
  });

  it('measures the proxy-only order too, and can be turned off', async () => {
    const r = await ranked({ method: 'proxy', images: 20 });
    expect(r.stability?.score).toBe('proxy');
    expect(r.layers[0]?.stability?.topOverlap).toBeGreaterThanOrEqual(0);
    expect(r.layers[0]?.worseCells).toBeUndefined();
    const off = await ranked({ method: 'proxy', images: 20, stability: false });
    expect(off.stability).toBeUndefined();
    expect(off.layers[0]?.stability).toBeUndefined();
    expect(off.layers[0]?.proxy).toEqual(r.layers[0]?.proxy);
  });
});

describe('ranking-quality arithmetic', () => {
  it('spreads a set evenly over the classes, short classes giving what they have', () => {
    expect(balancedQuotas([1000, 1000, 1000], 1000)).toEqual([334, 333, 333]);
    expect(balancedQuotas([5, 100, 100], 100)).toEqual([5, 48, 47]);
    expect(balancedQuotas([2, 3, 4], 9)).toEqual([2, 3, 4]);
    expect(balancedQuotas([10, 10, 10, 10], 2)).toEqual([1, 1, 0, 0]);
    expect(balancedQuotas([0, 7], 5)).toEqual([0, 5]);
  });

  it('halves a set stratified by class, disjoint, within one image of each other', () => {
    const labels = Int32Array.from([0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 1, 0]);
    const halves = stratifiedHalves(labels, 7);
    expect(stratifiedHalves(labels, 7)).toEqual(halves);
    for (const k of [0, 1, 2]) {
      const inClass = [...labels.keys()].filter((i) => labels[i] === k);
      const first = inClass.filter((i) => halves[i] === 0).length;
      expect(Math.abs(2 * first - inClass.length)).toBeLessThanOrEqual(1);
    }
    const first = halves.filter((h) => h === 0).length;
    expect(Math.abs(2 * first - labels.length)).toBeLessThanOrEqual(1);
  });

  it('counts ties, those of sums equal but for rounding too', () => {
    expect(countTies([0, 0, 1, 2, 2, 2, 3])).toEqual({ filters: 5, groups: 2, largest: 3 });
    expect(countTies([3, 1, 2])).toEqual({ filters: 0, groups: 0, largest: 0 });
    // 0.1 + 0.2 and 0.3: one tie after tau's rounding, though the float sums differ.
    const { tau } = correctionPriority(
      [10, 10],
      [
        [9, 8],
        [7, 10],
        [10, 10],
      ],
    );
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(tau).toEqual([0.3, 0.3, 0]);
    expect(countTies(tau)).toEqual({ filters: 2, groups: 1, largest: 2 });
  });

  it('signs tau and counts the cells a clean map made worse', () => {
    const baseline = [4, 0, 2];
    const perFilter = [
      [2, 1, 2],
      [5, 0, 0],
    ];
    expect(correctionPriority(baseline, perFilter, 'abs').tau).toEqual([0.5, 1.25]);
    expect(correctionPriority(baseline, perFilter, 'signed').tau).toEqual([0.5, 0.75]);
    expect(correctionPriority(baseline, perFilter, 'signed').skipped).toEqual([1]);
    // Worse: filter 0 at level 1 (1 > 0), filter 1 at level 0 (5 > 4); better: 0 at level 0, 1 at level 2.
    expect(cellChanges(baseline, perFilter)).toEqual({ worse: 2, better: 2 });
  });

  it("compares two orders' scores and top sets", () => {
    const same = rankingStability({ score: [4, 3, 2, 1] }, { score: [8, 6, 4, 2] }, 0.5);
    expect(same).toEqual({ spearman: 1, beta: 0.5, topOverlap: 1 });
    const reversed = rankingStability({ score: [4, 3, 2, 1] }, { score: [1, 2, 3, 4] }, 0.5);
    expect(reversed.spearman).toBeCloseTo(-1, 12);
    expect(reversed.topOverlap).toBe(0);
    // One of the top two shared: {0, 1} against {0, 2}.
    expect(rankingStability({ score: [4, 3, 2, 1] }, { score: [4, 2, 3, 1] }, 0.5).topOverlap).toBe(0.5);
    // A constant score has no rank correlation; its top set comes from the tie-breaker.
    const flat = rankingStability(
      { score: [0, 0, 0, 0], tieBreak: [1, 2, 3, 4] },
      { score: [1, 2, 3, 4] },
      0.5,
    );
    expect(flat).toEqual({ spearman: null, beta: 0.5, topOverlap: 1 });
    expect(() => rankingStability({ score: [1] }, { score: [1] }, 0)).toThrow(/beta/);
  });
});
