import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import {
  ColumnSumProgram,
  CorrectCountProgram,
  MeanSoftmaxCrossEntropyProgram,
  ReluBackpropProgram,
  SoftmaxCrossEntropyGradProgram,
  planColumnSum,
  matrixShape,
  rowsAndCols as uniformRowsAndCols,
} from './training-programs.ts';
import { SplitSumProgram } from './small-programs.ts';
import { BATCH_NORM_KERNEL_NAMES, registerBatchNormKernels } from './batch-norm-kernels.ts';

/*
 * The kernels of the fused training step on webgpu (train/fused-layers.ts), and the gradients that make a
 * conv or dense layer with its bias and ReLU one kernel on the gradient tape.
 *
 * tfjs runs a layer's bias and ReLU as separate kernels whenever a gradient is being recorded (only a
 * linear activation stays fused there), and differentiates the softmax, the clip, the log, the product,
 * the sums and the mean of the loss one kernel at a time: about 90 dispatches for a cnn4 step, at some
 * 100 µs of CPU each in tfjs and Dawn, against a few ms of GPU work at batch 512 (docs/engine.md). Here:
 * - FusedConv2D and _FusedMatMul (tfjs's own kernels, which tfjs itself only calls inside a custom
 *   gradient, where nothing is taped) get registered gradients for the linear and ReLU activations, so a
 *   step can tape them directly: the ReLU's mask is one dispatch, the bias's gradient one or two, and each
 *   input's gradient is computed only when the backward pass asks for it (the first conv's input is not).
 * - The loss and its gradient with respect to the logits are one dispatch each, and the count of correct
 *   predictions one.
 */

export const RELU_BACKPROP = 'DeepcorrectReluBackprop';
export const BIAS_GRADIENT = 'DeepcorrectBiasGradient';
export const MEAN_SOFTMAX_CROSS_ENTROPY = 'DeepcorrectMeanSoftmaxCrossEntropy';
export const SOFTMAX_CROSS_ENTROPY_GRAD = 'DeepcorrectSoftmaxCrossEntropyGrad';
export const CORRECT_COUNT = 'DeepcorrectCorrectCount';
/** ReLU whose gradient masks by its output: one dispatch back instead of tfjs's step, cast and product. */
export const RELU = 'DeepcorrectRelu';

type Args = Parameters<tf.KernelFunc>[0];

function input(args: Args, name: string): tf.TensorInfo {
  const t = args.inputs[name];
  if (t === undefined) throw new Error(`webgpu training kernel: missing input ${name}`);
  return t;
}

/** The registry types the backend as {}: kernels registered for 'webgpu' always receive a WebGPUBackend. */
function gpu(args: Args): WebGPUBackend {
  return args.backend as WebGPUBackend;
}

const KERNELS: readonly tf.KernelConfig[] = [
  {
    kernelName: RELU,
    backendName: 'webgpu',
    kernelFunc: (args) => {
      const relu = tf.getKernel('Relu', 'webgpu');
      if (relu === undefined) throw new Error('webgpu backend lacks Relu');
      return relu.kernelFunc(args);
    },
  },
  {
    kernelName: RELU_BACKPROP,
    backendName: 'webgpu',
    kernelFunc: (args) =>
      gpu(args).runWebGPUProgram(
        new ReluBackpropProgram(input(args, 'dy').shape),
        [input(args, 'dy'), input(args, 'y')],
        'float32',
      ),
  },
  {
    // The sum over every axis but the last: a bias's gradient.
    kernelName: BIAS_GRADIENT,
    backendName: 'webgpu',
    kernelFunc: (args) => {
      const backend = gpu(args);
      const dy = input(args, 'dy');
      const [rows, cols] = matrixShape(dy);
      const { splits, chunk } = planColumnSum(rows);
      const partial = backend.runWebGPUProgram(
        new ColumnSumProgram(cols, splits),
        [dy],
        'float32',
        ColumnSumProgram.uniformData(rows, cols, chunk),
      );
      if (splits === 1) return partial;
      const sum = backend.runWebGPUProgram(new SplitSumProgram([cols]), [partial], 'float32', [
        { type: 'int32', data: [splits] },
      ]);
      backend.disposeData(partial.dataId);
      return sum;
    },
  },
  {
    kernelName: MEAN_SOFTMAX_CROSS_ENTROPY,
    backendName: 'webgpu',
    kernelFunc: (args) => {
      const logits = input(args, 'logits');
      const loss = gpu(args).runWebGPUProgram(
        new MeanSoftmaxCrossEntropyProgram(),
        [logits, input(args, 'labels')],
        'float32',
        uniformRowsAndCols(...matrixShape(logits)),
      );
      // The program writes one float; the loss is a scalar.
      return { ...loss, shape: [] };
    },
  },
  {
    kernelName: SOFTMAX_CROSS_ENTROPY_GRAD,
    backendName: 'webgpu',
    kernelFunc: (args) => {
      const logits = input(args, 'logits');
      const [rows, cols] = matrixShape(logits);
      const grad = gpu(args).runWebGPUProgram(
        new SoftmaxCrossEntropyGradProgram(rows, cols),
        [logits, input(args, 'labels'), input(args, 'dy')],
        'float32',
        uniformRowsAndCols(rows, cols),
      );
      return { ...grad, shape: logits.shape };
    },
  },
  {
    kernelName: CORRECT_COUNT,
    backendName: 'webgpu',
    kernelFunc: (args) => {
      const scores = input(args, 'scores');
      const count = gpu(args).runWebGPUProgram(
        new CorrectCountProgram(),
        [scores, input(args, 'labels')],
        'float32',
        uniformRowsAndCols(...matrixShape(scores)),
      );
      return { ...count, shape: [] };
    },
  },
];

