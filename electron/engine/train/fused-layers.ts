import * as tf from '@tensorflow/tfjs';
import {
  CORRECT_COUNT,
  MEAN_SOFTMAX_CROSS_ENTROPY,
  RELU,
  trainingKernelsAvailable,
} from '../backend/webgpu/training-kernels.ts';
import { fusedBatchNormRun } from './fused-batch-norm.ts';

/*
 * The fused training step on webgpu: conv and dense layers with a linear or ReLU activation run as one
 * taped kernel each (FusedConv2D, _FusedMatMul, whose gradients backend/webgpu/training-kernels.ts
 * registers), a trained batch norm as a few kernels of its own (fused-batch-norm.ts), ReLU layers with a
 * one-pass gradient, and a softmax output layer hands its logits to a loss computed and differentiated in
 * one kernel. The functions are those of model.apply and trainingLoss, so the step is the same up to float
 * rounding (tests/webgpu compare it with the unfused step and with wasm); other backends never get here.
 */

let enabled = true;

/** Turns the fused step off or on (on by default): for benchmarks and tests that compare the two. */
export function setFusedTraining(on: boolean): void {
  enabled = on;
}

/** Whether training steps run fused now: on webgpu with the project's kernels registered, unless turned off. */
export function fusedTrainingActive(): boolean {
  return enabled && trainingKernelsAvailable();
}

type Config = tf.serialization.ConfigDict;
type Run = (inputs: tf.Tensor[]) => tf.Tensor;

/** The layer's weight by its own name (kernel, bias, gamma, ...), or undefined. */
export function weightNamed(layer: tf.layers.Layer, name: string): tf.LayerVariable | undefined {
  return layer.weights.find((w) => w.originalName.split('/').at(-1) === name);
}

function activationName(config: Config): string {
  return typeof config.activation === 'string' ? config.activation : 'linear';
}

function isOne(value: unknown): boolean {
  return [value ?? 1].flat().every((v) => v === 1);
}

function pair(value: unknown): [number, number] {
  const [a, b] = [value ?? 1].flat() as number[];
  return [a ?? 1, b ?? a ?? 1];
}

/** A Conv2D with a linear or ReLU activation, NHWC and undilated, as one taped FusedConv2D. */
function convRun(layer: tf.layers.Layer, config: Config): Run | undefined {
  const activation = activationName(config);
  const kernel = weightNamed(layer, 'kernel');
  const channelsLast = config.dataFormat === undefined || config.dataFormat === 'channelsLast';
  const padding = config.padding === 'same' || config.padding === 'valid' ? config.padding : undefined;
  if (kernel === undefined || !channelsLast || padding === undefined || !isOne(config.dilationRate))
    return undefined;
  if (activation !== 'relu' && activation !== 'linear') return undefined;
  const bias = config.useBias === false ? undefined : weightNamed(layer, 'bias');
  if (config.useBias !== false && bias === undefined) return undefined;
  const attrs = {
    strides: pair(config.strides),
    pad: padding,
    dataFormat: 'NHWC',
    dilations: [1, 1],
    activation,
  };
  return ([x]) =>
    tf
      .engine()
      .runKernel<tf.Tensor>(
        'FusedConv2D',
        bias === undefined
          ? { x: x as tf.Tensor, filter: kernel.read() }
          : { x: x as tf.Tensor, filter: kernel.read(), bias: bias.read() },
        attrs,
      );
}

/**
 * x times the kernel along x's last axis (as Dense does for any rank), plus the bias, with the activation,
 * as one taped _FusedMatMul on x seen as [1, rows, inputs].
 */
function matMulRun(kernel: tf.LayerVariable, bias: tf.LayerVariable | undefined, activation: string): Run {
  return ([x]) => {
    const input = x as tf.Tensor;
    const k = kernel.read();
    const [units, depth] = [k.shape[1] as number, k.shape[0]];
    const a = tf.reshape(input, [1, input.size / depth, depth]);
    const b = tf.reshape(k, [1, depth, units]);
    const inputs: tf.NamedTensorMap = bias === undefined ? { a, b } : { a, b, bias: bias.read() };
    const attrs = { transposeA: false, transposeB: false, activation };
    const y = tf.engine().runKernel<tf.Tensor>('_FusedMatMul', inputs, attrs);
    return tf.reshape(y, [...input.shape.slice(0, -1), units]);
  };
}

/** A Dense with a linear or ReLU activation; a softmax one when it yields the model's logits. */
function denseRun(layer: tf.layers.Layer, config: Config, logits: boolean): Run | undefined {
  const activation = activationName(config);
  const kernel = weightNamed(layer, 'kernel');
  if (kernel === undefined) return undefined;
  const wanted = logits ? activation === 'softmax' : activation === 'relu' || activation === 'linear';
  if (!wanted) return undefined;
  const bias = config.useBias === false ? undefined : weightNamed(layer, 'bias');
  if (config.useBias !== false && bias === undefined) return undefined;
  return matMulRun(kernel, bias, logits ? 'linear' : activation);
}

/**
 * How a conv or dense layer runs in the fused step, or undefined to leave it to the unfused runners. Frozen
 * layers fuse too: the backward pass then asks only for their input's gradient. `output` is true for the
 * layer whose output is the model's: a softmax Dense there yields logits instead of probabilities.
 */
export function fusedRunner(layer: tf.layers.Layer, output: boolean): Run | undefined {
  const config = layer.getConfig();
  const kind = layer.getClassName();
  if (kind === 'Activation' && activationName(config) === 'relu')
    return ([x]) => tf.engine().runKernel<tf.Tensor>(RELU, { x: x as tf.Tensor });
  // The softmax is the loss's: an output softmax layer passes its input, the logits, through.
  if (output && isSoftmaxLayer(layer)) return ([x]) => x as tf.Tensor;
  if (layer.weights.length === 0) return undefined;
  if (kind === 'Conv2D') return convRun(layer, config);
  if (kind === 'Dense') return denseRun(layer, config, output && isSoftmaxDense(layer));
  if (kind === 'BatchNormalization' && layer.trainableWeights.length > 0)
    return fusedBatchNormRun(layer, config);
  return undefined;
}

/** Whether the layer is a Dense layer with a softmax activation, whose logits the fused loss can take. */
export function isSoftmaxDense(layer: tf.layers.Layer): boolean {
  return layer.getClassName() === 'Dense' && activationName(layer.getConfig()) === 'softmax';
}

/** A layer that is only a softmax over the last axis (as imported Keras models often end). */
function isSoftmaxLayer(layer: tf.layers.Layer): boolean {
  const config = layer.getConfig();
  if (layer.getClassName() === 'Activation') return activationName(config) === 'softmax';
  const axis = config.axis ?? -1;
  return (
    layer.getClassName() === 'Softmax' &&
    (axis === -1 || (Array.isArray(axis) && axis.length === 1 && axis[0] === -1))
  );
}

/** Whether the fused step hands the loss this output layer's logits instead of its probabilities. */
export function yieldsLogits(layer: tf.layers.Layer): boolean {
  return isSoftmaxDense(layer) || isSoftmaxLayer(layer);
}

/** The clipped cross-entropy of softmax(logits) against one-hot labels, mean over rows: one kernel. */
export function meanSoftmaxCrossEntropy(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.engine().runKernel<tf.Scalar>(MEAN_SOFTMAX_CROSS_ENTROPY, { logits, labels });
}

/** Rows whose largest score sits where the one-hot label is: one kernel, a float32 scalar. */
export function fusedCorrectCount(scores: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.engine().runKernel<tf.Scalar>(CORRECT_COUNT, { scores, labels });
}
