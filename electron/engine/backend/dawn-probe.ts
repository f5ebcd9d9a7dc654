/**
 * Asks Dawn for its WebGPU adapter without letting Dawn talk to the user's terminal.
 *
 * Dawn and the Vulkan stack write straight to file descriptor 2 from native code, which no JavaScript
 * console patching can catch. Measured on Debian 12 with Dawn from `webgpu` 0.6.2:
 * - `Warning: vkCreateInstance: Found no drivers!` and `Warning: vkCreateInstance failed with
 *   VK_ERROR_INCOMPATIBLE_DRIVER` plus a source line, when libvulkan is installed but no driver is: Dawn's
 *   own log of the loader's messages, printed whatever VK_LOADER_DEBUG says;
 * - `Warning: Vulkan shaderUniform*ArrayDynamicIndexing required.` and two more lines: Dawn refusing Mesa's
 *   lavapipe;
 * - `error: XDG_RUNTIME_DIR is invalid or not set in the environment.` (twice): libwayland-client, called by
 *   Mesa's implicit Vulkan layer VK_LAYER_MESA_device_select (installed with mesa-vulkan-drivers), which
 *   looks for a Wayland display to order GPUs. NODEVICE_SELECT=1, the layer's own off switch, silences it;
 *   Dawn orders adapters by itself.
 * So the adapter is asked for in a short child process whose stderr is kept (about 0.2 s), and Dawn is
 * loaded into the engine's own process only once an acceptable adapter is known to exist. With --verbose or
 * DEEPCORRECT_VERBOSE=1 nothing is hidden.
 *
 * Inside Electron (the desktop app's engine host) there is no child: the packaged app turns the RunAsNode fuse
 * off, so its binary started with ELECTRON_RUN_AS_NODE would open a second app instead of running the probe.
 * There the host asks Dawn itself; its stderr goes to the app's log, never to a terminal.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { AdapterFacts } from './adapter-info.ts';

export const VERBOSE_ENV = 'DEEPCORRECT_VERBOSE';

export function verboseRequested(env: NodeJS.ProcessEnv): boolean {
  const value = env[VERBOSE_ENV]?.trim().toLowerCase();
  return value === '1' || value === 'true' || value === 'yes';
}

/** The loader's file names of the CPU Vulkan drivers, and how their adapters name themselves. */
const SOFTWARE_DRIVERS: readonly [RegExp, string][] = [
  [/swiftshader/i, '*swiftshader*'],
  [/lavapipe|llvmpipe/i, '*lvp_icd*'],
];

/** Globs of the CPU Vulkan drivers other than the one behind `adapter`, which add only warnings once it is chosen. */
export function driversToHide(adapter: AdapterFacts): string[] {
  const names = `${adapter.vendor} ${adapter.architecture} ${adapter.device} ${adapter.description}`;
  return SOFTWARE_DRIVERS.filter(([pattern]) => !pattern.test(names)).map(([, glob]) => glob);
}

/**
 * Variables that quieten the Vulkan stack for a process about to load Dawn, leaving alone any the user set.
 * `hideDrivers` hides drivers from the loader (VK_LOADER_DRIVERS_DISABLE, Vulkan loader 1.3.234 or later;
 * older loaders ignore it): once an adapter is chosen, Dawn would otherwise initialise and warn about the
 * others again in this process, and tfjs, which asks Dawn for its adapter itself, could get another one.
 */
export function quietVulkanEnv(
  env: NodeJS.ProcessEnv,
  options: { verbose: boolean; hideDrivers: readonly string[] },
): Record<string, string> {
  if (options.verbose) return {};
  const quiet: Record<string, string> = {};
  if (env.NODEVICE_SELECT === undefined && env.MESA_VK_DEVICE_SELECT === undefined)
    quiet.NODEVICE_SELECT = '1';
  const userChose = env.VK_LOADER_DRIVERS_DISABLE !== undefined || env.VK_LOADER_DRIVERS_SELECT !== undefined;
  if (options.hideDrivers.length > 0 && !userChose)
    quiet.VK_LOADER_DRIVERS_DISABLE = options.hideDrivers.join(',');
  return quiet;
}

