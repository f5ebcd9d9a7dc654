import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { BackendName } from '../../../shared/backends.ts';
import { reason as oneLine } from '../io/file-error.ts';
import { registerWasmKernels, WASM_KERNEL_NAMES } from './wasm/register.ts';
import { registerConvGradient } from './conv-gradient.ts';
import { registerWebgpuKernels, WEBGPU_KERNEL_NAMES } from './webgpu/register.ts';
import { registerTrainingKernels, TRAINING_KERNEL_NAMES } from './webgpu/training-kernels.ts';
import { ALLOW_SOFTWARE_ENV, adapterName, refusal, softwareAllowed, softwareReason } from './adapter-info.ts';
import {
  driversToHide,
  probeInChild,
  queryAdapter,
  queryAdapterHere,
  quietVulkanEnv,
  verboseRequested,
  type AdapterQuery,
} from './dawn-probe.ts';
import { clearGpuFault, gpuFault, unwatchGpuDevice, watchGpuDevice } from './gpu-errors.ts';

/** The outcome of making one backend ready: the device it runs on, or why it cannot run. */
export type ProbeOutcome =
  | { ok: true; device: string; detail: string; software?: boolean }
  | { ok: false; detail: string; software?: boolean };

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
  /** The adapter's name as the choice shows it, for GPU failure messages. */
  device: string;
  hadNavigator: boolean;
  release: () => void;
}
let webgpu: WebGpuState | undefined;
let dawnGpu: GPU | undefined;

/**
 * Why Dawn cannot find a Vulkan adapter on Linux without asking it: no loader (libvulkan.so.1), or no driver
 * manifest where the loader looks and none named by the environment. Checked first because asking Dawn costs
 * a child process (about 0.9 s on 2 cores), which every command would otherwise pay on a machine without a GPU.
 */
export function noVulkanDriver(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  systemRoots: readonly string[] = ['/etc/xdg', '/etc', '/usr/local/share', '/usr/share'],
): string | undefined {
  if (platform !== 'linux') return undefined;
  const libDirs = [
    ...(env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d !== ''),
    '/usr/lib/x86_64-linux-gnu',
    '/usr/lib/aarch64-linux-gnu',
    '/usr/lib64',
    '/usr/lib',
    '/usr/local/lib',
    '/lib/x86_64-linux-gnu',
  ];
  if (!libDirs.some((dir) => existsSync(path.join(dir, 'libvulkan.so.1'))))
    return 'no Vulkan loader (libvulkan.so.1) installed, so no GPU adapter';
  const named = ['VK_DRIVER_FILES', 'VK_ICD_FILENAMES', 'VK_ADD_DRIVER_FILES'].some(
    (name) => (env[name] ?? '') !== '',
  );
  if (named) return undefined;
  // The loader's search path for driver manifests: the user's XDG folders, then the system's.
  const home = env.HOME ?? '';
  const roots = [
    env.XDG_CONFIG_HOME ?? (home === '' ? '' : path.join(home, '.config')),
    ...(env.XDG_CONFIG_DIRS ?? '').split(':'),
    env.XDG_DATA_HOME ?? (home === '' ? '' : path.join(home, '.local/share')),
    ...(env.XDG_DATA_DIRS ?? '').split(':'),
    ...systemRoots,
  ].filter((d) => d !== '');
  const hasManifest = roots.some((root) => {
    try {
      return readdirSync(path.join(root, 'vulkan/icd.d')).some((f) => f.endsWith('.json'));
    } catch {
      return false;
    }
  });
  return hasManifest
    ? undefined
    : 'no Vulkan driver installed (no manifest in vulkan/icd.d), so no GPU adapter';
}

/** The adapter does not change while the process runs: one child probe per environment is enough. */
const adapterQueries = new Map<string, Promise<AdapterQuery>>();

function cachedQuery(verbose: boolean): Promise<AdapterQuery> {
  const key = JSON.stringify([
    verbose,
    Object.entries(process.env).filter(([k]) => /^(VK_|DAWN|MESA|NODEVICE|LD_)/.test(k)),
  ]);
  let query = adapterQueries.get(key);
  if (query === undefined) {
    query = probeInChild()
      ? queryAdapter(process.env, verbose)
      : queryAdapterHere(() => dawnInstance(verbose));
    adapterQueries.set(key, query);
  }
  return query;
}

/** The process's one Dawn instance, loaded quietly unless asked otherwise. */
async function dawnInstance(verbose: boolean): Promise<GPU> {
  if (dawnGpu === undefined) {
    Object.assign(process.env, quietVulkanEnv(process.env, { verbose, hideDrivers: [] }));
    const mod = await import('webgpu');
    dawnGpu ??= mod.create([]);
  }
  return dawnGpu;
}

/** Dawn's lines from the probe: shown as they were with --verbose, else counted in the detail. */
function dawnLines(stderr: string[], verbose: boolean): string {
  if (stderr.length === 0) return '';
  if (verbose) {
    process.stderr.write(`${stderr.join('\n')}\n`);
    return '';
  }
  return ` (Dawn wrote ${stderr.length} line${stderr.length === 1 ? '' : 's'} on stderr; --verbose shows them)`;
}

