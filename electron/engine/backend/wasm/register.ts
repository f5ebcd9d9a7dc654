import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs';
import { batchMatMulConfig } from './kernels/batch-mat-mul.ts';
import { conv2DBackpropFilterConfig } from './kernels/conv2d-backprop-filter.ts';
import { conv2DBackpropInputConfig } from './kernels/conv2d-backprop-input.ts';
import { maxPoolGradConfig } from './kernels/max-pool-grad.ts';
import { sumConfig } from './kernels/sum.ts';

/** A kernel the project supplies: either standalone, or a wrapper around the package's own. */
type KernelSource = KernelConfig | { wraps: string; make: (original: KernelConfig) => KernelConfig };

const SOURCES: readonly KernelSource[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  maxPoolGradConfig,
  { wraps: 'BatchMatMul', make: batchMatMulConfig },
  { wraps: 'Sum', make: sumConfig },
];

/** Names of the wasm kernels the project registers or wraps, for the doctor and the tests. */
export const WASM_KERNEL_NAMES: readonly string[] = SOURCES.map((s) =>
  'wraps' in s ? s.wraps : s.kernelName,
);

let registered = false;

/**
 * Registers the project's wasm kernels, replacing the package's versions of the same names.
 * Idempotent; must run after '@tensorflow/tfjs-backend-wasm' has been imported.
 */
export function registerWasmKernels(): void {
  if (registered) return;
  for (const source of SOURCES) {
    let config: KernelConfig;
    if ('wraps' in source) {
      const original = getKernel(source.wraps, 'wasm');
      if (original === undefined)
        throw new Error(`wasm backend lacks ${source.wraps}, which the project wraps`);
      config = source.make(original);
    } else {
      config = source;
    }
    if (getKernel(config.kernelName, 'wasm') !== undefined) unregisterKernel(config.kernelName, 'wasm');
    registerKernel(config);
  }
  registered = true;
}
