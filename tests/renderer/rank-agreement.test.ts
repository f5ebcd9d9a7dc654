import { describe, expect, it } from 'vitest';
import type { RankingRunShape, SavedRanking } from '../../renderer/src/lib/opened-rankings.ts';
import { rankAgreement, sameRankingSettings } from '../../renderer/src/lib/rank-agreement.ts';
import { mulberry32 } from '../../shared/random.ts';
import { averageRanks, spearman } from '../../shared/stats/spearman.ts';

const tau = [0.9, 0.1, 0.5, 0.5, 0.3, 0.7];
const proxy = [2.0, 0.4, 0.9, 1.3, 0.2, 1.1];

function ranking(method: 'oracle' | 'proxy' | 'both', seed = 1): SavedRanking {
  const withTau = method !== 'proxy';
  const withProxy = method !== 'oracle';
  return {
    model: 'cnn4',
    dataset: 'fashion-mnist-demo',
    method,
    kind: 'blur',
    levels: [0.5, 1, 1.5, 2, 2.5, 3],
    seed,
    split: 'train',
    rankImages: 100,
    rankingImages: 100,
    layers: [
      {
        layer: 'conv1',
        activation: 'conv1_relu',
        filters: 6,
        order: [0, 5, 2, 3, 4, 1],
        ...(withTau ? { tau } : {}),
        ...(withProxy ? { proxy, proxyOrder: [0, 3, 5, 2, 1, 4] } : {}),
        ...(withTau && withProxy ? { spearman: spearman(tau, proxy) } : {}),
        seconds: 1,
      },
    ],
    backend: 'wasm',
    seconds: 2,
  };
}

function run(id: string, result: SavedRanking, path?: string): RankingRunShape {
  const input = {
    modelId: 'm1',
    datasetId: path === undefined ? 'd1' : '',
    spec: { kind: 'blur' as const },
    levels: [...result.levels],
    seed: result.seed,
    method: result.method,
  };
  return {
    job: { id, name: 'rank.filters', title: id, status: 'done', input, result, queuedAt: 0, endedAt: 0 },
    input,
    result,
    ...(path === undefined ? {} : { path }),
  };
}

describe('rank agreement', () => {
  it('computes Spearman: the textbook formula without ties, average ranks with them', () => {
    expect(averageRanks([3, 1, 3, 2])).toEqual([3.5, 1, 3.5, 2]);
    const rand = mulberry32(7);
    for (let t = 0; t < 20; t++) {
      const a = Array.from({ length: 32 }, () => rand());
      const b = Array.from({ length: 32 }, () => rand());
      // Distinct values: rho = 1 - 6 * sum(d^2) / (n (n^2 - 1)), d the difference of the two ranks.
      const rank = (v: number[]): number[] => v.map((x) => v.filter((y) => y < x).length + 1);
      const ra = rank(a);
      const rb = rank(b);
      const d2 = ra.reduce((s, r, i) => s + (r - (rb[i] as number)) ** 2, 0);
      expect(spearman(a, b)).toBeCloseTo(1 - (6 * d2) / (32 * (32 * 32 - 1)), 12);
    }
    expect(spearman([1, 2, 2, 3], [1, 2, 2, 3])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
  });

  it('pairs an oracle ranking with a proxy ranking of the same settings, as ranking by both would', () => {
    const both = ranking('both').layers[0]!.spearman!;
    expect(both).toBeGreaterThan(0.5);
    const oracle = run('j1', ranking('oracle'));
    const proxyRun = run('j2', ranking('proxy'));
    const a = rankAgreement(oracle, [oracle, proxyRun], 'conv1');
    expect(a).toMatchObject({ from: 'paired' });
    expect(a.rho).toBeCloseTo(both, 12);
    // From the proxy's side too.
    expect(rankAgreement(proxyRun, [oracle, proxyRun], 'conv1').rho).toBeCloseTo(both, 12);
    // A ranking by both needs no partner.
    expect(rankAgreement(run('j3', ranking('both')), [], 'conv1')).toEqual({
      rho: both,
      from: 'this ranking',
    });
  });

  it('never pairs rankings of other settings, and says what is missing', () => {
    const oracle = run('j1', ranking('oracle'));
    const otherSeed = run('j2', ranking('proxy', 2));
    expect(sameRankingSettings(oracle, otherSeed)).toBe(false);
    const a = rankAgreement(oracle, [oracle, otherSeed], 'conv1');
    expect(a.rho).toBeNull();
    expect('missing' in a && a.missing).toMatch(/proxy/);
    // Another oracle ranking is no partner either.
    expect('missing' in rankAgreement(oracle, [oracle, run('j4', ranking('oracle'))], 'conv1')).toBe(true);
    // A file (no dataset id, no distortion options) pairs on what it records.
    const file = run('file:/r.json', ranking('proxy'), '/r.json');
    expect(rankAgreement(oracle, [oracle, file], 'conv1')).toMatchObject({ from: 'paired' });
  });

  it('reports a constant score as undefined, not as a number', () => {
    const flat = ranking('proxy');
    flat.layers[0] = { ...flat.layers[0]!, proxy: [1, 1, 1, 1, 1, 1] };
    const a = rankAgreement(run('j1', ranking('oracle')), [run('j2', flat)], 'conv1');
    expect(a).toMatchObject({ rho: null, from: 'paired' });
  });
});
