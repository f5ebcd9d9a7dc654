/**
 * The Ranking view's filter table as plain data: one row per conv filter of a layer ranking (its rank, the
 * oracle's correction priority tau and per-level error rates, the proxy's score and rank, and how far the two
 * ranks differ), a text filter ("3,5,10-20" or "tau>=0.5"), the top-beta cut, and sorting. Pure and O(n log n)
 * so a 512-filter layer sorts well inside a frame; the component keeps the arrays out of Vue's deep reactivity.
 */

/** The part of a rank.filters layer the table reads (RankingSchema's layer). */
export interface LayerRankingLike {
  layer: string;
  filters: number;
  order: readonly number[];
  tau?: readonly number[];
  errors?: {
    images: number;
    clean: number;
    baseline: readonly number[];
    perFilter: readonly (readonly number[])[];
  };
  proxy?: readonly number[];
  proxyOrder?: readonly number[];
  /** NaN travels as null in JSON. */
  spearman?: number | null;
}

export interface FilterRow {
  filter: number;
  /** 1-based position in the layer's order (the oracle's when it ran, else the proxy's). */
  rank: number;
  /** Correction priority; null when the oracle did not run. */
  tau: number | null;
  /** Error rate on the ranking set with this filter's map corrected, per level; empty without the oracle. */
  errors: readonly number[];
  proxy: number | null;
  /** 1-based position in the proxy's order; null when the proxy did not run. */
  proxyRank: number | null;
  /** proxyRank - rank when both ran (positive: the proxy puts the filter later). */
  rankDiff: number | null;
}

export type FilterColumn = 'rank' | 'filter' | 'tau' | `error-${number}` | 'proxy' | 'proxyRank' | 'rankDiff';
export type SortDirection = 'asc' | 'desc';
export interface SortState {
  column: FilterColumn;
  direction: SortDirection;
}

/** Positions (1-based) of each filter in an order; 0 for a filter the order leaves out. */
function positions(order: readonly number[] | undefined, filters: number): Int32Array | null {
  if (order === undefined) return null;
  const at = new Int32Array(filters);
  order.forEach((f, i) => {
    if (f >= 0 && f < filters) at[f] = i + 1;
  });
  return at;
}

/** One row per filter, in filter index order. */
export function buildFilterRows(layer: LayerRankingLike): FilterRow[] {
  const n = layer.filters;
  const rankAt = positions(layer.order, n) as Int32Array;
  const proxyAt = positions(layer.proxyOrder, n);
  const oracle = layer.tau !== undefined;
  const images = layer.errors?.images ?? 0;
  const rows: FilterRow[] = new Array<FilterRow>(n);
  for (let f = 0; f < n; f++) {
    const rank = rankAt[f] || n;
    const proxyRank = proxyAt === null ? null : proxyAt[f] || n;
    const perLevel = layer.errors?.perFilter[f];
    rows[f] = {
      filter: f,
      rank,
      tau: oracle ? (layer.tau?.[f] ?? null) : null,
      errors: perLevel === undefined || images <= 0 ? [] : perLevel.map((e) => e / images),
      proxy: layer.proxy?.[f] ?? null,
      proxyRank,
      rankDiff: oracle && proxyRank !== null ? proxyRank - rank : null,
    };
  }
  return rows;
}

/** The uncorrected error rate per level (the per-level columns' reference), or [] without the oracle. */
export function baselineRates(layer: LayerRankingLike): number[] {
  const e = layer.errors;
  if (e === undefined || e.images <= 0) return [];
  return e.baseline.map((b) => b / e.images);
}

/** A row's value in a column (null: not measured). */
export function columnValue(row: FilterRow, column: FilterColumn): number | null {
  switch (column) {
    case 'rank':
      return row.rank;
    case 'filter':
      return row.filter;
    case 'tau':
      return row.tau;
    case 'proxy':
      return row.proxy;
    case 'proxyRank':
      return row.proxyRank;
    case 'rankDiff':
      return row.rankDiff;
    default: {
      const level = Number(column.slice('error-'.length));
      return row.errors[level] ?? null;
    }
  }
}

/**
 * Rows sorted by a column (a new array; the input is left alone). Missing values go last in either direction;
 * ties keep rank order, so the result is the same whatever order the rows came in.
 */
