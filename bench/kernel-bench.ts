import * as tf from '@tensorflow/tfjs';
import { round } from './train-bench.ts';

export interface KernelBenchResult {
  bench: 'kernel';
  backend: string;
  kernel: string;
  shape: string;
  ms: number;
  gflop_s: number;
}

/** A 3x3 same convolution's sizes: batch, height, width, input and output channels. */
export interface ConvShape {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
}

/** How a conv shape is written in result lines (ours and the PyTorch peer's), e.g. "64x28x28x32->64 3x3". */
export function convShapeText({ n, h, w, ci, co }: ConvShape): string {
  return `${n}x${h}x${w}x${ci}->${co} 3x3`;
}

/** facts.md's shape, so figures compare across machines and with its table. */
export const FACTS_CONV_SHAPE: ConvShape = { n: 64, h: 28, w: 28, ci: 32, co: 64 };

/** What a software GPU times in seconds rather than minutes: a path check, not a speed figure. */
export const SOFTWARE_GPU_CONV_SHAPE: ConvShape = { n: 4, h: 14, w: 14, ci: 8, co: 16 };

/**
 * Times a 3x3 same convolution and its two gradients (default: facts.md's 64x28x28x32 -> 64),
 * so the project's gradient kernels can be compared with the forward pass they are built on.
 * Reads back with `await data()`: the webgpu backend's synchronous read needs an OffscreenCanvas,
 * which Node lacks.
 */
export async function benchConvKernels(
  repeats = 5,
  shape: ConvShape = FACTS_CONV_SHAPE,
): Promise<KernelBenchResult[]> {
  const { n, h, w, ci, co } = shape;
  const flops = 2 * n * h * w * ci * co * 9;
  const x = tf.randomUniform<tf.Rank.R4>([n, h, w, ci]);
  const filter = tf.randomUniform<tf.Rank.R4>([3, 3, ci, co]);
  const dy = tf.randomUniform<tf.Rank.R4>([n, h, w, co]);
  const engine = tf.engine();
  const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1 };
  const cases: [string, () => tf.Tensor][] = [
    ['Conv2D', () => tf.conv2d(x, filter, 1, 'same')],
    [
      'Conv2DBackpropFilter',
      () =>
        engine.runKernel<tf.Tensor>(
          'Conv2DBackpropFilter',
          { x, dy },
          { ...attrs, filterShape: filter.shape },
        ),
    ],
    [
      'Conv2DBackpropInput',
      () =>
        engine.runKernel<tf.Tensor>('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: x.shape }),
    ],
  ];
  const results: KernelBenchResult[] = [];
  try {
    for (const [kernel, run] of cases) {
      // Not tf.tidy(() => run().data()): tidy cannot wait for a read.
      const once = async (): Promise<void> => {
        const y = run();
        try {
          await y.data();
        } finally {
          y.dispose();
        }
      };
      await once();
      const t0 = performance.now();
      for (let i = 0; i < repeats; i++) await once();
      const ms = (performance.now() - t0) / repeats;
      results.push({
        bench: 'kernel',
        backend: tf.getBackend(),
        kernel,
        shape: convShapeText(shape),
        ms: round(ms),
        gflop_s: round(flops / ms / 1e6, flops / ms / 1e6 < 10 ? 4 : 1),
      });
    }
  } finally {
    tf.dispose([x, filter, dy]);
  }
  return results;
}
