/**
 * Our side of the GPU side-by-side benchmark: webgpu training throughput for every case of
 * gpu-cases.json and the convolution kernels at its shapes. The backend must already be selected.
 * Each case prints its own line as soon as it is measured, so a run cut short by its time budget
 * keeps what it finished; a case that fails prints an error line and the others still run.
 */
import type { BackendName } from '../shared/backends.ts';
import { selectBackend } from '../electron/engine/backend/ladder.ts';
import { gpuCases, gpuScale, timedSteps, type GpuScale } from './gpu-cases.ts';
import { gpuRatios, measuredConvShapes, type BenchRecord } from './gpu-ratio.ts';
import { benchConvKernels, convShapeText } from './kernel-bench.ts';
import { benchTrain } from './train-bench.ts';
import { reason } from '../electron/engine/io/file-error.ts';
import { runTorchGpuPeer } from './torch-gpu-peer.ts';
import { loadWebgpuConvSuite } from './conv-bench-loader.ts';

export interface GpuBenchOptions {
  scale: GpuScale;
  /** The backend measured (webgpu; another only to compare the path on a machine without a GPU). */
  backend: BackendName;
  print: (line: object) => void;
  log: (line: string) => void;
}

export async function benchGpuTrain({ scale, backend, print, log }: GpuBenchOptions): Promise<void> {
  const cases = gpuCases(scale);
  for (const c of cases.train) {
    const shape = c.shape.join('x');
    const steps = timedSteps(c.batch, c.images ?? cases.oursImages, cases.minSteps);
    // The unfused step first where asked: its own line, which the ratios and the table leave out.
    for (const fused of c.unfused === true ? [false, true] : [true]) {
      const group = fused ? 'gpu-train' : 'gpu-train-unfused';
      log(
        `training ${c.model} ${shape} batch ${c.batch} on ${backend}${fused ? '' : ' unfused'} (${steps} timed steps)…`,
      );
      try {
        const r = await benchTrain({
          backend,
          arch: c.model,
          shape: c.shape,
          batch: c.batch,
          images: steps * c.batch,
          warmupBatches: cases.warmupSteps,
          fused,
          profile: fused && c.profile === true,
        });
        print({ bench: group, ...r, steps });
      } catch (error) {
        print({
          bench: 'error',
          group,
          backend,
          model: c.model,
          shape,
          batch: c.batch,
          reason: reason(error),
        });
      }
    }
  }
}

/**
 * The convolution and its two gradients: bench/webgpu-conv-bench.ts's suite where it exists (the package's
 * kernels beside the project's, at cnn4's layer shapes and one large convolution), else the registered
 * kernels at gpu-cases.json's shapes.
 */
export async function benchGpuKernels({ scale, backend, print, log }: GpuBenchOptions): Promise<void> {
  const suite = await loadWebgpuConvSuite();
  if (typeof suite !== 'string') {
    log(`timing the webgpu conv suite (${scale})…`);
    try {
      await suite({ tiny: scale === 'tiny', print });
    } catch (error) {
      print({ bench: 'error', group: 'webgpu-conv', backend, reason: reason(error) });
    }
    return;
  }
  print({ bench: 'skip', group: 'webgpu-conv', reason: suite });
  const cases = gpuCases(scale);
  for (const shape of cases.conv) {
    log(`timing conv ${convShapeText(shape)} on ${backend}…`);
    try {
      (await benchConvKernels(cases.convRepeats, shape)).forEach(print);
    } catch (error) {
      print({ bench: 'error', group: 'kernel', backend, shape: convShapeText(shape), reason: reason(error) });
    }
  }
}

/**
 * `npm run bench -- --only gpu`: webgpu kernels and training, the PyTorch CUDA peer (where torch sees
 * CUDA; the CPU peer at tiny scale, to exercise the path), then a gpu-ratio line per case both measured.
 */
export async function benchGpuSideBySide(options: {
  torch: boolean;
  print: (line: object) => void;
  log: (line: string) => void;
}): Promise<void> {
  const records: BenchRecord[] = [];
  const print = (line: object): void => {
    records.push(line as BenchRecord);
    options.print(line);
  };
  let scale: GpuScale = gpuScale(false);
  try {
    const choice = await selectBackend({ forced: 'webgpu' });
    const software = choice.probes.some((p) => p.name === 'webgpu' && p.software === true);
    scale = gpuScale(software);
    print({
      bench: 'gpu-env',
      backend: 'webgpu',
      device: choice.device,
      software,
      node: process.version,
      scale,
    });
    const ours = { scale, backend: 'webgpu' as const, print, log: options.log };
    await benchGpuKernels(ours);
    await benchGpuTrain(ours);
  } catch (error) {
    print({ bench: 'skip', group: 'gpu', backend: 'webgpu', reason: reason(error) });
  }
  if (options.torch) {
    options.log(`PyTorch peer (${scale} cases)…`);
    const device = scale === 'tiny' ? 'cpu' : 'cuda';
    (await runTorchGpuPeer(scale, device, measuredConvShapes(records))).forEach(print);
  }
  gpuRatios(records).forEach(options.print);
}
