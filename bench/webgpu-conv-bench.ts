/**
 * The project's WGSL convolution kernels against tfjs-backend-webgpu's own, on the current webgpu
 * backend: cnn4's convolutions (28x28x1 and 32x32x3 inputs) at several batch sizes plus one large
 * 3x3 convolution, each as forward pass, input gradient and filter gradient. Both implementations are
 * called directly (the package's kernelFunc kept by registerWebgpuKernels, and the project's), so the
 * registry is not toggled; tfjs's im2col + BatchMatMul path is timed too for the forward pass.
 *
 * `npx tsx bench/webgpu-conv-bench.ts [--tiny]` runs it alone and prints JSON lines.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { packageWebgpuKernel, registerWebgpuKernels } from '../electron/engine/backend/webgpu/register.ts';

/** Rounds to `digits` decimals: result lines stay short. */
function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export type ConvKernelName = 'Conv2D' | 'Conv2DBackpropInput' | 'Conv2DBackpropFilter';
const KERNELS: readonly ConvKernelName[] = ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'];

export interface WebgpuConvBenchResult {
  bench: 'webgpu-conv';
  kernel: ConvKernelName;
  /** e.g. "512x28x28x32->32 3x3". */
  shape: string;
  tfjs_ms: number;
  project_ms: number;
  tfjs_tflops: number;
  project_tflops: number;
  /** project over tfjs. */
  speedup: number;
  /** tfjs's forward pass forced through its im2col shader and BatchMatMul (forward only). */
  im2col_tflops?: number;
  /** max |project - tfjs| / max |tfjs| on this shape (checked at the first batch size only). */
  rel_err?: number;
  /** A GPU validation error raised while measuring: the figures of that line are not to be trusted. */
  gpu_error?: string;
}

/** A 3x3, stride 1, same-padded convolution: batch, height, width, input and output channels. */
export interface Conv {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
}

const CNN4_LAYERS: ReadonlyArray<Omit<Conv, 'n'>> = [
  { h: 28, w: 28, ci: 1, co: 32 },
  { h: 28, w: 28, ci: 32, co: 32 },
  { h: 14, w: 14, ci: 32, co: 64 },
  { h: 14, w: 14, ci: 64, co: 64 },
  { h: 32, w: 32, ci: 3, co: 32 },
  { h: 32, w: 32, ci: 32, co: 32 },
  { h: 16, w: 16, ci: 32, co: 64 },
  { h: 16, w: 16, ci: 64, co: 64 },
];
const LARGE: Conv = { n: 128, h: 32, w: 32, ci: 64, co: 128 };

export interface WebgpuConvBenchOptions {
  /** Two small shapes at batch 2, one sample: a smoke test that SwiftShader finishes in about a minute. */
  tiny?: boolean;
  /** Batch sizes for cnn4's layers (default 128, 512, 2048). */
  batches?: number[];
  /** Timed samples per measurement, after a warm-up (default 3); the median is reported. */
  samples?: number;
  /** Compare the two implementations' outputs at the first batch size (default true). */
  compare?: boolean;
  /** Called with each result as it is measured. */
  print?: (result: WebgpuConvBenchResult) => void;
}

function shapes(options: WebgpuConvBenchOptions): { conv: Conv; check: boolean }[] {
  if (options.tiny === true)
    return [
      { conv: { n: 2, h: 5, w: 5, ci: 1, co: 8 }, check: true },
      { conv: { n: 2, h: 4, w: 4, ci: 8, co: 16 }, check: true },
    ];
  const batches = options.batches ?? [128, 512, 2048];
  return [
    ...batches.flatMap((n, i) =>
      CNN4_LAYERS.map((l) => ({ conv: { n, ...l }, check: i === 0 && options.compare !== false })),
    ),
    { conv: LARGE, check: options.compare !== false },
  ];
}

const ATTRS = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1 };

