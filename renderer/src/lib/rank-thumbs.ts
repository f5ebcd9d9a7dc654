/**
 * The Ranking view's per-filter thumbnails: one filter's clean and distorted maps (decoded planes, see
 * float-planes.ts) painted as greyscale RGBA over a range shared by the pair, so the two read on the same
 * scale. Pure, no DOM.
 */

export interface MapRange {
  min: number;
  max: number;
}

/** The smallest and largest value of the plane at `position` in either block (the pair's shared range). */
export function pairRange(
  clean: Float32Array,
  distorted: Float32Array,
  position: number,
  planeSize: number,
): MapRange {
  let min = Infinity;
  let max = -Infinity;
  const start = position * planeSize;
  for (const block of [clean, distorted]) {
    const end = Math.min(block.length, start + planeSize);
    for (let i = start; i < end; i++) {
      const v = block[i] as number;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { min: 0, max: 0 };
  return { min, max };
}

/**
 * The plane at `position` as RGBA bytes, greyscale: range.min black, range.max white (a flat range paints
 * mid-grey only where the value is above the minimum, else black).
 */
export function planeToRgba(
  block: Float32Array,
  position: number,
  planeSize: number,
  range: MapRange,
  out: Uint8ClampedArray<ArrayBuffer> = new Uint8ClampedArray(planeSize * 4),
): Uint8ClampedArray<ArrayBuffer> {
  const start = position * planeSize;
  const span = range.max - range.min;
  const scale = span > 0 ? 255 / span : 0;
  for (let i = 0; i < planeSize; i++) {
    const v = block[start + i] ?? range.min;
    const g = span > 0 ? (v - range.min) * scale : v > range.min ? 128 : 0;
    const o = i * 4;
    out[o] = g;
    out[o + 1] = g;
    out[o + 2] = g;
    out[o + 3] = 255;
  }
  return out;
}
