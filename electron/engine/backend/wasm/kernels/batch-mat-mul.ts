import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { release, transpose } from '../call.ts';

interface Attrs {
  transposeA: boolean;
  transposeB: boolean;
}

function swapLastTwo(backend: BackendWasm, x: TensorInfo): TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank).keys()];
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return transpose(backend, x, perm);
}

/**
 * The wasm BatchMatMul reads a transposed operand with a strided scalar loop, which made the
 * dense layers' backward products five times slower than their forward one. Transposing the
 * operand first (a cheap copy) lets every product take the fast untransposed path.
 */
export function batchMatMulConfig(original: KernelConfig): KernelConfig {
  const inner = original.kernelFunc;
  const kernelFunc = (args: {
    inputs: { a: TensorInfo; b: TensorInfo };
    backend: BackendWasm;
    attrs: Attrs;
  }) => {
    const { inputs, backend, attrs } = args;
    if (!attrs.transposeA && !attrs.transposeB) return inner(args as unknown as Parameters<KernelFunc>[0]);
    const a = attrs.transposeA ? swapLastTwo(backend, inputs.a) : inputs.a;
    const b = attrs.transposeB ? swapLastTwo(backend, inputs.b) : inputs.b;
    const out = inner({
      inputs: { a, b },
      backend,
      attrs: { ...attrs, transposeA: false, transposeB: false },
    });
    if (a !== inputs.a) release(backend, a);
    if (b !== inputs.b) release(backend, b);
    return out;
  };
  return { ...original, kernelFunc: kernelFunc as unknown as KernelFunc };
}
