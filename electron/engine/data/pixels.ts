import type { Channels } from '../../../shared/datasets.ts';

/** How one stored image's pixels are laid out. */
export interface PixelLayout {
  height: number;
  width: number;
  channels: Channels;
  /** CIFAR stores each channel as its own plane (all R, then all G, then all B); IDX interleaves (HWC). */
  planar: boolean;
}

const srgbToLinear = new Float64Array(256);
for (let v = 0; v < 256; v++) {
  const c = v / 255;
  srgbToLinear[v] = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}
const LINEAR_STEPS = 65535;
let linearToSrgb: Uint8Array | undefined;
function encodeTable(): Uint8Array {
  if (linearToSrgb === undefined) {
    linearToSrgb = new Uint8Array(LINEAR_STEPS + 1);
    for (let i = 0; i <= LINEAR_STEPS; i++) {
      const y = i / LINEAR_STEPS;
      const c = y <= 0.0031308 ? 12.92 * y : 1.055 * y ** (1 / 2.4) - 0.055;
      linearToSrgb[i] = Math.round(c * 255);
    }
  }
  return linearToSrgb;
}

/**
 * Grey level of an sRGB pixel as sharp (libvips) computes it for folder images, so every format converts
 * alike: Rec. 709 luminance in linear light, encoded back to sRGB.
 */
export function greyOf(r: number, g: number, b: number, table = encodeTable()): number {
  const y =
    0.2126 * (srgbToLinear[r] as number) +
    0.7152 * (srgbToLinear[g] as number) +
    0.0722 * (srgbToLinear[b] as number);
  return table[Math.round(y * LINEAR_STEPS)] as number;
}

/**
 * Copies one stored image from `src` (at `srcAt`, in `layout`) into `dst` (at `dstAt`) as NHWC with `channels`
 * channels: planar planes interleaved, RGB made grey, grey repeated into RGB.
 */
export function convertImage(
  src: Uint8Array,
  srcAt: number,
  layout: PixelLayout,
  dst: Uint8Array,
  dstAt: number,
  channels: Channels,
): void {
  const pixels = layout.height * layout.width;
  if (layout.channels === 1) {
    const plane = src.subarray(srcAt, srcAt + pixels);
    if (channels === 1) dst.set(plane, dstAt);
    else for (let p = 0; p < pixels; p++) dst.fill(plane[p] as number, dstAt + p * 3, dstAt + p * 3 + 3);
    return;
  }
  // Offsets of R, G and B of pixel p: src[srcAt + p*step + plane*c].
  const step = layout.planar ? 1 : 3;
  const plane = layout.planar ? pixels : 1;
  if (channels === 3) {
    for (let p = 0; p < pixels; p++) {
      const s = srcAt + p * step;
      const d = dstAt + p * 3;
      dst[d] = src[s] as number;
      dst[d + 1] = src[s + plane] as number;
      dst[d + 2] = src[s + 2 * plane] as number;
    }
    return;
  }
  const table = encodeTable();
  for (let p = 0; p < pixels; p++) {
    const s = srcAt + p * step;
    dst[dstAt + p] = greyOf(src[s] as number, src[s + plane] as number, src[s + 2 * plane] as number, table);
  }
}
