import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../shared/random.ts';
import { incompleteBeta } from '../../shared/stats/incomplete-beta.ts';
import { logGamma } from '../../shared/stats/log-gamma.ts';
import { studentTCdf, studentTDensity, studentTQuantile } from '../../shared/stats/student-t.ts';

/** Simpson's rule with an even number of intervals. */
function simpson(f: (x: number) => number, a: number, b: number, intervals = 20_000): number {
  const h = (b - a) / intervals;
  let sum = f(a) + f(b);
  for (let i = 1; i < intervals; i++) sum += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
  return (sum * h) / 3;
}

/**
 * An independent float64 reference: with t = √v tan θ the t density becomes proportional to cos^(v-1) θ on
 * [0, π/2), a smooth integrand on a finite range, so Simpson's rule gives the CDF and the density without
 * any gamma function.
 */
function reference(t: number, v: number): { cdf: number; density: number } {
  const theta = Math.atan(Math.abs(t) / Math.sqrt(v));
  const integrand = (x: number): number => Math.cos(x) ** (v - 1);
  const whole = simpson(integrand, 0, Math.PI / 2);
  const half = simpson(integrand, 0, theta) / (2 * whole);
  return {
    cdf: t >= 0 ? 0.5 + half : 0.5 - half,
    density: Math.cos(theta) ** (v + 1) / (2 * Math.sqrt(v) * whole),
  };
}

describe("Student's t", () => {
  it('gives the published two-sided 95% critical values', () => {
    const table: [number, number][] = [
      [1, 12.7062047362],
      [2, 4.3026527297],
      [3, 3.1824463053],
      [4, 2.7764451052],
      [10, 2.228138852],
      [30, 2.0422724563],
      [100, 1.9839715185],
      [1000, 1.9623390808],
    ];
    for (const [df, t] of table) expect(Math.abs(studentTQuantile(0.975, df) - t)).toBeLessThan(1e-8);
  });

  it('has quantiles within 1e-6 of the Simpson reference for df 1..1000 and many probabilities', () => {
    const random = mulberry32(17);
    const dfs = [1, 2, 3, 5, 7, 12, 29, 64, 250, 999, 1000];
    for (let i = 0; i < 20; i++) dfs.push(1 + Math.floor(random() * 1000));
    const ps = [0.5000001, 0.6, 0.9, 0.95, 0.975, 0.995, 0.9995, 0.025, 0.1, 0.001];
    for (const df of dfs) {
      for (const p of ps) {
        const q = studentTQuantile(p, df);
        const ref = reference(q, df);
        // A CDF error e at q moves the quantile by e / density.
        const quantileError = Math.abs(ref.cdf - p) / ref.density;
        expect(quantileError, `df ${df}, p ${p}`).toBeLessThan(1e-7);
        expect(Math.abs(studentTCdf(q, df) - ref.cdf), `df ${df}, p ${p}`).toBeLessThan(1e-9);
        expect(Math.abs(studentTDensity(q, df) / ref.density - 1)).toBeLessThan(1e-8);
      }
    }
  });

  it('is symmetric and inverts its CDF', () => {
    for (const df of [1, 4, 40]) {
      for (const p of [0.01, 0.3, 0.75, 0.99]) {
        expect(studentTQuantile(p, df)).toBeCloseTo(-studentTQuantile(1 - p, df), 10);
        expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 12);
      }
    }
    expect(studentTQuantile(0.5, 3)).toBe(0);
  });

  it('refuses a probability outside (0, 1) and non-positive degrees of freedom', () => {
    expect(() => studentTQuantile(0, 3)).toThrow(RangeError);
    expect(() => studentTQuantile(1, 3)).toThrow(RangeError);
    expect(() => studentTQuantile(0.9, 0)).toThrow('degrees of freedom');
  });
});

describe('the special functions under it', () => {
  it('logGamma matches ln((n-1)!) summed directly and ln √π at one half', () => {
    let logFactorial = 0;
    for (let n = 1; n <= 2000; n++) {
      expect(Math.abs(logGamma(n) - logFactorial)).toBeLessThan(1e-12 * Math.max(1, logFactorial));
      logFactorial += Math.log(n);
    }
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expect(logGamma(1e-8)).toBeCloseTo(-Math.log(1e-8) - 0.5772156649e-8, 10);
  });

  it('incompleteBeta matches closed forms', () => {
    const random = mulberry32(3);
    for (let i = 0; i < 200; i++) {
      const x = random();
      const a = 0.1 + 20 * random();
      // I_x(a, 1) = x^a and I_x(1, b) = 1 - (1 - x)^b.
      expect(incompleteBeta(x, a, 1)).toBeCloseTo(x ** a, 12);
      expect(incompleteBeta(x, 1, a)).toBeCloseTo(1 - (1 - x) ** a, 12);
      // I_x(1/2, 1/2) = (2/π) asin √x.
      expect(incompleteBeta(x, 0.5, 0.5)).toBeCloseTo((2 / Math.PI) * Math.asin(Math.sqrt(x)), 12);
    }
    expect(() => incompleteBeta(1.5, 1, 1)).toThrow(RangeError);
  });
});