export function sortRows(rows: readonly FilterRow[], sort: SortState): FilterRow[] {
  const sign = sort.direction === 'asc' ? 1 : -1;
  // Decorate once: the comparator then reads plain numbers (no switch per comparison).
  const keyed = rows.map((row) => ({ row, v: columnValue(row, sort.column) }));
  keyed.sort((a, b) => {
    if (a.v === null || Number.isNaN(a.v)) {
      return b.v === null || Number.isNaN(b.v) ? a.row.rank - b.row.rank : 1;
    }
    if (b.v === null || Number.isNaN(b.v)) return -1;
    return a.v === b.v ? a.row.rank - b.row.rank : sign * (a.v - b.v);
  });
  return keyed.map((k) => k.row);
}

/** The next sort state after a click on a column header: the same column flips, a new one starts ascending. */
export function nextSort(current: SortState, column: FilterColumn): SortState {
  if (current.column === column) return { column, direction: current.direction === 'asc' ? 'desc' : 'asc' };
  // Scores read best first: a new score column starts with the largest.
  const descFirst = column === 'tau' || column === 'proxy';
  return { column, direction: descFirst ? 'desc' : 'asc' };
}

export type FilterQuery =
  | { kind: 'all' }
  | { kind: 'indices'; ranges: readonly (readonly [number, number])[] }
  | { kind: 'min-tau'; value: number; strict: boolean }
  | { kind: 'error'; message: string };

/**
 * Parses the table's filter box: empty (all rows), a list of filter indices and ranges ("3,5,10-20"), or a
 * minimum correction priority ("tau>=0.5", "tau>0.5", ">=0.5", ">0.5").
 */
export function parseFilterQuery(text: string): FilterQuery {
  const t = text.trim().toLowerCase();
  if (t === '') return { kind: 'all' };
  const tau = /^(?:tau\s*)?(>=?|≥)\s*(-?\d*\.?\d+(?:e-?\d+)?)$/.exec(t);
  if (tau !== null) {
    const value = Number(tau[2]);
    if (!Number.isFinite(value))
      return { kind: 'error', message: `"${text}": the minimum tau is not a number` };
    return { kind: 'min-tau', value, strict: tau[1] === '>' };
  }
  const ranges: [number, number][] = [];
  for (const part of t.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(p);
    if (m === null) {
      return {
        kind: 'error',
        message: `"${p}" is not a filter index or range; use e.g. 3,5,10-20 or tau>=0.5`,
      };
    }
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    ranges.push(a <= b ? [a, b] : [b, a]);
  }
  if (ranges.length === 0) return { kind: 'all' };
  return { kind: 'indices', ranges };
}

/** Filters corrected for a fraction beta of n: round(beta * n), at least 1 (as the engine counts). */
export function topBetaCount(beta: number, filters: number): number {
  if (filters <= 0) return 0;
  return Math.max(1, Math.min(filters, Math.round(beta * filters)));
}

/** The rows a query (and optionally the top-beta cut, by rank) lets through, in their given order. */
export function filterRows(
  rows: readonly FilterRow[],
  query: FilterQuery,
  topBeta?: { beta: number; filters: number },
): FilterRow[] {
  const maxRank = topBeta === undefined ? Infinity : topBetaCount(topBeta.beta, topBeta.filters);
  const keep = (row: FilterRow): boolean => {
    if (row.rank > maxRank) return false;
    switch (query.kind) {
      case 'indices':
        return query.ranges.some(([a, b]) => row.filter >= a && row.filter <= b);
      case 'min-tau':
        return row.tau !== null && (query.strict ? row.tau > query.value : row.tau >= query.value);
      default:
        return true;
    }
  };
  return rows.filter(keep);
}

/** A figure for a cell: "—" when not measured. */
export function formatCell(value: number | null, column: FilterColumn): string {
  if (value === null || !Number.isFinite(value)) return '—';
  if (column === 'rank' || column === 'filter' || column === 'proxyRank') return String(value);
  if (column === 'rankDiff') return value > 0 ? `+${value}` : String(value);
  if (column.startsWith('error-')) return `${(value * 100).toFixed(1)}%`;
  return value.toFixed(3);
}
