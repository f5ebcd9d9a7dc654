import { logGamma } from './log-gamma.ts';

const EPSILON = 1e-16;
const TINY = 1e-300;
const MAX_TERMS = 100_000;

/**
 * The regularized incomplete beta function I_x(a, b) = B(x; a, b) / B(a, b), for a, b > 0 and 0 <= x <= 1.
 * It is x^a (1-x)^b / (a B(a, b)) times the continued fraction 1 / (1 + d1 / (1 + d2 / ...)), evaluated
 * with the modified Lentz method; the fraction converges fast only for x < (a + 1) / (a + b + 2), so above
 * that the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) is used.
 */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0) || !(b > 0)) throw new RangeError(`incompleteBeta needs a, b > 0, got a = ${a}, b = ${b}`);
  if (!(x >= 0 && x <= 1)) throw new RangeError(`incompleteBeta needs 0 <= x <= 1, got ${x}`);
  if (x === 0 || x === 1) return x;
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const logFront = a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b) - Math.log(a);
  return Math.exp(logFront) * continuedFraction(x, a, b);
}

function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** d_{2m} = m (b - m) x / ((a + 2m - 1)(a + 2m)), d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)). */
function term(j: number, x: number, a: number, b: number): number {
  const m = Math.floor(j / 2);
  return j % 2 === 0
    ? (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m))
    : (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
}

function continuedFraction(x: number, a: number, b: number): number {
  // Lentz on 0 + 1/(1 + d1/(1 + d2/(1 + ...))): numerators 1, d1, d2, ...; every denominator 1.
  let f = TINY;
  let c = f;
  let d = 0;
  for (let j = 0; j < MAX_TERMS; j++) {
    const numerator = j === 0 ? 1 : term(j, x, a, b);
    d = 1 + numerator * d;
    d = Math.abs(d) < TINY ? 1 / TINY : 1 / d;
    c = 1 + numerator / c;
    if (Math.abs(c) < TINY) c = TINY;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < EPSILON) return f;
  }
  throw new Error(`incompleteBeta did not converge for x = ${x}, a = ${a}, b = ${b}`);
}
