import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BackendError,
  parseBackendName,
  probeAll,
  selectBackend,
} from '../../electron/engine/backend/ladder.ts';
import {
  adapterName,
  refusal,
  softwareAllowed,
  softwareReason,
  type AdapterFacts,
} from '../../electron/engine/backend/adapter-info.ts';
import { noVulkanDriver } from '../../electron/engine/backend/probes.ts';
import { driversToHide, quietVulkanEnv, verboseRequested } from '../../electron/engine/backend/dawn-probe.ts';
import { classifyGpuMessage, gpuJobError } from '../../electron/engine/backend/gpu-errors.ts';

describe('backend ladder', () => {
  it('rejects an unknown backend name, listing the valid ones', async () => {
    expect(() => parseBackendName('cuda', '--backend')).toThrow(
      /unknown backend "cuda".*tensorflow, webgpu, wasm, cpu/,
    );
    await expect(selectBackend({ forced: 'metal' })).rejects.toBeInstanceOf(BackendError);
    await expect(selectBackend({ env: { DEEPCORRECT_BACKEND: 'gpu' } })).rejects.toThrow(
      /DEEPCORRECT_BACKEND/,
    );
  });

  it('accepts names case-insensitively and honours DEEPCORRECT_BACKEND', async () => {
    expect(parseBackendName(' WASM ', 'test')).toBe('wasm');
    const choice = await selectBackend({ env: { DEEPCORRECT_BACKEND: 'cpu' } });
    expect(choice).toMatchObject({ name: 'cpu', forced: true, reason: 'forced by DEEPCORRECT_BACKEND' });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('--backend wins over the environment', async () => {
    const choice = await selectBackend({ forced: 'wasm', env: { DEEPCORRECT_BACKEND: 'cpu' } });
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('falls down the ladder, logging each backend it skips, and says why it chose', async () => {
    const logged: string[] = [];
    const { probes, choice } = await probeAll({ env: {} });
    const chosen = await selectBackend({ env: {}, log: (l) => logged.push(l) });
    expect(probes.map((p) => p.name)).toEqual(['tensorflow', 'webgpu', 'wasm', 'cpu']);
    const firstAvailable = probes.find((p) => p.available);
    expect(chosen.name).toBe(firstAvailable?.name);
    expect(choice.name).toBe(chosen.name);
    const skipped = probes.slice(
      0,
      probes.findIndex((p) => p.available),
    );
    expect(logged).toHaveLength(skipped.length);
    for (const p of skipped) {
      expect(p.detail.length).toBeGreaterThan(10);
      expect(logged.some((l) => l.includes(`backend ${p.name} unavailable`))).toBe(true);
    }
    expect(tf.getBackend()).toBe(chosen.name);
    // wasm and cpu ship inside npm packages and must always be available.
    expect(probes.find((p) => p.name === 'wasm')?.available).toBe(true);
    expect(probes.find((p) => p.name === 'cpu')?.available).toBe(true);
  });

  it('a forced backend that cannot run here fails loudly instead of falling back', async () => {
    const { probes } = await probeAll({ env: {} });
    const missing = probes.find((p) => !p.available);
    if (missing === undefined) return; // every backend runs on this machine: nothing to refuse
    await expect(selectBackend({ forced: missing.name, env: {} })).rejects.toThrow(
      new RegExp(
        `backend ${missing.name} \\(forced by --backend\\) cannot run here: .*; use --backend wasm instead`,
      ),
    );
  });
});

describe('software adapters and GPU failure messages', () => {
  const facts = (over: Partial<AdapterFacts>): AdapterFacts => ({
    vendor: '',
    architecture: '',
    device: '',
    description: '',
    ...over,
  });

  it('knows software adapters by Dawn’s fallback flag and by name, and hardware ones by neither', () => {
    // Dawn's reports: SwiftShader (measured here), lavapipe (Mesa's llvmpipe Vulkan), the null backend.
    const swiftshader = facts({
      vendor: 'google',
      architecture: 'swiftshader',
      device: 'swiftshader-device-subzero-',
      description: 'SwiftShader driver 5.0.0',
      isFallbackAdapter: true,
    });
    expect(softwareReason(swiftshader)).toBe('SwiftShader is a software renderer');
    expect(adapterName(swiftshader)).toBe(
      'SwiftShader driver 5.0.0 (google, swiftshader, swiftshader-device-subzero-)',
    );
    expect(softwareReason(facts({ vendor: 'mesa', device: 'llvmpipe (LLVM 15.0.6, 256 bits)' }))).toMatch(
      /lavapipe/,
    );
    expect(softwareReason(facts({ device: 'null-backend' }))).toMatch(/null backend/);
    expect(softwareReason(facts({ vendor: 'acme', device: 'cpu-gpu', isFallbackAdapter: true }))).toMatch(
      /fallback \(CPU\) adapter/,
    );
    expect(softwareReason(facts({}))).toMatch(/no vendor or device/);
    const nvidia = facts({
      vendor: 'nvidia',
      architecture: 'hopper',
      device: 'NVIDIA H200',
      isFallbackAdapter: false,
    });
    expect(softwareReason(nvidia)).toBeUndefined();
    expect(refusal(swiftshader, 'x')).toMatch(
      /refused: it runs on the CPU \(x\); set DEEPCORRECT_ALLOW_SOFTWARE_GPU=1/,
    );
  });

  it('reads DEEPCORRECT_ALLOW_SOFTWARE_GPU and DEEPCORRECT_VERBOSE as switches', () => {
    expect(softwareAllowed({ DEEPCORRECT_ALLOW_SOFTWARE_GPU: '1' })).toBe(true);
    expect(softwareAllowed({ DEEPCORRECT_ALLOW_SOFTWARE_GPU: '0' })).toBe(false);
    expect(softwareAllowed({})).toBe(false);
    expect(verboseRequested({ DEEPCORRECT_VERBOSE: 'true' })).toBe(true);
    expect(verboseRequested({})).toBe(false);
  });

  it('quietens the Vulkan stack only where the user did not choose otherwise', () => {
    const quiet = { verbose: false, hideDrivers: ['*lvp_icd*', '*swiftshader*'] };
    expect(quietVulkanEnv({}, quiet)).toEqual({
      NODEVICE_SELECT: '1',
      VK_LOADER_DRIVERS_DISABLE: '*lvp_icd*,*swiftshader*',
    });
    expect(
      quietVulkanEnv({ MESA_VK_DEVICE_SELECT: '10de:2335', VK_LOADER_DRIVERS_SELECT: '*nvidia*' }, quiet),
    ).toEqual({});
    expect(quietVulkanEnv({}, { ...quiet, verbose: true })).toEqual({});
    expect(quietVulkanEnv({}, { verbose: false, hideDrivers: [] })).toEqual({ NODEVICE_SELECT: '1' });
    // Once an adapter is chosen, the other CPU drivers are hidden, never its own.
    expect(driversToHide(facts({ vendor: 'nvidia', device: 'NVIDIA H200' }))).toEqual([
      '*swiftshader*',
      '*lvp_icd*',
    ]);
    expect(driversToHide(facts({ vendor: 'google', description: 'SwiftShader driver 5.0.0' }))).toEqual([
      '*lvp_icd*',
    ]);
  });

  it('recognises lost-device and out-of-memory messages, and only on the webgpu backend', () => {
    expect(classifyGpuMessage('Device is lost')).toBe('lost');
    expect(classifyGpuMessage('VK_ERROR_OUT_OF_DEVICE_MEMORY while allocating')).toBe('out-of-memory');
    expect(
      classifyGpuMessage('Buffer size (1200000000) exceeds the max buffer size limit (1073741824).'),
    ).toBe('too-large');
    // An H200's (Dawn, NVIDIA 580) answer to a 4 GiB tensor.
    expect(
      classifyGpuMessage(
        'Binding size (4294967296) of [Buffer (unlabeled)] is larger than the maximum storage buffer binding size (2147483644).',
      ),
    ).toBe('too-large');
    expect(classifyGpuMessage('Cannot read properties of undefined')).toBeUndefined();
    const error = gpuJobError(new Error('Out of memory (while creating a buffer)'), {
      step: 'deepcorrect train',
      backend: 'webgpu',
    });
    expect(error?.message).toMatch(
      /^the GPU ran out of memory during deepcorrect train on the webgpu backend \(GPU\): Out of memory .*--backend wasm/,
    );
    expect(gpuJobError(new Error('out of memory'), { step: 'train', backend: 'wasm' })).toBeUndefined();
    expect(gpuJobError(undefined, { step: 'train', backend: 'webgpu' })).toBeUndefined();
  });
});

describe('whether Linux has a Vulkan driver, decided without starting Dawn', () => {
  const made: string[] = [];
  const folder = (files: Record<string, string>): string => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dc-vulkan-'));
    made.push(dir);
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), content);
    }
    return dir;
  };
  afterAll(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });

  it('needs the loader and a driver manifest where the loader looks, or one named by the environment', () => {
    const loader = folder({ 'libvulkan.so.1': '' });
    const empty = folder({});
    const withDriver = folder({ 'vulkan/icd.d/nvidia_icd.json': '{}' });
    const base = { LD_LIBRARY_PATH: loader, HOME: empty };
    expect(noVulkanDriver(base, 'linux', [empty])).toMatch(/^no Vulkan driver installed/);
    expect(noVulkanDriver(base, 'linux', [withDriver])).toBeUndefined();
    expect(noVulkanDriver({ ...base, XDG_DATA_DIRS: withDriver }, 'linux', [empty])).toBeUndefined();
    expect(noVulkanDriver({ ...base, VK_DRIVER_FILES: '/x/icd.json' }, 'linux', [empty])).toBeUndefined();
    expect(noVulkanDriver({ ...base, XDG_DATA_HOME: withDriver }, 'linux', [empty])).toBeUndefined();
    expect(noVulkanDriver(base, 'darwin', [empty])).toBeUndefined();
  });
});
