import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../../../shared/backends.ts';
import { reason as oneLine } from '../io/file-error.ts';
import { registerWasmKernels, WASM_KERNEL_NAMES } from './wasm/register.ts';
import { registerConvGradient } from './conv-gradient.ts';

/** The outcome of making one backend ready: the device it runs on, or why it cannot run. */
export type ProbeOutcome = { ok: true; device: string; detail: string } | { ok: false; detail: string };

export function cpuDescription(): string {
  const model = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${model}, ${os.availableParallelism()} threads`;
}

function reason(error: unknown): string {
  return oneLine(error).slice(0, 200);
}

/** libtensorflow through tfjs-node-gpu or tfjs-node: optional packages that need a download to install. */
async function prepareTensorflow(): Promise<ProbeOutcome> {
  const failures: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(pkg);
      const gpu = pkg.endsWith('-gpu');
      return {
        ok: true,
        device: gpu
          ? 'libtensorflow with CUDA (falls back to CPU without CUDA 11.2)'
          : `libtensorflow, ${cpuDescription()}`,
        detail: `loaded ${pkg}`,
      };
    } catch (error) {
      const missing = (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND';
      failures.push(missing ? `${pkg} not installed` : `${pkg}: ${reason(error)}`);
    }
  }
  return { ok: false, detail: `${failures.join('; ')} (their install step downloads libtensorflow)` };
}

interface WebGpuState {
  release: () => void;
}
let webgpu: WebGpuState | undefined;

/** Dawn on Linux needs the Vulkan loader; without it, it prints a native warning and finds nothing. */
function vulkanLoaderMissing(): boolean {
  if (process.platform !== 'linux') return false;
  const dirs = [
    ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d !== ''),
    '/usr/lib/x86_64-linux-gnu',
    '/usr/lib/aarch64-linux-gnu',
    '/usr/lib64',
    '/usr/lib',
    '/usr/local/lib',
    '/lib/x86_64-linux-gnu',
  ];
  return !dirs.some((dir) => existsSync(path.join(dir, 'libvulkan.so.1')));
}

/** WebGPU through Dawn's Node bindings (the `webgpu` package), only when a GPU adapter exists. */
async function prepareWebgpu(): Promise<ProbeOutcome> {
  if (vulkanLoaderMissing())
    return { ok: false, detail: 'no Vulkan loader (libvulkan.so.1) installed, so no GPU adapter' };
  let mod: typeof import('webgpu');
  try {
    mod = await import('webgpu');
  } catch (error) {
    return { ok: false, detail: `the webgpu package did not load: ${reason(error)}` };
  }
  const gpu = mod.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null)
    return { ok: false, detail: 'Dawn found no GPU adapter (software Vulkan is not accepted)' };
  const info = adapter.info;
  const device = [info.vendor, info.architecture, info.device, info.description].filter((s) => s).join(' ');
  const g = globalThis as { navigator?: unknown };
  const hadNavigator = 'navigator' in g;
  // The webgpu backend registers itself only if navigator.gpu exists when it is imported.
  Object.assign(globalThis, mod.globals);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  await import('@tensorflow/tfjs-backend-webgpu');
  webgpu = {
    // Node keeps running while navigator holds the GPU.
    release: () => {
      if (!hadNavigator) delete g.navigator;
    },
  };
  return { ok: true, device: device || 'GPU', detail: 'Dawn (webgpu package)' };
}

async function prepareWasm(): Promise<ProbeOutcome> {
  await import('@tensorflow/tfjs-backend-wasm');
  registerWasmKernels();
  return {
    ok: true,
    device: cpuDescription(),
    detail: `XNNPACK SIMD, one replica per core; project kernels: ${WASM_KERNEL_NAMES.join(', ')}`,
  };
}

function prepareCpu(): Promise<ProbeOutcome> {
  return Promise.resolve({
    ok: true,
    device: `${cpuDescription().split(',')[0]}, 1 thread`,
    detail: 'pure JavaScript reference backend',
  });
}

const PREPARE: Record<BackendName, () => Promise<ProbeOutcome>> = {
  tensorflow: prepareTensorflow,
  webgpu: prepareWebgpu,
  wasm: prepareWasm,
  cpu: prepareCpu,
};

/**
 * Loads a backend's package and checks it can run here, then asks tfjs to initialise it.
 * Never throws for an unavailable backend: the outcome says why.
 */
export async function prepareBackend(name: BackendName): Promise<ProbeOutcome> {
  registerConvGradient();
  let outcome: ProbeOutcome;
  try {
    outcome = await PREPARE[name]();
  } catch (error) {
    return { ok: false, detail: `failed to load: ${reason(error)}` };
  }
  if (!outcome.ok) return outcome;
  try {
    if (!(await tf.setBackend(name)))
      return { ok: false, detail: `${outcome.detail}, but initialisation failed` };
  } catch (error) {
    return { ok: false, detail: `${outcome.detail}, but initialisation failed: ${reason(error)}` };
  }
  return outcome;
}

/** Frees what a backend holds outside tfjs (the GPU handle), so Node can exit. */
export function releaseBackends(): void {
  webgpu?.release();
  webgpu = undefined;
}
