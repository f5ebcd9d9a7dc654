/**
 * The Ranking view's per-filter thumbnails: an inspect.activations reply's float32 planes (filter-major,
 * filters x height x width, little-endian) decoded once, and one filter's clean and distorted maps painted as
 * greyscale RGBA over a range shared by the pair, so the two read on the same scale. Pure, no DOM.
 */

/** The float32 values of a plane block; copies first when the bytes do not start on a 4-byte boundary. */
export function decodePlanes(bytes: Uint8Array): Float32Array {
  const n = Math.floor(bytes.byteLength / 4);
  if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, n);
  const copy = bytes.slice(0, n * 4);
  return new Float32Array(copy.buffer, 0, n);
}

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

/**
 * The cache key of one activation reply: all filters of a layer, for one image at one level (`extra`: what
 * else tells two requests apart, such as the distortion kind and seed).
 */
export function thumbKey(modelId: string, layer: string, index: number, level: number, extra = ''): string {
  return [modelId, layer, index, level, extra].join('\u0000');
}

/** The planes of a reply as the view keeps them. */
export interface DecodedMaps {
  height: number;
  width: number;
  /** Filter index to position in the blocks. */
  positionOf: ReadonlyMap<number, number>;
  clean: Float32Array;
  distorted: Float32Array;
}

export function decodeMaps(reply: {
  height: number;
  width: number;
  filters: readonly number[];
  clean: Uint8Array;
  distorted: Uint8Array;
}): DecodedMaps {
  return {
    height: reply.height,
    width: reply.width,
    positionOf: new Map(reply.filters.map((f, i) => [f, i])),
    clean: decodePlanes(reply.clean),
    distorted: decodePlanes(reply.distorted),
  };
}

/** Bytes a decoded reply holds (the LRU cache's cost). */
export function mapsCost(maps: DecodedMaps): number {
  return maps.clean.byteLength + maps.distorted.byteLength;
}
