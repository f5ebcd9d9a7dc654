const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/**
 * ln Γ(x) for x > 0. Stirling's series with the Bernoulli terms up to B12 is accurate to about 1e-17 once
 * x >= 15, so smaller x is first shifted up with Γ(x + 1) = x Γ(x).
 */
export function logGamma(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) throw new RangeError(`logGamma needs a finite x > 0, got ${x}`);
  let product = 1;
  while (x < 15) {
    product *= x;
    x += 1;
  }
  const r = 1 / (x * x);
  const series =
    (1 / x) *
    (1 / 12 - r * (1 / 360 - r * (1 / 1260 - r * (1 / 1680 - r * (1 / 1188 - (r * 691) / 360360)))));
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_TWO_PI + series - Math.log(product);
}
