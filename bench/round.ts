/** Rounds to `digits` decimals: result lines stay short and comparable. */
export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
