import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { callWasm, padOrCropHW, release, reshape, transpose } from '../call.ts';

interface Attrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
  dilations?: [number, number] | number;
}

/** Inserts stride-1 zeros between the rows and columns of dy, so a strided backprop becomes a stride-1 one. */
function dilateHW(backend: BackendWasm, dy: TensorInfo, sh: number, sw: number): TensorInfo {
  const [n, oh, ow, c] = dy.shape as [number, number, number, number];
  const six = reshape(backend, dy, [n, oh, 1, ow, 1, c]);
  const spread = callWasm(
    backend,
    'PadV2',
    { x: six },
    {
      paddings: [
        [0, 0],
        [0, 0],
        [0, sh - 1],
        [0, 0],
        [0, sw - 1],
        [0, 0],
      ],
      constantValue: 0,
    },
  );
  release(backend, six);
  const flat = reshape(backend, spread, [n, oh * sh, ow * sw, c]);
  release(backend, spread);
  const cut = callWasm(
    backend,
    'Slice',
    { x: flat },
    { begin: [0, 0, 0, 0], size: [n, (oh - 1) * sh + 1, (ow - 1) * sw + 1, c] },
  );
  release(backend, flat);
  return cut;
}

/**
 * The input gradient as a forward convolution of (dilated) dy with the spatially flipped,
 * in/out-swapped filter: the wasm backend's own Conv2DBackpropInput is a scalar loop about ten
 * times slower than XNNPACK's forward convolution.
 */
function conv2DBackpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: Attrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  if (attrs.dataFormat === 'NCHW') throw new Error('Conv2DBackpropInput on wasm supports NHWC only');
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw, inHeight: h, inWidth: w } = info;
  const z = sh > 1 || sw > 1 ? dilateHW(backend, dy, sh, sw) : dy;
  const zh = z.shape[1] as number;
  const zw = z.shape[2] as number;
  const top = (kh - 1) * dh - info.padInfo.top;
  const left = (kw - 1) * dw - info.padInfo.left;
  const bottom = h + (kh - 1) * dh - zh - top;
  const right = w + (kw - 1) * dw - zw - left;
  const zPadded = padOrCropHW(backend, z, top, bottom, left, right);
  if (z !== dy && zPadded !== z) release(backend, z);
  const flipped = callWasm(backend, 'Reverse', { x: filter }, { dims: [0, 1] });
  const swapped = transpose(backend, flipped, [0, 1, 3, 2]);
  release(backend, flipped);
  const dx = callWasm(
    backend,
    'Conv2D',
    { x: zPadded, filter: swapped },
    { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [dh, dw] },
  );
  if (zPadded !== dy) release(backend, zPadded);
  release(backend, swapped);
  return dx;
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
