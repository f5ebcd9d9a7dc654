/** The engine's compute backends, in the order the ladder tries them (fastest first). */
export const BACKEND_NAMES = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const;

export type BackendName = (typeof BACKEND_NAMES)[number];

export function isBackendName(value: string): value is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(value);
}

/** What probing one backend found: whether it can run here, and on what. */
export interface BackendProbe {
  name: BackendName;
  available: boolean;
  /** The device it runs on (GPU name, or CPU model and thread count), when available. */
  device?: string;
  /** Why it is unavailable, or a note on how it runs (e.g. which package provided it). */
  detail: string;
  /** True when the device is a software GPU adapter (it runs on the CPU): refused unless allowed for tests. */
  software?: boolean;
}

/** The backend the engine settled on and how it got there; shown in the UI and in every report. */
export interface BackendChoice {
  name: BackendName;
  device: string;
  /** True when forced by --backend or DEEPCORRECT_BACKEND rather than chosen by the ladder. */
  forced: boolean;
  reason: string;
  /** CPU threads the engine computes on (data-parallel workers included). */
  threads: number;
  probes: BackendProbe[];
}
