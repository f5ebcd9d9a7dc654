import { describe, expect, it } from 'vitest';
import {
  baselineRates,
  buildFilterRows,
  filterRows,
  formatCell,
  nextSort,
  parseFilterQuery,
  sortRows,
  topBetaCount,
  type LayerRankingLike,
} from '../../renderer/src/lib/filter-table.ts';

const both: LayerRankingLike = {
  layer: 'conv1',
  filters: 4,
  order: [2, 0, 3, 1],
  tau: [0.5, 0.1, 0.9, 0.3],
  errors: {
    images: 10,
    clean: 1,
    baseline: [4, 5],
    perFilter: [
      [3, 4],
      [4, 5],
      [2, 3],
      [4, 4],
    ],
  },
  proxy: [1, 4, 3, 2],
  proxyOrder: [1, 2, 3, 0],
  spearman: -0.2,
};

describe('filter rows', () => {
  it('one row per filter with rank, tau, error rates, proxy rank and rank difference', () => {
    const rows = buildFilterRows(both);
    expect(rows.map((r) => r.rank)).toEqual([2, 4, 1, 3]);
    expect(rows[2]).toEqual({
      filter: 2,
      rank: 1,
      tau: 0.9,
      errors: [0.2, 0.3],
      proxy: 3,
      proxyRank: 2,
      rankDiff: 1,
    });
    expect(rows[1]?.rankDiff).toBe(1 - 4);
    expect(baselineRates(both)).toEqual([0.4, 0.5]);
  });

  it('a proxy-only ranking leaves the oracle columns empty', () => {
    const proxyOnly: LayerRankingLike = {
      layer: 'conv1',
      filters: 3,
      order: [1, 2, 0],
      proxy: [1, 3, 2],
      proxyOrder: [1, 2, 0],
    };
    const rows = buildFilterRows(proxyOnly);
    expect(rows[0]).toMatchObject({ rank: 3, tau: null, errors: [], proxyRank: 3, rankDiff: null });
    expect(baselineRates(proxyOnly)).toEqual([]);
    expect(formatCell(rows[0]?.tau ?? null, 'tau')).toBe('—');
  });
});

describe('sorting', () => {
  const rows = buildFilterRows(both);
  it('sorts by any column either way, missing values last, ties by rank', () => {
    expect(sortRows(rows, { column: 'tau', direction: 'desc' }).map((r) => r.filter)).toEqual([2, 0, 3, 1]);
    expect(sortRows(rows, { column: 'filter', direction: 'asc' }).map((r) => r.filter)).toEqual([0, 1, 2, 3]);
    expect(sortRows(rows, { column: 'error-1', direction: 'asc' }).map((r) => r.filter)).toEqual([
      2, 0, 3, 1,
    ]);
    const withNull = rows.map((r, i) => (i === 2 ? { ...r, proxy: null } : r));
    expect(sortRows(withNull, { column: 'proxy', direction: 'asc' }).at(-1)?.filter).toBe(2);
    expect(sortRows(withNull, { column: 'proxy', direction: 'desc' }).at(-1)?.filter).toBe(2);
    expect(rows.map((r) => r.filter)).toEqual([0, 1, 2, 3]);
  });

  it('a header click flips the direction of the same column; scores start descending', () => {
    expect(nextSort({ column: 'rank', direction: 'asc' }, 'rank')).toEqual({
      column: 'rank',
      direction: 'desc',
    });
    expect(nextSort({ column: 'rank', direction: 'asc' }, 'tau')).toEqual({
      column: 'tau',
      direction: 'desc',
    });
    expect(nextSort({ column: 'tau', direction: 'desc' }, 'filter')).toEqual({
      column: 'filter',
      direction: 'asc',
    });
  });

  it('512 filters sort well within a frame', () => {
    const n = 512;
    const order = Array.from({ length: n }, (_, i) => (i * 7) % n);
    const big: LayerRankingLike = {
      layer: 'conv',
      filters: n,
      order,
      tau: Array.from({ length: n }, (_, i) => Math.sin(i)),
      errors: {
        images: 100,
        clean: 3,
        baseline: [50, 60, 70, 80, 90, 95],
        perFilter: Array.from({ length: n }, (_, i) => [i % 50, i % 60, i % 70, i % 80, i % 90, i % 95]),
      },
      proxy: Array.from({ length: n }, (_, i) => Math.cos(i)),
      proxyOrder: [...order].reverse(),
    };
    const built = buildFilterRows(big);
    const started = performance.now();
    for (const column of ['tau', 'proxy', 'error-3', 'rankDiff', 'filter'] as const)
      sortRows(built, { column, direction: 'desc' });
    expect(performance.now() - started).toBeLessThan(50);
  });
});

describe('the filter box', () => {
  const rows = buildFilterRows(both);
  it('parses index lists and ranges', () => {
    expect(parseFilterQuery(' ')).toEqual({ kind: 'all' });
    expect(parseFilterQuery('3, 5,10-20')).toEqual({
      kind: 'indices',
      ranges: [
        [3, 3],
        [5, 5],
        [10, 20],
      ],
    });
    expect(parseFilterQuery('9-2')).toEqual({ kind: 'indices', ranges: [[2, 9]] });
    const q = parseFilterQuery('0,2-3');
    expect(filterRows(rows, q).map((r) => r.filter)).toEqual([0, 2, 3]);
  });

  it('parses a minimum tau', () => {
    expect(parseFilterQuery('tau>=0.5')).toEqual({ kind: 'min-tau', value: 0.5, strict: false });
    expect(parseFilterQuery('>0.5')).toEqual({ kind: 'min-tau', value: 0.5, strict: true });
    expect(filterRows(rows, parseFilterQuery('tau >= 0.5')).map((r) => r.filter)).toEqual([0, 2]);
    expect(filterRows(rows, parseFilterQuery('>0.5')).map((r) => r.filter)).toEqual([2]);
  });

  it('says what is wrong with anything else', () => {
    const q = parseFilterQuery('3,abc');
    expect(q.kind).toBe('error');
    expect(q.kind === 'error' && q.message).toContain('abc');
  });

  it('keeps the top beta of the ranking, counted as the engine counts', () => {
    expect(topBetaCount(0.5, 4)).toBe(2);
    expect(topBetaCount(0.01, 4)).toBe(1);
    expect(topBetaCount(1, 4)).toBe(4);
    expect(filterRows(rows, { kind: 'all' }, { beta: 0.5, filters: 4 }).map((r) => r.filter)).toEqual([0, 2]);
  });

  it('formats cells', () => {
    expect(formatCell(0.2, 'error-0')).toBe('20.0%');
    expect(formatCell(3, 'rankDiff')).toBe('+3');
    expect(formatCell(-3, 'rankDiff')).toBe('-3');
    expect(formatCell(0.12345, 'tau')).toBe('0.123');
    expect(formatCell(7, 'rank')).toBe('7');
  });
});
