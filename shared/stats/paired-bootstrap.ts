import { mulberry32 } from '../random.ts';
import { pairCorrectness, type Correctness } from './correctness.ts';
import type { Interval } from './summary.ts';

/** One seed's per-image correctness of the two models on the same test images. */
export interface PairedSeed {
  first: Correctness;
  second: Correctness;
}

export interface BootstrapOptions {
  /** Seed of the resampling, so the same inputs give the same interval and p. */
  seed: number;
  replicates?: number;
  confidence?: number;
}

export interface BootstrapResult {
  /** Observed accuracy of the first model minus the second's, averaged over seeds. */
  difference: number;
  /** Percentile interval of the replicates' differences. */
  interval: Interval;
  /** Two-sided: min(1, 2 (k + 1) / (R + 1)), k the replicates at or beyond zero on the far side from the observed difference. */
  p: number;
  replicates: number;
}

/**
 * A paired bootstrap of the accuracy difference over seeds and images: each replicate draws the seeds with
 * replacement and, within each drawn seed, its images with replacement, and averages the per-seed
 * differences. Images stay paired (both models' answers on an image move together), so the test uses the
 * correlation between the models that an unpaired comparison throws away.
 */
export function pairedBootstrap(seeds: readonly PairedSeed[], options: BootstrapOptions): BootstrapResult {
  const replicates = options.replicates ?? 10_000;
  const confidence = options.confidence ?? 0.95;
  checkOptions(seeds.length, replicates, confidence);
  const differences = seeds.map(({ first, second }) => {
    const [x, y] = pairCorrectness(first, second);
    if (x.length === 0) throw new RangeError('pairedBootstrap needs at least one image per seed');
    return Float64Array.from(x, (v, i) => v - (y[i] as number));
  });
  return bootstrap(differences, replicates, confidence, options.seed);
}

/** One seed's per-image correctness of both models under every condition ([condition][image]). */
export interface PairedConditionsSeed {
  first: readonly Correctness[];
  second: readonly Correctness[];
}

/**
 * The same bootstrap for the accuracy averaged over conditions (the paper's mean over clean plus levels):
 * an image's score is its share of conditions right, so resampling an image moves all its conditions
 * together, as they are the same picture distorted at each level.
 */
export function pairedBootstrapOfMeans(
  seeds: readonly PairedConditionsSeed[],
  options: BootstrapOptions,
): BootstrapResult {
  const replicates = options.replicates ?? 10_000;
  const confidence = options.confidence ?? 0.95;
  checkOptions(seeds.length, replicates, confidence);
  const differences = seeds.map(({ first, second }) => {
    if (first.length === 0 || first.length !== second.length)
      throw new RangeError(
        `paired conditions need the same number (at least one), got ${first.length} and ${second.length}`,
      );
    const n = (first[0] as Correctness).length;
    if (n === 0) throw new RangeError('pairedBootstrapOfMeans needs at least one image per seed');
    const sum = new Float64Array(n);
    first.forEach((f, k) => {
      const [x, y] = pairCorrectness(f, second[k] as Correctness);
      if (x.length !== n) throw new RangeError(`condition ${k} has ${x.length} images, not ${n}`);
      for (let i = 0; i < n; i++) sum[i] = (sum[i] as number) + (x[i] as number) - (y[i] as number);
    });
    return sum.map((v) => v / first.length);
  });
  return bootstrap(differences, replicates, confidence, options.seed);
}

function checkOptions(seeds: number, replicates: number, confidence: number): void {
  if (seeds === 0) throw new RangeError('pairedBootstrap needs at least one seed');
  if (!Number.isInteger(replicates) || replicates < 1)
    throw new RangeError(`replicates must be a positive integer, got ${replicates}`);
  if (!(confidence > 0 && confidence < 1))
    throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
}

function bootstrap(
  differences: Float64Array[],
  replicates: number,
  confidence: number,
  seed: number,
): BootstrapResult {
  const difference = differences.reduce((a, d) => a + mean(d), 0) / differences.length;
  const random = mulberry32(seed);
  const draws = new Float64Array(replicates);
  const s = differences.length;
  for (let r = 0; r < replicates; r++) {
    let total = 0;
    for (let j = 0; j < s; j++) {
      const d = differences[Math.floor(random() * s)] as Float64Array;
      const n = d.length;
      let sum = 0;
      for (let i = 0; i < n; i++) sum += d[Math.floor(random() * n)] as number;
      total += sum / n;
    }
    draws[r] = total / s;
  }
  draws.sort();
  const alpha = (1 - confidence) / 2;
  let beyond = 0;
  for (const v of draws) if (difference > 0 ? v <= 0 : v >= 0) beyond++;
  return {
    difference,
    interval: { low: quantile(draws, alpha), high: quantile(draws, 1 - alpha) },
    p: difference === 0 ? 1 : Math.min(1, (2 * (beyond + 1)) / (replicates + 1)),
    replicates,
  };
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Linear interpolation between order statistics (R's type 7) of sorted values. */
function quantile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const below = Math.floor(h);
  const low = sorted[below] as number;
  const high = sorted[Math.min(below + 1, sorted.length - 1)] as number;
  return low + (h - below) * (high - low);
}
