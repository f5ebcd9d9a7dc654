// The software GPU the webgpu suite runs on: SwiftShader, the Vulkan driver Debian's chromium ships, under Dawn.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { prepareBackend } from '../../electron/engine/backend/probes.ts';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * What a process needs to run the webgpu backend on SwiftShader: the driver, and the engine's consent to a
 * software adapter (it refuses one otherwise, so that a real machine never trains on a CPU posing as a GPU).
 */
export const SWIFTSHADER_ENV: Readonly<Record<string, string>> = {
  VK_DRIVER_FILES: SWIFTSHADER_ICD,
  DEEPCORRECT_ALLOW_SOFTWARE_GPU: '1',
};

const LIBRARY_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'];

/** Whether the Vulkan loader Dawn needs on Linux is installed. */
export function vulkanLoaderPresent(): boolean {
  return LIBRARY_DIRS.some((dir) => existsSync(path.join(dir, 'libvulkan.so.1')));
}

/** Why the suite cannot run here, or undefined when SwiftShader and the Vulkan loader are both installed. */
export function swiftShaderMissing(): string | undefined {
  if (process.platform !== 'linux') return 'SwiftShader under Dawn is set up for Linux only';
  if (!existsSync(SWIFTSHADER_ICD)) return `no SwiftShader (${SWIFTSHADER_ICD}; apt-get install chromium)`;
  if (!vulkanLoaderPresent()) return 'no Vulkan loader (libvulkan.so.1; apt-get install libvulkan1)';
  return undefined;
}

/** A suite's name, with the reason it is skipped when it is. */
export function suiteName(name: string): string {
  const missing = swiftShaderMissing();
  return missing === undefined ? name : `${name} (skipped: ${missing})`;
}

/** Puts SWIFTSHADER_ENV into this process's environment: call before the webgpu backend is first prepared. */
export function useSwiftShader(): void {
  Object.assign(process.env, SWIFTSHADER_ENV);
}

/**
 * Starts the webgpu backend on SwiftShader: undefined when it runs, else why not (a suite skips, saying so).
 * Suites call it at import, so that describe.skipIf can name the reason.
 */
export async function startWebgpuOnSwiftShader(): Promise<string | undefined> {
  const missing = swiftShaderMissing();
  if (missing !== undefined) return missing;
  useSwiftShader();
  const outcome = await prepareBackend('webgpu');
  return outcome.ok ? undefined : `webgpu did not start on SwiftShader: ${outcome.detail}`;
}
