/**
 * Float64 references for NHWC convolutions, written from the direct definition
 *   y[b,oh,ow,co] = sum over kh,kw,ci of x[b, oh*s + kh*d - top, ow*s + kw*d - left, ci] * W[kh,kw,ci,co]
 * (out-of-range pixels count as zero), with the filter and input gradients by the chain rule;
 * plus the seeded random numbers and error measure the kernel tests share.
 */
import * as tf from '@tensorflow/tfjs';

export type Shape4 = [number, number, number, number];
export type Pad =
  'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

export interface ConvInfo {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  top: number;
  left: number;
  outShape: Shape4;
}

export function conv2dInfo(
  xShape: Shape4,
  filterShape: Shape4,
  stride: number,
  dilation: number,
  pad: Pad,
): ConvInfo {
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    [stride, stride],
    [dilation, dilation],
    pad,
    undefined,
    false,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
    outShape: info.outShape,
  };
}

/**
 * Calls `visit(xIndex, wIndex, yIndex)` for every product x*W that contributes to y: the one
 * indexing of the definition that the forward pass and both gradients share.
 */
function forEachProduct(info: ConvInfo, visit: (xi: number, wi: number, yi: number) => void): void {
  const { inHeight: h, inWidth: w, inChannels: ci, outChannels: co } = info;
  for (let b = 0; b < info.batch; b++) {
    for (let oh = 0; oh < info.outHeight; oh++) {
      for (let ow = 0; ow < info.outWidth; ow++) {
        const yBase = ((b * info.outHeight + oh) * info.outWidth + ow) * co;
        for (let kh = 0; kh < info.filterHeight; kh++) {
          const ih = oh * info.strideHeight + kh * info.dilationHeight - info.top;
          if (ih < 0 || ih >= h) continue;
          for (let kw = 0; kw < info.filterWidth; kw++) {
            const iw = ow * info.strideWidth + kw * info.dilationWidth - info.left;
            if (iw < 0 || iw >= w) continue;
            const xBase = ((b * h + ih) * w + iw) * ci;
            const wBase = (kh * info.filterWidth + kw) * ci * co;
            for (let c = 0; c < ci; c++) {
              for (let o = 0; o < co; o++) visit(xBase + c, wBase + c * co + o, yBase + o);
            }
          }
        }
      }
    }
  }
}

export function refConv2D(x: ArrayLike<number>, filter: ArrayLike<number>, info: ConvInfo): Float64Array {
  const y = new Float64Array(info.batch * info.outHeight * info.outWidth * info.outChannels);
  forEachProduct(info, (xi, wi, yi) => {
    y[yi] = (y[yi] as number) + (x[xi] as number) * (filter[wi] as number);
  });
  return y;
}

/** dW[kh,kw,ci,co] = sum over b,oh,ow of x[b, oh*s + kh*d - top, ow*s + kw*d - left, ci] * dy[b,oh,ow,co]. */
export function refConv2DBackpropFilter(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  info: ConvInfo,
): Float64Array {
  const dW = new Float64Array(info.filterHeight * info.filterWidth * info.inChannels * info.outChannels);
  forEachProduct(info, (xi, wi, yi) => {
    dW[wi] = (dW[wi] as number) + (x[xi] as number) * (dy[yi] as number);
  });
  return dW;
}

/** dx[b,ih,iw,ci] = sum of dy[b,oh,ow,co] * W[kh,kw,ci,co] over all (oh,ow,kh,kw) that read pixel (ih,iw). */
export function refConv2DBackpropInput(
  dy: ArrayLike<number>,
  filter: ArrayLike<number>,
  info: ConvInfo,
): Float64Array {
  const dx = new Float64Array(info.batch * info.inHeight * info.inWidth * info.inChannels);
  forEachProduct(info, (xi, wi, yi) => {
    dx[xi] = (dx[xi] as number) + (dy[yi] as number) * (filter[wi] as number);
  });
  return dx;
}

export { mulberry32 } from '../../shared/random.ts';

/** Float32 values uniform in [-1, 1) for a tensor of `shape`. */
export function randomValues(shape: readonly number[], rand: () => number): Float32Array {
  const size = shape.reduce((p, q) => p * q, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = rand() * 2 - 1;
  return values;
}

/**
 * max |actual - expected| / max |expected| (the plain max difference when expected is all zero);
 * NaN anywhere makes it Infinity. Throws when the lengths differ.
 */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length)
    throw new Error(`length mismatch: ${actual.length} values against ${expected.length} expected`);
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (Number.isNaN(a) || Number.isNaN(e)) return Infinity;
    maxDiff = Math.max(maxDiff, Math.abs(a - e));
    maxRef = Math.max(maxRef, Math.abs(e));
  }
  return maxRef === 0 ? maxDiff : maxDiff / maxRef;
}
