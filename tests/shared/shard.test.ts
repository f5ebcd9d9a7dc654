import { describe, expect, it } from 'vitest';
import { contiguousSplit, coverageProblem, firstDifference, parseShard } from '../../shared/shard.ts';

describe('parseShard', () => {
  it('reads I/N counted from 0', () => {
    expect(parseShard('0/4')).toEqual({ index: 0, count: 4 });
    expect(parseShard(' 3 / 4 ')).toEqual({ index: 3, count: 4 });
    expect(parseShard('0/1')).toEqual({ index: 0, count: 1 });
  });
  it.each([
    ['5/4', /indices run from 0 to 3/],
    ['4/4', /indices run from 0 to 3/],
    ['0/0', /at least 1 shard/],
    ['1/2/3', /is not a shard/],
    ['-1/4', /is not a shard/],
    ['a/4', /is not a shard/],
    ['', /is not a shard/],
    ['1.5/4', /is not a shard/],
    ['0/10001', /at most 10000/],
  ])('refuses %j', (text, why) => {
    expect(() => parseShard(text)).toThrow(why);
  });
});

describe('coverageProblem', () => {
  it('accepts every index once, in any order', () => {
    expect(coverageProblem([2, 0, 1], 3)).toBeUndefined();
  });
  it('names missing, doubled and stray indices', () => {
    expect(coverageProblem([0, 2], 4)).toBe('missing shards 1, 3 (of 4)');
    expect(coverageProblem([0, 1, 1, 2], 3)).toBe('shard 1 given more than once (of 3)');
    expect(coverageProblem([0, 1, 5], 2)).toMatch(/shard indices 5 outside 0\.\.1/);
  });
});

describe('firstDifference', () => {
  it('finds the first differing setting by path, whatever the key order', () => {
    expect(firstDifference({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toBeUndefined();
    expect(firstDifference({ h: { seed: 1, levels: [1, 2] } }, { h: { seed: 1, levels: [1, 3] } })).toEqual({
      path: 'h.levels[1]',
      a: 2,
      b: 3,
    });
    expect(firstDifference({ a: 1 }, { a: 1, extra: 'x' })).toEqual({ path: 'extra', a: undefined, b: 'x' });
    expect(firstDifference([1], [1, 2])).toEqual({ path: '', a: [1], b: [1, 2] });
  });
});

describe('contiguousSplit', () => {
  const cover = (runs: [number, number][], n: number): void => {
    expect(runs[0]?.[0]).toBe(0);
    expect(runs.at(-1)?.[1]).toBe(n);
    runs.slice(1).forEach(([from], k) => expect(from).toBe((runs[k] as [number, number])[1]));
  };
  it('covers the items in order, in runs of near-equal cost', () => {
    const random = (seed: number) => () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const n of [1, 5, 17, 64]) {
      const next = random(n);
      const costs = Array.from({ length: n }, () => 1 + next() * 9);
      for (const count of [1, 2, 3, 4, 8, 80]) {
        const runs = contiguousSplit(costs, count);
        expect(runs).toHaveLength(count);
        cover(runs, n);
        if (n >= count * 4) {
          const sums = runs.map(([a, b]) => costs.slice(a, b).reduce((s, c) => s + c, 0));
          const total = costs.reduce((s, c) => s + c, 0);
          // No run is more than one item's cost (at most 10) away from an equal share.
          for (const s of sums) expect(Math.abs(s - total / count)).toBeLessThanOrEqual(10 + 1e-9);
        }
      }
    }
  });
  it('gives every shard an item while there are enough', () => {
    const runs = contiguousSplit([100, 1, 1, 1], 4);
    expect(runs).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
    ]);
  });
});