/** What the child found: the adapter Dawn offers (null for none) and the lines Dawn wrote meanwhile. */
export type AdapterQuery =
  | { ok: true; adapter: AdapterFacts | null; stderr: string[] }
  | { ok: false; detail: string; stderr: string[] };

const MARK = 'DEEPCORRECT_ADAPTER ';
const TIMEOUT_MS = 30_000;

// Runs in the child: plain JavaScript, since the child is bare Node, not tsx.
const CHILD_SOURCE = `
const { create } = await import(process.argv[1]);
const adapter = await create([]).requestAdapter({ powerPreference: 'high-performance' });
const i = adapter && adapter.info;
const facts = i ? { vendor: i.vendor || '', architecture: i.architecture || '', device: i.device || '',
  description: i.description || '', isFallbackAdapter: i.isFallbackAdapter ?? adapter.isFallbackAdapter } : null;
process.stdout.write('\\n${MARK}' + JSON.stringify(facts) + '\\n', () => process.exit(0));
`;

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

/** Whether this process can start its own binary as plain Node for the probe: not inside Electron (fuses). */
export function probeInChild(versions: { electron?: string | undefined } = process.versions): boolean {
  return versions.electron === undefined;
}

/** The plain facts of a Dawn adapter (what the child prints), or null for none. */
export function adapterFacts(adapter: GPUAdapter | null): AdapterFacts | null {
  if (adapter === null) return null;
  const i = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const fallback = i.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return {
    vendor: i.vendor || '',
    architecture: i.architecture || '',
    device: i.device || '',
    description: i.description || '',
    ...(fallback === undefined ? {} : { isFallbackAdapter: fallback }),
  };
}

/** Asks Dawn for an adapter in this process, through `gpu` (the process's one Dawn instance); never throws. */
export async function queryAdapterHere(gpu: () => Promise<GPU>): Promise<AdapterQuery> {
  try {
    const adapter = await (await gpu()).requestAdapter({ powerPreference: 'high-performance' });
    return { ok: true, adapter: adapterFacts(adapter), stderr: [] };
  } catch (error) {
    return {
      ok: false,
      detail: `Dawn could not be asked for an adapter: ${error instanceof Error ? error.message : String(error)}`,
      stderr: [],
    };
  }
}

/** Asks Dawn for an adapter in a child process with environment `env`; never throws. */
export function queryAdapter(env: NodeJS.ProcessEnv, verbose: boolean): Promise<AdapterQuery> {
  let url: string;
  try {
    url = pathToFileURL(createRequire(import.meta.url).resolve('webgpu')).href;
  } catch (error) {
    return Promise.resolve({
      ok: false,
      detail: `the webgpu package is not installed: ${String(error)}`,
      stderr: [],
    });
  }
  const quiet = quietVulkanEnv(env, { verbose, hideDrivers: [] });
  // Only ever under Node (probeInChild): process.execPath is node itself.
  const childEnv = { ...env, ...quiet };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD_SOURCE, url], {
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, detail: `could not start the adapter probe: ${error.message}`, stderr: [] });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = lines(err);
      const found = lines(out).findLast((l) => l.startsWith(MARK));
      if (code === 0 && found !== undefined) {
        resolve({ ok: true, adapter: JSON.parse(found.slice(MARK.length)) as AdapterFacts | null, stderr });
        return;
      }
      const how =
        signal === 'SIGKILL'
          ? `timed out after ${TIMEOUT_MS / 1000} s`
          : `ended with ${signal ?? `exit code ${code}`}`;
      const last = stderr.at(-1);
      resolve({
        ok: false,
        detail: `Dawn's adapter probe ${how}${last === undefined ? '' : `: ${last}`}`,
        stderr,
      });
    });
  });
}
