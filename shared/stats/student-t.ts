import { incompleteBeta } from './incomplete-beta.ts';
import { logGamma } from './log-gamma.ts';

function checkDf(df: number): void {
  if (!(df > 0) || !Number.isFinite(df)) throw new RangeError(`degrees of freedom must be > 0, got ${df}`);
}

/**
 * P[T > t] for t >= 0 under Student's t with df degrees of freedom: I_{df/(df+t²)}(df/2, 1/2) / 2. Near
 * t = 0 that argument is 1 - t²/(df+t²) and rounding it would lose t²/(df+t²), so there the complement
 * 1 - I_{t²/(df+t²)}(1/2, df/2) is used instead.
 */
function upperTail(t: number, df: number): number {
  const t2 = t * t;
  return t2 < df
    ? 0.5 * (1 - incompleteBeta(t2 / (df + t2), 0.5, df / 2))
    : 0.5 * incompleteBeta(df / (df + t2), df / 2, 0.5);
}

/** Student's t density. */
export function studentTDensity(t: number, df: number): number {
  checkDf(df);
  const logNorm = logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI);
  return Math.exp(logNorm - ((df + 1) / 2) * Math.log1p((t * t) / df));
}

/** P[T <= t] under Student's t with df degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  checkDf(df);
  const tail = upperTail(Math.abs(t), df);
  return t >= 0 ? 1 - tail : tail;
}

/**
 * The t with P[T <= t] = p. The upper tail is solved directly (no 1 - p round-off), by Newton steps on the
 * incomplete-beta tail kept inside a bracket that bisection falls back to, to about 1e-14 relative.
 */
export function studentTQuantile(p: number, df: number): number {
  checkDf(df);
  if (!(p > 0 && p < 1)) throw new RangeError(`studentTQuantile needs 0 < p < 1, got ${p}`);
  if (p === 0.5) return 0;
  const tail = Math.min(p, 1 - p);
  let low = 0;
  let high = 1;
  while (upperTail(high, df) > tail) {
    low = high;
    high *= 2;
  }
  let t = (low + high) / 2;
  for (let i = 0; i < 200; i++) {
    const excess = upperTail(t, df) - tail;
    if (excess > 0) low = t;
    else high = t;
    const newton = t + excess / studentTDensity(t, df);
    const next = newton > low && newton < high ? newton : (low + high) / 2;
    const step = Math.abs(next - t);
    t = next;
    if (step <= 1e-14 * Math.max(1, t) || high - low <= 1e-15 * Math.max(1, t)) break;
  }
  return p > 0.5 ? t : -t;
}
