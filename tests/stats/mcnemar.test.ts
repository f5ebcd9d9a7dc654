import { describe, expect, it } from 'vitest';
import { mulberry32, shuffledIndices } from '../../shared/random.ts';
import { logBinomialHalfCdf, mcnemar } from '../../shared/stats/mcnemar.ts';

/** Paired correctness with b first-only, c second-only, and some of both and neither, in a shuffled order. */
function paired(b: number, c: number, both: number, neither: number, seed: number): [Uint8Array, Uint8Array] {
  const n = b + c + both + neither;
  const first = new Uint8Array(n);
  const second = new Uint8Array(n);
  const order = shuffledIndices(n, mulberry32(seed));
  for (let i = 0; i < n; i++) {
    const slot = order[i] as number;
    first[slot] = i < b || i >= b + c + neither ? 1 : 0;
    second[slot] = (i >= b && i < b + c) || i >= b + c + neither ? 1 : 0;
  }
  return [first, second];
}

/** ln of an exact BigInt rational sum / 2^n: only the leading bits of the sum matter in float64. */
function exactLogTail(k: number, n: number): number {
  let coefficient = 1n;
  let sum = 0n;
  for (let j = 0; j <= k; j++) {
    sum += coefficient;
    coefficient = (coefficient * BigInt(n - j)) / BigInt(j + 1);
  }
  const bits = sum.toString(2).length;
  const shift = Math.max(0, bits - 60);
  return Math.log(Number(sum >> BigInt(shift))) + (shift - n) * Math.LN2;
}

describe('the exact McNemar test', () => {
  it('gives the published p for b = 10, c = 2', () => {
    const [first, second] = paired(10, 2, 50, 8, 1);
    const result = mcnemar(first, second);
    expect(result.b).toBe(10);
    expect(result.c).toBe(2);
    // 2 (1 + 12 + 66) / 2^12 = 0.0386.
    expect(result.p).toBeCloseTo(158 / 4096, 14);
    expect(result.p.toFixed(4)).toBe('0.0386');
  });

  it('matches exact rational sums for random small counts, and is symmetric', () => {
    const random = mulberry32(9);
    for (let trial = 0; trial < 200; trial++) {
      const b = Math.floor(random() * 60);
      const c = Math.floor(random() * 60);
      const [first, second] = paired(b, c, Math.floor(random() * 30), Math.floor(random() * 30), trial);
      const result = mcnemar(first, second);
      expect([result.b, result.c]).toEqual([b, c]);
      const n = b + c;
      let exact = 0n;
      let coefficient = 1n;
      for (let j = 0; j <= Math.min(b, c); j++) {
        exact += coefficient;
        coefficient = (coefficient * BigInt(n - j)) / BigInt(j + 1);
      }
      // p = 2 exact / 2^n as a float: scale the rational to 1e-18 units before dividing.
      const expected = n === 0 ? 1 : Math.min(1, Number((2n * exact * 10n ** 18n) / 2n ** BigInt(n)) / 1e18);
      expect(Math.abs(result.p - expected), `b ${b}, c ${c}`).toBeLessThan(1e-13 + 1e-12 * expected);
      const swapped = mcnemar(second, first);
      expect([swapped.b, swapped.c, swapped.p]).toEqual([c, b, result.p]);
    }
  });

  it('stays exact in log space for tens of thousands of discordant images', () => {
    const cases: [number, number][] = [
      [12_000, 11_500],
      [30_000, 29_990],
      [40_000, 10],
      [25_000, 0],
      [7, 45_000],
    ];
    for (const [b, c] of cases) {
      const k = Math.min(b, c);
      const n = b + c;
      const log = logBinomialHalfCdf(k, n);
      expect(Math.abs(log - exactLogTail(k, n)), `b ${b}, c ${c}`).toBeLessThan(1e-9 * Math.max(1, -log));
    }
    const [first, second] = paired(12_000, 11_500, 20_000, 6_000, 4);
    expect(mcnemar(first, second).p).toBeCloseTo(Math.min(1, 2 * Math.exp(exactLogTail(11_500, 23_500))), 12);
  });

  it('gives p = 1 with no or balanced discordant pairs, and the upper tail by symmetry', () => {
    expect(mcnemar([1, 0, 1], [1, 0, 1])).toEqual({ b: 0, c: 0, p: 1 });
    expect(mcnemar([true, false, true, false], [false, true, true, false]).p).toBe(1);
    // P[X <= 7] for Bin(10, 1/2) = 1 - P[X <= 2] = 1 - 56/1024.
    expect(Math.exp(logBinomialHalfCdf(7, 10))).toBeCloseTo(1 - 56 / 1024, 14);
    expect(logBinomialHalfCdf(10, 10)).toBe(0);
    expect(logBinomialHalfCdf(-1, 10)).toBe(Number.NEGATIVE_INFINITY);
  });

  it('refuses unequal lengths and values other than 0/1', () => {
    expect(() => mcnemar([1, 0], [1])).toThrow('equal lengths');
    expect(() => mcnemar([1, 2], [1, 0])).toThrow('0/1');
  });
});
