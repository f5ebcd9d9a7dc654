import { getKernel, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Runs one of the wasm backend's own kernels directly on tensor infos, bypassing the engine so
 * intermediates are not tracked: a composed kernel must free them with `release`.
 */
export function callWasm(
  backend: BackendWasm,
  kernelName: string,
  inputs: Record<string, TensorInfo>,
  attrs: object = {},
): TensorInfo {
  const kernel = getKernel(kernelName, 'wasm');
  if (kernel === undefined) throw new Error(`wasm backend has no ${kernelName} kernel to compose from`);
  const out = kernel.kernelFunc({ inputs, backend, attrs: attrs as NamedAttrMap });
  if (Array.isArray(out))
    throw new Error(`wasm ${kernelName} returned several outputs where one was expected`);
  return out;
}

export function release(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

export function reshape(backend: BackendWasm, x: TensorInfo, shape: number[]): TensorInfo {
  return callWasm(backend, 'Reshape', { x }, { shape });
}

export function transpose(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  return callWasm(backend, 'Transpose', { x }, { perm });
}

/**
 * Pads (positive amounts) and crops (negative amounts) the spatial axes of an NHWC tensor.
 * Returns `x` itself when there is nothing to do: release the result only when it differs.
 */
export function padOrCropHW(
  backend: BackendWasm,
  x: TensorInfo,
  top: number,
  bottom: number,
  left: number,
  right: number,
): TensorInfo {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  let cur = x;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const t = Math.max(0, -top);
    const l = Math.max(0, -left);
    const size = [n, h - t - Math.max(0, -bottom), w - l - Math.max(0, -right), c];
    cur = callWasm(backend, 'Slice', { x }, { begin: [0, t, l, 0], size });
  }
  if (top > 0 || bottom > 0 || left > 0 || right > 0) {
    const padded = callWasm(
      backend,
      'PadV2',
      { x: cur },
      {
        paddings: [
          [0, 0],
          [Math.max(0, top), Math.max(0, bottom)],
          [Math.max(0, left), Math.max(0, right)],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    if (cur !== x) release(backend, cur);
    cur = padded;
  }
  return cur;
}
