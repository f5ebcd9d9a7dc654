/**
 * Colour scales for activation maps (the Inspector): a sequential viridis-like scale for the maps themselves
 * and a diverging blue-white-red scale for differences, each a 256-entry RGBA lookup table, plus the helpers
 * that turn the engine's float32 planes into RGBA pixels. Pure functions, no DOM.
 */

/** 256 entries x RGBA. */
export type Lut = Uint8ClampedArray;

/** Colour of NaN (and other non-finite) values: transparent, so the panel behind shows through. */
export const NAN_RGBA: readonly [number, number, number, number] = [0, 0, 0, 0];

function lerpStops(stops: readonly (readonly [number, number, number])[]): Lut {
  const lut = new Uint8ClampedArray(256 * 4);
  const segments = stops.length - 1;
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * segments;
    const k = Math.min(segments - 1, Math.floor(t));
    const f = t - k;
    const a = stops[k] as readonly [number, number, number];
    const b = stops[k + 1] as readonly [number, number, number];
    lut[i * 4] = Math.round(a[0] + (b[0] - a[0]) * f);
    lut[i * 4 + 1] = Math.round(a[1] + (b[1] - a[1]) * f);
    lut[i * 4 + 2] = Math.round(a[2] + (b[2] - a[2]) * f);
    lut[i * 4 + 3] = 255;
  }
  return lut;
}

/** Viridis sampled at nine points (matplotlib's), interpolated linearly: dark purple to yellow. */
const VIRIDIS_STOPS = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
] as const;

/** Blue, white, red (ColorBrewer RdBu, reversed): negative blue, zero white, positive red. */
const DIVERGING_STOPS = [
  [33, 102, 172],
  [103, 169, 207],
  [209, 229, 240],
  [255, 255, 255],
  [253, 219, 199],
  [239, 138, 98],
  [178, 24, 43],
] as const;

export const SEQUENTIAL_LUT: Lut = lerpStops(VIRIDIS_STOPS);
export const DIVERGING_LUT: Lut = lerpStops(DIVERGING_STOPS);

export interface Range {
  min: number;
  max: number;
}

/** The LUT entry (0..255) of a value on a range; values outside are clamped; undefined for non-finite. */
export function lutIndex(value: number, range: Range): number | undefined {
  if (!Number.isFinite(value)) return undefined;
  const span = range.max - range.min;
  // A flat range (every value equal) maps to the middle of the scale.
  if (!(span > 0) || !Number.isFinite(span)) return 128;
  const t = (value - range.min) / span;
  return Math.max(0, Math.min(255, Math.round(t * 255)));
}

/** One value's RGBA on a LUT. */
export function colorOf(value: number, range: Range, lut: Lut): [number, number, number, number] {
  const i = lutIndex(value, range);
  if (i === undefined) return [...NAN_RGBA];
  return [lut[i * 4] ?? 0, lut[i * 4 + 1] ?? 0, lut[i * 4 + 2] ?? 0, lut[i * 4 + 3] ?? 0];
}

/** Maps a plane of values to RGBA pixels through a LUT (NaN: transparent). */
export function planeToRgba(plane: Float32Array, range: Range, lut: Lut): Uint8ClampedArray {
  const out = new Uint8ClampedArray(plane.length * 4);
  const span = range.max - range.min;
  const flat = !(span > 0) || !Number.isFinite(span);
  const scale = flat ? 0 : 255 / span;
  for (let p = 0; p < plane.length; p++) {
    const v = plane[p] as number;
    const o = p * 4;
    if (!Number.isFinite(v)) {
      out[o] = NAN_RGBA[0];
      out[o + 1] = NAN_RGBA[1];
      out[o + 2] = NAN_RGBA[2];
      out[o + 3] = NAN_RGBA[3];
      continue;
    }
    const i = flat ? 128 : Math.max(0, Math.min(255, Math.round((v - range.min) * scale)));
    out[o] = lut[i * 4] as number;
    out[o + 1] = lut[i * 4 + 1] as number;
    out[o + 2] = lut[i * 4 + 2] as number;
    out[o + 3] = lut[i * 4 + 3] as number;
  }
  return out;
}

/** The sequential scale over a range. */
export function sequentialRgba(plane: Float32Array, range: Range): Uint8ClampedArray {
  return planeToRgba(plane, range, SEQUENTIAL_LUT);
}

/** The diverging scale over ±maxAbs (zero is white). */
export function divergingRgba(plane: Float32Array, maxAbs: number): Uint8ClampedArray {
  return planeToRgba(plane, symmetricRange(maxAbs), DIVERGING_LUT);
}

/** ±|maxAbs|; a zero or non-finite bound becomes ±1e-6 so zero still sits in the middle. */
export function symmetricRange(maxAbs: number): Range {
  const m = Number.isFinite(maxAbs) && Math.abs(maxAbs) > 0 ? Math.abs(maxAbs) : 1e-6;
  return { min: -m, max: m };
}

/** Smallest and largest finite value over some planes; {0, 0} when there is none. */
export function extentOf(planes: readonly (Float32Array | undefined)[]): Range {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const plane of planes) {
    if (plane === undefined) continue;
    for (let p = 0; p < plane.length; p++) {
      const v = plane[p] as number;
      if (!Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return min <= max ? { min, max } : { min: 0, max: 0 };
}

/** Largest finite |v| over some planes (0 when none). */
export function maxAbsOf(planes: readonly (Float32Array | undefined)[]): number {
  let m = 0;
  for (const plane of planes) {
    if (plane === undefined) continue;
    for (let p = 0; p < plane.length; p++) {
      const v = Math.abs(plane[p] as number);
      if (v > m) m = v;
    }
  }
  return m;
}

/** `count` tick values evenly spaced from min to max, both included (one value for a flat range). */
export function ticks(range: Range, count = 5): number[] {
  if (!(range.max > range.min) || count < 2) return [range.min];
  return Array.from({ length: count }, (_, i) => range.min + ((range.max - range.min) * i) / (count - 1));
}

/** A short label for a scale value: 3 significant digits, exponent for very small or large. */
export function formatScaleValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(2);
  return Number(v.toPrecision(3)).toString();
}
