/**
 * What Dawn says about a WebGPU adapter, and whether it is a real GPU. A software adapter (SwiftShader,
 * lavapipe/llvmpipe, WARP, Dawn's null backend) runs WebGPU on the CPU hundreds of times slower than the
 * wasm backend, so the ladder never picks one by itself.
 */

/** The fields of Dawn's `adapter.info` the engine uses (plain data, so it can cross a process boundary). */
export interface AdapterFacts {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** Dawn sets this for CPU adapters (Vulkan's VK_PHYSICAL_DEVICE_TYPE_CPU); absent on older bindings. */
  isFallbackAdapter?: boolean;
}

export const ALLOW_SOFTWARE_ENV = 'DEEPCORRECT_ALLOW_SOFTWARE_GPU';

/** CPU implementations of Vulkan, D3D12 and Metal that an adapter's names can reveal when the flag is absent. */
const SOFTWARE_NAMES: readonly [RegExp, string][] = [
  [/swiftshader/i, 'SwiftShader'],
  [/lavapipe|llvmpipe/i, 'lavapipe (llvmpipe)'],
  [/softpipe/i, 'softpipe'],
  [/microsoft basic render|\bwarp\b/i, 'WARP'],
  [/null-backend/i, "Dawn's null backend"],
];

/** True when the variable asks for software adapters to be accepted (for tests on CPU-only machines). */
export function softwareAllowed(env: NodeJS.ProcessEnv): boolean {
  const value = env[ALLOW_SOFTWARE_ENV]?.trim().toLowerCase();
  return value === '1' || value === 'true' || value === 'yes';
}

/** The adapter's names in one line: its description (driver), then vendor, architecture and device. */
export function adapterName(info: AdapterFacts): string {
  const parts = [info.description, info.vendor, info.architecture, info.device]
    .map((s) => s.trim())
    .filter((s, i, all) => s !== '' && all.indexOf(s) === i);
  const [first, ...rest] = parts;
  if (first === undefined) return 'an unnamed adapter';
  return rest.length === 0 ? first : `${first} (${rest.join(', ')})`;
}

/** Why this adapter is a software one (it runs on the CPU), or undefined for a hardware GPU. */
export function softwareReason(info: AdapterFacts): string | undefined {
  const names = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`;
  const known = SOFTWARE_NAMES.find(([pattern]) => pattern.test(names));
  if (known !== undefined) return `${known[1]} is a software renderer`;
  if (info.isFallbackAdapter === true) return 'Dawn reports it as a fallback (CPU) adapter';
  if (names.trim() === '') return 'it reports no vendor or device';
  return undefined;
}

/** The one-line verdict doctor shows for a refused software adapter, with the way to accept it anyway. */
export function refusal(info: AdapterFacts, why: string): string {
  return (
    `software adapter ${adapterName(info)} refused: it runs on the CPU (${why}); ` +
    `set ${ALLOW_SOFTWARE_ENV}=1 to use it for tests`
  );
}