/** Waits until the GPU has finished everything queued so far. */
async function sync(backend: WebGPUBackend): Promise<void> {
  // An open compute pass makes the command buffer invalid (a GPU validation error, the work never
  // runs); and right after the backend's own submit there is no encoder to finish.
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.submitQueue();
  await backend.device.queue.onSubmittedWorkDone();
}

/** Median milliseconds per call: calls are batched until a sample lasts 20 ms, so sync overhead fades. */
async function time(backend: WebGPUBackend, call: () => tf.TensorInfo, samples: number): Promise<number> {
  const runs = async (count: number): Promise<number> => {
    const t0 = performance.now();
    for (let i = 0; i < count; i++) backend.disposeData(call().dataId);
    await sync(backend);
    return (performance.now() - t0) / count;
  };
  const first = await runs(1); // compiles the pipelines
  let inner = 1;
  let perCall = first;
  if (samples > 1) perCall = await runs(1);
  while (perCall * inner < 20 && inner < 64) inner *= 2;
  const times: number[] = [];
  for (let s = 0; s < samples; s++) times.push(await runs(inner));
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? first;
}

/** Runs `fn` inside a GPU validation error scope and returns the first error's message, if any. */
async function validated(backend: WebGPUBackend, fn: () => Promise<void>): Promise<string | undefined> {
  backend.device.pushErrorScope('validation');
  // The scope is popped whether or not fn throws; a throw then propagates from the awaited promise.
  const run = fn().then(
    () => undefined,
    (error: unknown) => error,
  );
  const thrown = await run;
  const error = await backend.device.popErrorScope();
  if (thrown instanceof Error) throw thrown;
  if (thrown !== undefined) throw new Error(JSON.stringify(thrown));
  return error === null ? undefined : error.message.slice(0, 200);
}

async function relativeError(backend: WebGPUBackend, a: tf.TensorInfo, b: tf.TensorInfo): Promise<number> {
  const [x, y] = (await Promise.all([backend.read(a.dataId), backend.read(b.dataId)])) as Float32Array[];
  backend.disposeData(a.dataId);
  backend.disposeData(b.dataId);
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < (y?.length ?? 0); i++) {
    diff = Math.max(diff, Math.abs((x?.[i] ?? NaN) - (y?.[i] ?? NaN)));
    ref = Math.max(ref, Math.abs(y?.[i] ?? 0));
  }
  return Number.isNaN(diff) ? Infinity : ref === 0 ? diff : diff / ref;
}

function kernelFuncs(name: ConvKernelName): { tfjs: tf.KernelFunc; project: tf.KernelFunc } {
  const tfjs = packageWebgpuKernel(name);
  const project = tf.getKernel(name, 'webgpu');
  if (tfjs === undefined || project === undefined) throw new Error(`no webgpu ${name} kernel`);
  return { tfjs: tfjs.kernelFunc, project: project.kernelFunc };
}

