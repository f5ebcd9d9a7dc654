import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs';
import {
  conv2D,
  conv2DBackpropFilter,
  conv2DBackpropInput,
  fusedConv2D,
  maxPoolGrad,
  type KernelFactory,
} from './kernels.ts';

const FACTORIES: ReadonlyArray<readonly [string, KernelFactory]> = [
  ['Conv2D', conv2D],
  ['FusedConv2D', fusedConv2D],
  ['Conv2DBackpropInput', conv2DBackpropInput],
  ['Conv2DBackpropFilter', conv2DBackpropFilter],
  ['MaxPoolGrad', maxPoolGrad],
];

/** Names of the webgpu kernels the project replaces, for the doctor and the tests. */
export const WEBGPU_KERNEL_NAMES: readonly string[] = FACTORIES.map(([name]) => name);

const PROJECT = Symbol.for('deepcorrect.webgpu-kernel');

/** The package's own kernels, kept for fall-backs and for benchmarks that compare against them. */
const originals = new Map<string, KernelConfig>();

export function packageWebgpuKernel(name: string): KernelConfig | undefined {
  return originals.get(name);
}

/**
 * Registers the project's WGSL convolution (and max-pool gradient) kernels for the webgpu backend, replacing the package's
 * versions (which each wraps, for the configurations it leaves to them). Idempotent; must run after
 * '@tensorflow/tfjs-backend-webgpu' has been imported (it registers its kernels on import).
 */
export function registerWebgpuKernels(): void {
  if (originals.size === FACTORIES.length) return;
  for (const [name] of FACTORIES) {
    const original = getKernel(name, 'webgpu');
    if (original === undefined)
      throw new Error(`webgpu backend lacks ${name}: import @tensorflow/tfjs-backend-webgpu first`);
    // A second copy of this module (the registry is global) must not wrap the first copy's kernels.
    if (PROJECT in original) return;
    originals.set(name, original);
  }
  for (const [name, make] of FACTORIES) {
    const original = originals.get(name) as KernelConfig;
    unregisterKernel(name, 'webgpu');
    registerKernel(Object.assign(make(original), { [PROJECT]: true }));
  }
}
