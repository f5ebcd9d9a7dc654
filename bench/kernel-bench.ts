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

/**
 * Times a 3x3 same convolution and its two gradients at facts.md's shape (64x28x28x32 -> 64),
 * so the project's gradient kernels can be compared with the forward pass they are built on.
 */
export function benchConvKernels(repeats = 5): KernelBenchResult[] {
  const [n, h, w, ci, co] = [64, 28, 28, 32, 64];
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
  const results = cases.map(([kernel, run]) => {
    // Not tf.tidy(() => run().dataSync()): tidy walks a returned typed array element by element.
    const once = (): void => {
      const y = run();
      y.dataSync();
      y.dispose();
    };
    once();
    const t0 = performance.now();
    for (let i = 0; i < repeats; i++) once();
    const ms = (performance.now() - t0) / repeats;
    return {
      bench: 'kernel' as const,
      backend: tf.getBackend(),
      kernel,
      shape: `${n}x${h}x${w}x${ci}->${co} 3x3`,
      ms: round(ms),
      gflop_s: round(flops / ms / 1e6),
    };
  });
  tf.dispose([x, filter, dy]);
  return results;
}
