/**
 * bench/webgpu-conv-bench.ts (another module of this folder) times the package's webgpu convolution kernels
 * against the project's. A checkout may lack it, so it is loaded by a template-literal import: tsc does not
 * need the file, esbuild bundles whatever matches the pattern when the bundle is built, and a missing file
 * or export comes back as a reason instead of an exception.
 */
import { reason } from '../electron/engine/io/file-error.ts';

/** The slice of benchWebgpuConvSuite's options this bench uses. */
export interface ConvSuiteOptions {
  tiny?: boolean;
  print?: (result: object) => void;
}
export type ConvSuite = (options: ConvSuiteOptions) => Promise<object[]>;

export async function loadWebgpuConvSuite(): Promise<ConvSuite | string> {
  const name = 'bench';
  let mod: Record<string, unknown>;
  try {
    mod = (await import(`./webgpu-conv-${name}.ts`)) as Record<string, unknown>;
  } catch (error) {
    return `bench/webgpu-conv-bench.ts did not load: ${reason(error)}`;
  }
  const suite = mod['benchWebgpuConvSuite'];
  if (typeof suite !== 'function')
    return `bench/webgpu-conv-bench.ts exports no benchWebgpuConvSuite (exports: ${Object.keys(mod).join(', ')})`;
  return suite as ConvSuite;
}