/**
 * WebGPU through Dawn's Node bindings (the `webgpu` package), only on a hardware GPU adapter, or on a
 * software one when DEEPCORRECT_ALLOW_SOFTWARE_GPU=1 (tests on CPU-only machines).
 */
async function prepareWebgpu(env: NodeJS.ProcessEnv): Promise<ProbeOutcome> {
  // Dawn reads the Vulkan variables from this process's environment, whatever `env` says about consent.
  const missing = noVulkanDriver(process.env, process.platform);
  if (missing !== undefined) return { ok: false, detail: missing };
  const verbose = verboseRequested(env);
  const query = await cachedQuery(verbose);
  const hidden = dawnLines(query.stderr, verbose);
  if (!query.ok) return { ok: false, detail: `${query.detail}${hidden}` };
  const info = query.adapter;
  if (info === null) return { ok: false, detail: `Dawn found no GPU adapter${hidden}` };
  const software = softwareReason(info);
  if (software !== undefined && !softwareAllowed(env))
    return { ok: false, software: true, detail: refusal(info, software) };

  Object.assign(process.env, quietVulkanEnv(process.env, { verbose, hideDrivers: driversToHide(info) }));
  const mod = await import('webgpu');
  // One Dawn instance per process. With a new instance per probe, the test process aborted ("The futex
  // facility returned an unexpected error code") once the first, whose device tfjs still used, was dropped.
  const gpu = await dawnInstance(verbose);
  const g = globalThis as { navigator?: unknown };
  // A second probe must not take the navigator the first one set for the user's own.
  const hadNavigator = webgpu?.hadNavigator ?? 'navigator' in g;
  // The webgpu backend registers itself only if navigator.gpu exists when it is imported.
  Object.assign(globalThis, mod.globals);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  await import('@tensorflow/tfjs-backend-webgpu');
  const device =
    software === undefined
      ? adapterName(info)
      : `${adapterName(info)} (software adapter on the CPU, allowed by ${ALLOW_SOFTWARE_ENV})`;
  webgpu = {
    device,
    hadNavigator,
    // Node keeps running while navigator holds the GPU.
    release: () => {
      if (!hadNavigator) delete g.navigator;
    },
  };
  return {
    ok: true,
    device,
    detail: `Dawn (webgpu package); project kernels: ${[...WEBGPU_KERNEL_NAMES, ...TRAINING_KERNEL_NAMES].join(', ')}`,
    ...(software === undefined ? {} : { software: true }),
  };
}

/**
 * Runs each time tfjs's webgpu backend has initialised on a device: the one place for work that needs the
 * live backend. The project's WGSL kernels get registered here.
 */
function afterWebgpuReady(): void {
  registerWebgpuKernels();
  registerTrainingKernels();
  const backend = tf.backend() as WebGPUBackend;
  watchGpuDevice(backend.device, webgpu?.device ?? 'GPU');
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

const PREPARE: Record<BackendName, (env: NodeJS.ProcessEnv) => Promise<ProbeOutcome>> = {
  tensorflow: prepareTensorflow,
  webgpu: prepareWebgpu,
  wasm: prepareWasm,
  cpu: prepareCpu,
};

/**
 * Loads a backend's package and checks it can run here, then asks tfjs to initialise it.
 * Never throws for an unavailable backend: the outcome says why.
 */
export async function prepareBackend(
  name: BackendName,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProbeOutcome> {
  registerConvGradient();
  let outcome: ProbeOutcome;
  try {
    outcome = await PREPARE[name](env);
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
  if (name === 'webgpu') afterWebgpuReady();
  return outcome;
}

/** Frees what a backend holds outside tfjs (the GPU handle), so Node can exit. */
export function releaseBackends(): void {
  unwatchGpuDevice();
  webgpu?.release();
  webgpu = undefined;
}

/**
 * Clears a recorded GPU failure once the job it failed has ended. A lost device cannot be used again, so
 * the webgpu backend is rebuilt on a fresh device (a driver reset leaves the GPU usable); where that fails,
 * the engine moves to wasm so that later jobs still run. Returns what it did, for the log.
 */
export async function recoverFromGpuFault(): Promise<string | undefined> {
  const fault = gpuFault();
  if (fault === undefined) return undefined;
  clearGpuFault();
  if (fault.kind !== 'lost' || tf.getBackend() !== 'webgpu') return undefined;
  const factory = tf.findBackendFactory('webgpu');
  unwatchGpuDevice();
  tf.removeBackend('webgpu');
  try {
    tf.registerBackend('webgpu', factory, 3);
    if (await tf.setBackend('webgpu')) {
      afterWebgpuReady();
      return 'the webgpu backend restarted on a new GPU device after the loss';
    }
  } catch {
    // fall through to wasm
  }
  const wasm = await prepareBackend('wasm');
  return wasm.ok
    ? 'the GPU could not restart after the loss: the engine now runs on wasm'
    : `the GPU could not restart after the loss and wasm failed too: ${wasm.detail}`;
}
