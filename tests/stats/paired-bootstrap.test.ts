import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../shared/random.ts';
import { mcnemar } from '../../shared/stats/mcnemar.ts';
import {
  pairedBootstrap,
  pairedBootstrapOfMeans,
  type PairedSeed,
} from '../../shared/stats/paired-bootstrap.ts';

/**
 * Synthetic paired predictions: each image is right for both models, the first only, the second only or
 * neither, with the given probabilities; the true accuracy difference is firstOnly - secondOnly.
 */
function synthetic(
  random: () => number,
  images: number,
  { both, firstOnly, secondOnly }: { both: number; firstOnly: number; secondOnly: number },
): PairedSeed {
  const first = new Uint8Array(images);
  const second = new Uint8Array(images);
  for (let i = 0; i < images; i++) {
    const u = random();
    first[i] = u < both + firstOnly ? 1 : 0;
    second[i] = u < both || (u >= both + firstOnly && u < both + firstOnly + secondOnly) ? 1 : 0;
  }
  return { first, second };
}

const accuracy = (values: Uint8Array | ArrayLike<number | boolean>): number => {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Number(values[i]);
  return sum / values.length;
};

describe('the paired bootstrap over seeds and images', () => {
  it('reports the observed mean difference over seeds and is reproducible for a seed', () => {
    const random = mulberry32(5);
    const seeds = [800, 1000, 1200].map((n) =>
      synthetic(random, n, { both: 0.7, firstOnly: 0.1, secondOnly: 0.06 }),
    );
    const observed =
      seeds.reduce((a, { first, second }) => a + accuracy(first) - accuracy(second), 0) / seeds.length;
    const one = pairedBootstrap(seeds, { seed: 11, replicates: 2000 });
    expect(one.difference).toBeCloseTo(observed, 14);
    expect(one.replicates).toBe(2000);
    expect(pairedBootstrap(seeds, { seed: 11, replicates: 2000 })).toEqual(one);
    const other = pairedBootstrap(seeds, { seed: 12, replicates: 2000 });
    expect(other.interval).not.toEqual(one.interval);
    expect(one.interval.low).toBeLessThan(one.difference);
    expect(one.interval.high).toBeGreaterThan(one.difference);
  });

  it('covers the true difference in the large majority of 50 seeded trials', () => {
    const random = mulberry32(50);
    const truth = 0.1 - 0.06;
    let covered = 0;
    for (let trial = 0; trial < 50; trial++) {
      const seeds = [0, 1, 2].map(() =>
        synthetic(random, 600, { both: 0.7, firstOnly: 0.1, secondOnly: 0.06 }),
      );
      const { interval } = pairedBootstrap(seeds, { seed: trial, replicates: 1000 });
      if (interval.low <= truth && truth <= interval.high) covered++;
    }
    expect(covered).toBeGreaterThanOrEqual(44);
  });

  it('has about the normal-theory width for one seed of many images, and agrees with McNemar', () => {
    const random = mulberry32(8);
    const seed = synthetic(random, 4000, { both: 0.75, firstOnly: 0.06, secondOnly: 0.04 });
    const result = pairedBootstrap([seed], { seed: 1 });
    const { b, c, p } = mcnemar(seed.first, seed.second);
    const n = seed.first.length;
    // Paired difference per image is +1, -1 or 0: variance (b + c)/n - ((b - c)/n)², over n images.
    const se = Math.sqrt(((b + c) / n - ((b - c) / n) ** 2) / n);
    const width = result.interval.high - result.interval.low;
    expect(width / (2 * 1.959964 * se)).toBeGreaterThan(0.93);
    expect(width / (2 * 1.959964 * se)).toBeLessThan(1.07);
    expect(result.p / p).toBeGreaterThan(0.5);
    expect(result.p / p).toBeLessThan(2);
  });

  it('gives a small p when the first model is clearly better and a negative interval when worse', () => {
    const random = mulberry32(3);
    const seeds = [0, 1, 2].map(() =>
      synthetic(random, 1000, { both: 0.65, firstOnly: 0.15, secondOnly: 0.05 }),
    );
    const better = pairedBootstrap(seeds, { seed: 2, replicates: 2000 });
    expect(better.p).toBeCloseTo(2 / 2001, 12);
    expect(better.interval.low).toBeGreaterThan(0);
    const swapped = seeds.map(({ first, second }) => ({ first: second, second: first }));
    const worse = pairedBootstrap(swapped, { seed: 2, replicates: 2000 });
    expect(worse.difference).toBeCloseTo(-better.difference, 14);
    expect(worse.interval.high).toBeLessThan(0);
    expect(worse.p).toBeCloseTo(2 / 2001, 12);
  });

  it('gives large p-values when the models are the same, rarely below 0.05', () => {
    const random = mulberry32(77);
    const ps: number[] = [];
    for (let trial = 0; trial < 50; trial++) {
      const seeds = [0, 1, 2].map(() =>
        synthetic(random, 500, { both: 0.6, firstOnly: 0.1, secondOnly: 0.1 }),
      );
      ps.push(pairedBootstrap(seeds, { seed: trial, replicates: 1000 }).p);
    }
    expect(ps.filter((p) => p < 0.05).length).toBeLessThanOrEqual(5);
    expect(ps.reduce((a, b) => a + b, 0) / ps.length).toBeGreaterThan(0.35);
    // No discordant image at all: the difference is exactly zero.
    const same = Uint8Array.from([1, 0, 1, 1]);
    expect(pairedBootstrap([{ first: same, second: same }], { seed: 1, replicates: 10 })).toEqual({
      difference: 0,
      interval: { low: 0, high: 0 },
      p: 1,
      replicates: 10,
    });
  });

  it('runs 10,000 replicates over 3 seeds of 2,000 images in well under a few seconds', () => {
    const random = mulberry32(1);
    const seeds = [0, 1, 2].map(() =>
      synthetic(random, 2000, { both: 0.7, firstOnly: 0.08, secondOnly: 0.07 }),
    );
    const started = performance.now();
    const result = pairedBootstrap(seeds, { seed: 1 });
    const seconds = (performance.now() - started) / 1000;
    expect(result.replicates).toBe(10_000);
    expect(seconds).toBeLessThan(3);
  });

  it('refuses no seeds, empty or unequal arrays and a bad replicate count', () => {
    expect(() => pairedBootstrap([], { seed: 1 })).toThrow('at least one seed');
    expect(() => pairedBootstrap([{ first: [], second: [] }], { seed: 1 })).toThrow('at least one image');
    expect(() => pairedBootstrap([{ first: [1], second: [1, 0] }], { seed: 1 })).toThrow('equal lengths');
    expect(() => pairedBootstrap([{ first: [1], second: [0] }], { seed: 1, replicates: 0 })).toThrow(
      'replicates',
    );
  });

  describe('of the mean over conditions', () => {
    const random = mulberry32(11);
    const seeds = [0, 1, 2].map(() => [
      synthetic(random, 400, { both: 0.6, firstOnly: 0.15, secondOnly: 0.05 }),
      synthetic(random, 400, { both: 0.4, firstOnly: 0.1, secondOnly: 0.1 }),
      synthetic(random, 400, { both: 0.3, firstOnly: 0.05, secondOnly: 0.2 }),
    ]);
    const conditions = seeds.map((conds) => ({
      first: conds.map((c) => c.first),
      second: conds.map((c) => c.second),
    }));

    it('reports the mean over seeds and conditions of the accuracy differences', () => {
      const r = pairedBootstrapOfMeans(conditions, { seed: 5, replicates: 2000 });
      let expected = 0;
      for (const conds of seeds)
        for (const c of conds) expected += (accuracy(c.first) - accuracy(c.second)) / (3 * conds.length);
      expect(r.difference).toBeCloseTo(expected, 12);
      expect(r.interval.low).toBeLessThan(r.difference);
      expect(r.interval.high).toBeGreaterThan(r.difference);
    });

    it('equals the plain paired bootstrap with one condition', () => {
      const one = seeds.map((conds) => conds[0] as PairedSeed);
      const plain = pairedBootstrap(one, { seed: 3, replicates: 500 });
      const ofMeans = pairedBootstrapOfMeans(
        one.map((s) => ({ first: [s.first], second: [s.second] })),
        { seed: 3, replicates: 500 },
      );
      expect(ofMeans).toEqual(plain);
    });

    it('does not narrow when every condition repeats the same answers (images, not image-condition pairs, are resampled)', () => {
      // Every condition repeats the same answers: resampling images must not treat them as independent.
      const same = seeds.map((conds) => {
        const c = conds[0] as PairedSeed;
        return { first: [c.first, c.first, c.first], second: [c.second, c.second, c.second] };
      });
      const ofMeans = pairedBootstrapOfMeans(same, { seed: 4, replicates: 2000 });
      const plain = pairedBootstrap(
        seeds.map((conds) => conds[0] as PairedSeed),
        { seed: 4, replicates: 2000 },
      );
      expect(ofMeans.interval.low).toBeCloseTo(plain.interval.low, 12);
      expect(ofMeans.interval.high).toBeCloseTo(plain.interval.high, 12);
    });

    it('refuses unequal condition counts or image counts', () => {
      const c = seeds[0]?.[0] as PairedSeed;
      expect(() => pairedBootstrapOfMeans([{ first: [c.first], second: [] }], { seed: 1 })).toThrow(
        /same number/,
      );
      expect(() =>
        pairedBootstrapOfMeans(
          [{ first: [c.first, (c.first as Uint8Array).slice(1)], second: [c.second, c.second] }],
          {
            seed: 1,
          },
        ),
      ).toThrow(/equal lengths|images, not/);
    });
  });
});
