/**
 * How many times each of the project's WebGPU programs was dispatched by a kernel (not counting
 * falls back to the package's own kernels): lets tests and benchmarks confirm which code ran.
 */
export type ProgramKind = 'forward' | 'input-gradient' | 'filter-gradient';

const runs: Record<ProgramKind, number> = { forward: 0, 'input-gradient': 0, 'filter-gradient': 0 };

export function countRun(kind: ProgramKind): void {
  runs[kind]++;
}

export function projectProgramRuns(): Readonly<Record<ProgramKind, number>> {
  return { ...runs };
}
