import { pairCorrectness, type Correctness } from './correctness.ts';
import { logGamma } from './log-gamma.ts';

export interface McNemarResult {
  /** Images the first model got right and the second wrong. */
  b: number;
  /** Images the first model got wrong and the second right. */
  c: number;
  /** Exact two-sided p-value: min(1, 2 P[X <= min(b, c)]), X ~ Bin(b + c, 1/2); 1 when b + c = 0. */
  p: number;
}

/** The exact McNemar test on two models' paired per-image correctness (1 = correct). */
export function mcnemar(first: Correctness, second: Correctness): McNemarResult {
  const [x, y] = pairCorrectness(first, second);
  let b = 0;
  let c = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i] === 1 && y[i] === 0) b++;
    else if (x[i] === 0 && y[i] === 1) c++;
  }
  const p = b + c === 0 ? 1 : Math.min(1, 2 * Math.exp(logBinomialHalfCdf(Math.min(b, c), b + c)));
  return { b, c, p };
}

/**
 * ln P[X <= k] for X ~ Bin(n, 1/2). The largest term, P[X = k] for k <= n/2, is taken in log space from
 * ln Γ; the rest are summed relative to it with P[X = j-1] / P[X = j] = j / (n - j + 1) <= 1, so nothing
 * underflows or cancels for tens of thousands of images.
 */
export function logBinomialHalfCdf(k: number, n: number): number {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(k))
    throw new RangeError(`bad binomial k = ${k}, n = ${n}`);
  if (k < 0) return Number.NEGATIVE_INFINITY;
  if (k >= n) return 0;
  if (2 * k > n) return Math.log1p(-Math.exp(logBinomialHalfCdf(n - k - 1, n)));
  const logTerm = logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) - n * Math.LN2;
  let sum = 1;
  let term = 1;
  for (let j = k; j >= 1; j--) {
    term *= j / (n - j + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return logTerm + Math.log(sum);
}
