/**
 * Raw 8-bit NHWC image bytes (as the engine sends them: grey or RGB) to opaque RGBA, the layout a canvas's
 * ImageData wants. Pure: no DOM, so it is tested under Node.
 */

export type Channels = 1 | 3;

export interface RgbaImage {
  width: number;
  height: number;
  rgba: Uint8ClampedArray<ArrayBuffer>;
}

/** Bytes one image takes in the engine's layout. */
export function imageByteLength(width: number, height: number, channels: Channels): number {
  return width * height * channels;
}

/**
 * One image starting at `offset` in `pixels`, as RGBA. Grey is spread over R, G and B; alpha is opaque.
 * Throws when the bytes run short, rather than painting garbage.
 */
export function toRgba(
  pixels: Uint8Array,
  offset: number,
  width: number,
  height: number,
  channels: Channels,
): RgbaImage {
  const n = width * height;
  if (offset < 0 || offset + n * channels > pixels.length)
    throw new RangeError(`image bytes ${offset}..${offset + n * channels} run past ${pixels.length}`);
  const rgba = new Uint8ClampedArray(n * 4);
  if (channels === 1) {
    for (let i = 0, o = 0; i < n; i++, o += 4) {
      const v = pixels[offset + i] as number;
      rgba[o] = v;
      rgba[o + 1] = v;
      rgba[o + 2] = v;
      rgba[o + 3] = 255;
    }
  } else {
    for (let i = 0, s = offset, o = 0; i < n; i++, s += 3, o += 4) {
      rgba[o] = pixels[s] as number;
      rgba[o + 1] = pixels[s + 1] as number;
      rgba[o + 2] = pixels[s + 2] as number;
      rgba[o + 3] = 255;
    }
  }
  return { width, height, rgba };
}

/**
 * As `toRgba`, but no side longer than `maxSide`: larger images are box-averaged down by a whole factor, so
 * thumbnails of a 224x224 folder dataset cost a few kilobytes each in the cache rather than 200.
 */
export function toRgbaThumbnail(
  pixels: Uint8Array,
  offset: number,
  width: number,
  height: number,
  channels: Channels,
  maxSide: number,
): RgbaImage {
  const factor = Math.ceil(Math.max(width, height) / Math.max(1, maxSide));
  if (factor <= 1) return toRgba(pixels, offset, width, height, channels);
  const full = toRgba(pixels, offset, width, height, channels).rgba;
  const w = Math.max(1, Math.floor(width / factor));
  const h = Math.max(1, Math.floor(height / factor));
  const rgba = new Uint8ClampedArray(w * h * 4);
  const area = factor * factor;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let dy = 0; dy < factor; dy++) {
        let s = ((y * factor + dy) * width + x * factor) * 4;
        for (let dx = 0; dx < factor; dx++, s += 4) {
          r += full[s] as number;
          g += full[s + 1] as number;
          b += full[s + 2] as number;
        }
      }
      const o = (y * w + x) * 4;
      rgba[o] = Math.round(r / area);
      rgba[o + 1] = Math.round(g / area);
      rgba[o + 2] = Math.round(b / area);
      rgba[o + 3] = 255;
    }
  }
  return { width: w, height: h, rgba };
}
