import * as tf from '@tensorflow/tfjs';
import {
  BATCH_NORM_FORWARD,
  BATCH_NORM_INPUT_GRAD,
  BATCH_NORM_PARAM_GRAD,
  CHANNEL_SUMS,
  MOVING_AVERAGE,
} from '../backend/webgpu/batch-norm-kernels.ts';
import { weightNamed } from './fused-layers.ts';

/*
 * A trained batch norm on the last axis in the fused training step on webgpu: the arithmetic of
 * training-forward.ts's trainedBatchNorm (batch statistics, tfjs-layers' moving-statistic update, the
 * closed-form gradient), each pass one or two dispatches of backend/webgpu/batch-norm-kernels.ts.
 */

type Config = tf.serialization.ConfigDict;
type Run = (inputs: tf.Tensor[]) => tf.Tensor;

function run<T extends tf.Tensor>(kernel: string, inputs: tf.NamedTensorMap, attrs: object = {}): T {
  return tf.engine().runKernel<T>(kernel, inputs, attrs as tf.NamedAttrMap);
}

/** The layer as one custom-gradient op, or undefined where it is not a plain trained batch norm on the last axis. */
export function fusedBatchNormRun(layer: tf.layers.Layer, config: Config): Run | undefined {
  const axis = Array.isArray(config.axis) ? config.axis : [config.axis];
  const last = axis.length === 1 && (axis[0] === -1 || axis[0] === 3);
  const gamma = weightNamed(layer, 'gamma');
  const beta = weightNamed(layer, 'beta');
  const movingMean = weightNamed(layer, 'moving_mean');
  const movingVariance = weightNamed(layer, 'moving_variance');
  if (!last || gamma === undefined || beta === undefined) return undefined;
  if (movingMean === undefined || movingVariance === undefined) return undefined;
  const epsilon = Number(config.epsilon);
  const momentum = Number(config.momentum);
  const norm = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, g, b, save] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const rows = x.size / (x.shape[x.rank - 1] ?? 1);
    const sumX = run(CHANNEL_SUMS, { x }, { kind: 'x' });
    const sq = run(CHANNEL_SUMS, { x, sumX }, { kind: 'centred-square' });
    const value = run(BATCH_NORM_FORWARD, { x, sumX, sq, gamma: g, beta: b }, { epsilon });
    for (const [moving, sums] of [
      [movingMean, sumX],
      [movingVariance, sq],
    ] as const)
      moving.write(run(MOVING_AVERAGE, { moving: moving.read(), sums }, { rows, momentum }));
    save([x, sumX, sq, g]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sSumX, sSq, sg] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        const sums = run(CHANNEL_SUMS, { dy, x: sx, sumX: sSumX }, { kind: 'backward' });
        const dx = run(
          BATCH_NORM_INPUT_GRAD,
          { dy, x: sx, sumX: sSumX, sq: sSq, gamma: sg, sums },
          { epsilon },
        );
        const param = (which: 'gamma' | 'beta'): tf.Tensor =>
          run(BATCH_NORM_PARAM_GRAD, { sums, sq: sSq }, { which, epsilon, rows });
        return [dx, param('gamma'), param('beta')];
      },
    };
  });
  return ([x]) => norm(x as tf.Tensor, gamma.read(), beta.read());
}