/** Times the three kernels at one shape, both implementations; `check` compares their outputs too. */
async function measure(conv: Conv, samples: number, check: boolean): Promise<WebgpuConvBenchResult[]> {
  if (tf.getBackend() !== 'webgpu')
    throw new Error(`webgpu-conv bench needs the webgpu backend, not ${tf.getBackend()}`);
  registerWebgpuKernels();
  const backend = tf.backend() as WebGPUBackend;
  const { n, h, w, ci, co } = conv;
  const x = tf.randomUniform([n, h, w, ci], -1, 1);
  const filter = tf.randomUniform([3, 3, ci, co], -1, 1);
  const dy = tf.randomUniform([n, h, w, co], -1, 1);
  const flops = 2 * n * h * w * ci * co * 9;
  const args: Record<ConvKernelName, { inputs: tf.NamedTensorInfoMap; attrs: tf.NamedAttrMap }> = {
    Conv2D: { inputs: { x, filter }, attrs: ATTRS },
    Conv2DBackpropInput: {
      inputs: { dy, filter },
      attrs: { ...ATTRS, inputShape: x.shape },
    },
    Conv2DBackpropFilter: {
      inputs: { x, dy },
      attrs: { ...ATTRS, filterShape: filter.shape },
    },
  };
  const results: WebgpuConvBenchResult[] = [];
  try {
    for (const kernel of KERNELS) {
      const funcs = kernelFuncs(kernel);
      const call = (f: tf.KernelFunc) => (): tf.TensorInfo =>
        f({ ...args[kernel], backend }) as tf.TensorInfo;
      let tfjsMs = NaN;
      let projectMs = NaN;
      const error = await validated(backend, async () => {
        tfjsMs = await time(backend, call(funcs.tfjs), samples);
        projectMs = await time(backend, call(funcs.project), samples);
      });
      const result: WebgpuConvBenchResult = {
        bench: 'webgpu-conv',
        kernel,
        shape: `${n}x${h}x${w}x${ci}->${co} 3x3`,
        tfjs_ms: round(tfjsMs),
        project_ms: round(projectMs),
        tfjs_tflops: round(flops / tfjsMs / 1e9),
        project_tflops: round(flops / projectMs / 1e9),
        speedup: round(tfjsMs / projectMs, 2),
      };
      if (error !== undefined) result.gpu_error = error;
      // tfjs's im2col matrix must fit one storage binding, or its shader never runs.
      const im2colBytes = n * h * w * 9 * ci * 4;
      if (kernel === 'Conv2D' && im2colBytes <= backend.device.limits.maxStorageBufferBindingSize) {
        const flag = 'WEBGPU_CONV_SEPARATE_IM2COL_SHADER';
        const before = tf.env().getBool(flag);
        tf.env().set(flag, true);
        let ms = NaN;
        try {
          const im2colError = await validated(backend, async () => {
            ms = await time(backend, call(funcs.tfjs), samples);
          });
          if (im2colError === undefined) result.im2col_tflops = round(flops / ms / 1e9);
        } finally {
          tf.env().set(flag, before);
        }
      }
      if (check) result.rel_err = await relativeError(backend, call(funcs.project)(), call(funcs.tfjs)());
      results.push(result);
    }
  } finally {
    tf.dispose([x, filter, dy]);
  }
  return results;
}

/**
 * One shape (3x3, stride 1, same), its three kernels, tfjs's against the project's, outputs compared;
 * the current backend must be webgpu. `repeats` timed samples each, after a warm-up.
 */
export async function benchWebgpuConv(shape: Conv, repeats = 3): Promise<WebgpuConvBenchResult[]> {
  return measure(shape, Math.max(1, repeats), true);
}

/**
 * cnn4's convolutions at each batch size plus one large convolution (or, with `tiny`, two small
 * shapes), outputs compared at the first batch size only (reading back 2048-image tensors is slow).
 */
export async function benchWebgpuConvSuite(
  options: WebgpuConvBenchOptions = {},
): Promise<WebgpuConvBenchResult[]> {
  const samples = options.tiny === true ? 1 : (options.samples ?? 3);
  const results: WebgpuConvBenchResult[] = [];
  for (const { conv, check } of shapes(options)) {
    for (const result of await measure(conv, samples, check)) {
      options.print?.(result);
      results.push(result);
    }
  }
  return results;
}

/** Standalone run: prepares webgpu (as the engine does) and prints one JSON line per measurement. */
async function main(): Promise<void> {
  const { prepareBackend, releaseBackends } = await import('../electron/engine/backend/probes.ts');
  const outcome = await prepareBackend('webgpu');
  if (!outcome.ok) {
    console.log(JSON.stringify({ bench: 'skip', group: 'webgpu-conv', reason: outcome.detail }));
    return;
  }
  console.log(JSON.stringify({ bench: 'webgpu-conv-device', device: outcome.device }));
  try {
    await benchWebgpuConvSuite({
      tiny: process.argv.includes('--tiny'),
      print: (r) => console.log(JSON.stringify(r)),
    });
  } finally {
    releaseBackends();
  }
}

// By the script's name, not import.meta.url: bundled into another entry, this module shares its URL.
if (process.argv[1]?.endsWith('webgpu-conv-bench.ts') === true) await main();