type Activation = 'linear' | 'relu';

function activationOf(attrs: tf.NamedAttrMap, kernel: string): Activation {
  const activation = attrs.activation ?? 'linear';
  if (activation === 'linear' || activation === 'relu') return activation as Activation;
  throw new Error(`${kernel}: no gradient for the fused activation ${JSON.stringify(activation)}`);
}

/** dy with the ReLU's mask applied (y being the kernel's output), or dy itself for a linear activation. */
function activationGrad(dy: tf.Tensor, y: tf.Tensor, activation: Activation): tf.Tensor {
  if (activation === 'linear') return dy;
  return tf.engine().runKernel<tf.Tensor>(RELU_BACKPROP, { dy, y });
}

/** The gradient of a bias of one value per output channel (the only bias the fused runners pass). */
function biasGrad(dy: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel<tf.Tensor>(BIAS_GRADIENT, { dy });
}

const GRADIENTS: readonly tf.GradConfig[] = [
  {
    kernelName: 'FusedConv2D',
    // A bias, when there is one, is not saved (an absent input cannot be): its gradient needs only dy.
    inputsToSave: ['x', 'filter'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter, y] = saved;
      if (x === undefined || filter === undefined || y === undefined)
        throw new Error('FusedConv2D gradient: the saved tensors are missing');
      const { strides, pad, dataFormat, dimRoundingMode, dilations } = attrs;
      if (dataFormat !== 'NHWC') throw new Error('FusedConv2D gradient: NHWC only');
      if (dilations !== undefined && [dilations].flat().some((d) => d !== 1))
        throw new Error('FusedConv2D gradient: dilated convolutions are not supported');
      const dyr = activationGrad(dy as tf.Tensor, y, activationOf(attrs, 'FusedConv2D'));
      const convAttrs = { strides, pad, dataFormat, dimRoundingMode } as unknown as tf.NamedAttrMap;
      return {
        x: () =>
          tf.engine().runKernel<tf.Tensor>(
            'Conv2DBackpropInput',
            { dy: dyr, filter },
            {
              ...convAttrs,
              inputShape: x.shape,
            },
          ),
        filter: () =>
          tf.engine().runKernel<tf.Tensor>(
            'Conv2DBackpropFilter',
            { x, dy: dyr },
            {
              ...convAttrs,
              filterShape: filter.shape,
            },
          ),
        bias: () => biasGrad(dyr),
      };
    },
  },
  {
    kernelName: '_FusedMatMul',
    inputsToSave: ['a', 'b'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [a, b, y] = saved;
      if (a === undefined || b === undefined || y === undefined)
        throw new Error('_FusedMatMul gradient: the saved tensors are missing');
      if (attrs.transposeA === true || attrs.transposeB === true)
        throw new Error('_FusedMatMul gradient: transposed operands are not supported');
      const dyr = activationGrad(dy as tf.Tensor, y, activationOf(attrs, '_FusedMatMul'));
      return {
        a: () => tf.matMul(dyr, b, false, true),
        b: () => tf.matMul(a, dyr, true, false),
        bias: () => biasGrad(dyr),
      };
    },
  },
  {
    kernelName: RELU,
    outputsToSave: [true],
    gradFunc: (dy, saved) => {
      const [y] = saved;
      if (y === undefined) throw new Error('ReLU gradient: the saved output is missing');
      return { x: () => activationGrad(dy as tf.Tensor, y, 'relu') };
    },
  },
  {
    kernelName: MEAN_SOFTMAX_CROSS_ENTROPY,
    inputsToSave: ['logits', 'labels'],
    gradFunc: (dy, saved) => {
      const [logits, labels] = saved;
      if (logits === undefined || labels === undefined)
        throw new Error('softmax cross-entropy gradient: the saved tensors are missing');
      return {
        logits: () =>
          tf
            .engine()
            .runKernel<tf.Tensor>(SOFTMAX_CROSS_ENTROPY_GRAD, { logits, labels, dy: dy as tf.Tensor }),
        labels: () => tf.zerosLike(labels),
      };
    },
  },
];

/** The fused training step's own kernels, for the doctor. */
export const TRAINING_KERNEL_NAMES: readonly string[] = [
  ...KERNELS.map((k) => k.kernelName),
  ...BATCH_NORM_KERNEL_NAMES,
];

/** Registers the fused training step's kernels for webgpu and the gradients it relies on. Idempotent. */
export function registerTrainingKernels(): void {
  registerBatchNormKernels();
  for (const kernel of KERNELS)
    if (tf.getKernel(kernel.kernelName, 'webgpu') === undefined) tf.registerKernel(kernel);
  for (const gradient of GRADIENTS)
    if (tf.getGradient(gradient.kernelName) === undefined) tf.registerGradient(gradient);
}

/** Whether the kernels of the fused training step exist for the backend now in use. */
export function trainingKernelsAvailable(): boolean {
  return (
    tf.getBackend() === 'webgpu' &&
    tf.getKernel(MEAN_SOFTMAX_CROSS_ENTROPY, 'webgpu') !== undefined &&
    tf.getGradient('FusedConv2D') !== undefined
  );
}
