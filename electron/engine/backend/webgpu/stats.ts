/**
 * How many times each of the project's WebGPU programs was dispatched by a kernel (not counting
 * falls back to the package's own kernels): lets tests and benchmarks confirm which code ran.
 */
export type ProgramKind = 'forward' | 'input-gradient' | 'filter-gradient' | 'pool-gradient';

const runs: Record<ProgramKind, number> = {
  forward: 0,
  'input-gradient': 0,
  'filter-gradient': 0,
  'pool-gradient': 0,
};

export function countRun(kind: ProgramKind): void {
  runs[kind]++;
}

export function projectProgramRuns(): Readonly<Record<ProgramKind, number>> {
  return { ...runs };
}

/**
 * Counts the webgpu backend's dispatches (every program tfjs runs goes through recordAndSubmit) until
 * `stop` is called: for benchmarks and tests that report a step's dispatches. Programs that record their
 * own passes (the fused Adam) are not counted here.
 */
export function countDispatches(backend: object): { count: () => number; stop: () => void } {
  const target = backend as { recordAndSubmit: (...args: unknown[]) => unknown };
  const original = target.recordAndSubmit;
  let count = 0;
  target.recordAndSubmit = function (this: unknown, ...args: unknown[]) {
    count++;
    return original.apply(this, args);
  };
  return { count: () => count, stop: () => void (target.recordAndSubmit = original) };
}
