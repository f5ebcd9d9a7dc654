import { studentTQuantile } from './student-t.ts';

export interface Interval {
  low: number;
  high: number;
}

/** Per-seed values summarised: sample mean, sample standard deviation and a t interval of the mean. */
export interface Summary {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1 in the denominator); null for one value, which has none. */
  sd: number | null;
  /** mean ± t_{(1+confidence)/2, n-1} sd / √n; null for one value. */
  interval: Interval | null;
}

export function summarize(values: readonly number[], confidence = 0.95): Summary {
  const n = values.length;
  if (n === 0) throw new RangeError('summarize needs at least one value');
  if (!(confidence > 0 && confidence < 1))
    throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  if (values.some((v) => !Number.isFinite(v))) throw new RangeError('summarize needs finite values');
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { n, mean, sd: null, interval: null };
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const half = (studentTQuantile((1 + confidence) / 2, n - 1) * sd) / Math.sqrt(n);
  return { n, mean, sd, interval: { low: mean - half, high: mean + half } };
}
