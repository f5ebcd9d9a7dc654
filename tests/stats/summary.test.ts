import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../shared/random.ts';
import { summarize } from '../../shared/stats/summary.ts';

/** A standard normal draw by Box-Muller from a seeded uniform generator. */
function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

describe('summarize: mean, sample sd and a t interval of the mean', () => {
  it('computes them for a small sample by hand', () => {
    const s = summarize([1, 2, 3]);
    expect(s.n).toBe(3);
    expect(s.mean).toBe(2);
    expect(s.sd).toBeCloseTo(1, 14);
    // t_{0.975, 2} = 4.3026527297; half-width t sd / √3.
    const half = 4.3026527297 / Math.sqrt(3);
    expect(s.interval?.low).toBeCloseTo(2 - half, 9);
    expect(s.interval?.high).toBeCloseTo(2 + half, 9);
    // Four seeds' accuracies, as a study would pass them.
    const acc = summarize([0.8571, 0.8525, 0.8489, 0.8533]);
    const mean = (0.8571 + 0.8525 + 0.8489 + 0.8533) / 4;
    const squares = [0.8571, 0.8525, 0.8489, 0.8533].map((v) => (v - mean) ** 2);
    const sd = Math.sqrt((squares[0]! + squares[1]! + squares[2]! + squares[3]!) / 3);
    expect(acc.mean).toBeCloseTo(mean, 14);
    expect(acc.sd).toBeCloseTo(sd, 14);
    expect(acc.interval?.high).toBeCloseTo(mean + (3.1824463053 * sd) / 2, 9);
  });

  it('gives no sd and no interval for a single seed', () => {
    expect(summarize([0.7])).toEqual({ n: 1, mean: 0.7, sd: null, interval: null });
  });

  it('covers the true mean in about 95% of normal samples, even for 3 seeds', () => {
    const random = mulberry32(2024);
    for (const n of [2, 3, 10]) {
      let covered = 0;
      const trials = 4000;
      for (let trial = 0; trial < trials; trial++) {
        const values = Array.from({ length: n }, () => 5 + 2 * normal(random));
        const { interval } = summarize(values);
        if (interval && interval.low <= 5 && 5 <= interval.high) covered++;
      }
      // A normal quantile instead of t would cover about 70% at n = 2 and 86% at n = 3.
      expect(covered / trials, `n = ${n}`).toBeGreaterThan(0.935);
      expect(covered / trials, `n = ${n}`).toBeLessThan(0.965);
    }
  });

  it('honours another confidence level and refuses bad input', () => {
    const s = summarize([1, 2, 3], 0.9);
    // t_{0.95, 2} = 2.9199855804.
    expect(s.interval?.high).toBeCloseTo(2 + 2.9199855804 / Math.sqrt(3), 9);
    expect(() => summarize([])).toThrow(RangeError);
    expect(() => summarize([1, Number.NaN])).toThrow(RangeError);
    expect(() => summarize([1, 2], 1)).toThrow(RangeError);
  });
});
