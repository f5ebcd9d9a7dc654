import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

interface Attrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * Routes each output gradient to the first maximum of its window, as the cpu backend does.
 * A tight loop over views of the wasm heap: the wasm package's own MaxPoolGrad scans every
 * window once per input pixel and was the fourth-slowest kernel of a training step.
 */
function maxPoolGrad(args: {
  inputs: { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
  backend: BackendWasm;
  attrs: Attrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, input } = inputs;
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const dx = backend.makeOutput(input.shape, 'float32');
  // Views are taken after the allocation: growing the heap detaches older views.
  const dxV = backend.typedArrayFromHeap(dx) as Float32Array;
  const xV = backend.typedArrayFromHeap(input) as Float32Array;
  const dyV = backend.typedArrayFromHeap(dy) as Float32Array;
  dxV.fill(0);
  const best = new Float32Array(c);
  const where = new Int32Array(c);
  for (let b = 0; b < batchSize; b++) {
    const xBatch = b * inHeight * inWidth * c;
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - top;
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - left;
        best.fill(-Infinity);
        where.fill(-1);
        for (let i = 0; i < fh; i += dh) {
          const h = h0 + i;
          if (h < 0 || h >= inHeight) continue;
          for (let j = 0; j < fw; j += dw) {
            const w = w0 + j;
            if (w < 0 || w >= inWidth) continue;
            const base = xBatch + (h * inWidth + w) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = xV[base + ch] as number;
              // Strict comparison keeps the first maximum; NaN windows pick their first pixel.
              if (v > (best[ch] as number) || where[ch] === -1) {
                best[ch] = v;
                where[ch] = base + ch;
              }
            }
          }
        }
        const dyBase = ((b * outHeight + oh) * outWidth + ow) * c;
        for (let ch = 0; ch < c; ch++) {
          const at = where[ch] as number;
          if (at >= 0) dxV[at] = (dxV[at] as number) + (dyV[dyBase + ch] as number);
        }
      }
    }
  }
  return dx;
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as KernelFunc,
};
