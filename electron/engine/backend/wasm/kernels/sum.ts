import { util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

interface Attrs {
  axis: number | number[];
  keepDims: boolean;
}

/** True when `axes` are exactly 0..k-1 for some k < rank: a sum down to the last axes. */
function leadingAxes(axes: number[], rank: number): number {
  const sorted = [...axes].map((a) => (a < 0 ? a + rank : a)).sort((p, q) => p - q);
  return sorted.every((a, i) => a === i) && sorted.length < rank ? sorted.length : 0;
}

/**
 * Sums over leading axes (the bias gradients: dy summed over batch, rows and columns) with a
 * running row of accumulators, in float64 for accuracy. The wasm package's Sum first transposes
 * the whole tensor so the reduced axes come last, which cost more than the sum itself.
 */
export function sumConfig(original: KernelConfig): KernelConfig {
  const inner = original.kernelFunc;
  const kernelFunc = (args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: Attrs }) => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs;
    const axes = Array.isArray(attrs.axis) ? attrs.axis : [attrs.axis];
    const k = x.dtype === 'float32' ? leadingAxes(axes, x.shape.length) : 0;
    if (k === 0) return inner(args as unknown as Parameters<KernelFunc>[0]);
    const keep = x.shape.slice(k);
    const width = util.sizeFromShape(keep);
    const rows = util.sizeFromShape(x.shape.slice(0, k));
    const outShape = attrs.keepDims ? [...x.shape.slice(0, k).map(() => 1), ...keep] : keep;
    const out = backend.makeOutput(outShape, 'float32');
    const xV = backend.typedArrayFromHeap(x) as Float32Array;
    const outV = backend.typedArrayFromHeap(out) as Float32Array;
    const acc = new Float64Array(width);
    for (let r = 0; r < rows; r++) {
      const base = r * width;
      for (let i = 0; i < width; i++) acc[i] = (acc[i] as number) + (xV[base + i] as number);
    }
    outV.set(acc);
    return out;
  };
  return { ...original, kernelFunc: kernelFunc as unknown as KernelFunc };
}
