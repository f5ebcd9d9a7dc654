import type { Interval } from './summary.ts';

export type Outcome = 'better' | 'worse' | 'no significant difference';

export interface Verdict {
  outcome: Outcome;
  /** The report's words, e.g. "better (p = 0.004)" or "no significant difference (p = 0.41)". */
  text: string;
}

/**
 * The report's wording for a difference (first minus second): "better" or "worse" only where the interval
 * excludes zero, whatever the p-value says; anything else is no significant difference.
 */
export function verdict(interval: Interval, p: number): Verdict {
  if (!(interval.low <= interval.high))
    throw new RangeError(`bad interval [${interval.low}, ${interval.high}]`);
  const outcome: Outcome =
    interval.low > 0 ? 'better' : interval.high < 0 ? 'worse' : 'no significant difference';
  return { outcome, text: `${outcome} (${formatP(p)})` };
}

/** "p < 0.001" below a thousandth, else two significant digits ("p = 0.034", "p = 0.41"); "p = 1" at the top. */
export function formatP(p: number): string {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`a p-value must be in [0, 1], got ${p}`);
  if (p < 0.001) return 'p < 0.001';
  const digits = p.toPrecision(2);
  return digits === '1.0' ? 'p = 1' : `p = ${digits}`;
}
