/** How numbers read in the UI: percents, durations, rates, and slider values to their step's precision. */

export function formatPercent(fraction: number, decimals = 0): string {
  if (!Number.isFinite(fraction)) return '–';
  return `${(fraction * 100).toFixed(decimals)}%`;
}

/** "45s", "3m 05s", "1h 02m": precise enough for an ETA, never "0.0001 h". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** Decimal places a step needs (0.25 -> 2, 0.005 -> 3, 1 -> 0). */
export function decimalsForStep(step: number): number {
  if (!Number.isFinite(step) || step <= 0) return 0;
  for (let d = 0; d <= 6; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9) return d;
  }
  return 6;
}

/** A value at its step's precision. */
export function formatStepValue(value: number, step: number): string {
  return value.toFixed(decimalsForStep(step));
}

/** A figure with about three significant digits (loss 0.482, 1,234 images/s). */
export function formatFigure(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toLocaleString('en-US');
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(3);
}
