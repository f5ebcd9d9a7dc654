import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import {
  BatchNormForwardProgram,
  BatchNormInputGradProgram,
  BatchNormParamGradProgram,
  ChannelSumsProgram,
  MovingAverageProgram,
  sumsOf,
  type ChannelSumKind,
} from './batch-norm-programs.ts';
import { SplitSumProgram } from './small-programs.ts';
import { matrixShape, planColumnSum } from './training-programs.ts';

/*
 * The kernels of a trained batch norm's training step on webgpu (train/fused-batch-norm.ts runs them inside
 * its custom gradient): per layer about 12 dispatches instead of tfjs's 38 for the same arithmetic.
 */

export const CHANNEL_SUMS = 'DeepcorrectChannelSums';
export const BATCH_NORM_FORWARD = 'DeepcorrectBatchNormForward';
export const BATCH_NORM_INPUT_GRAD = 'DeepcorrectBatchNormInputGrad';
export const BATCH_NORM_PARAM_GRAD = 'DeepcorrectBatchNormParamGrad';
export const MOVING_AVERAGE = 'DeepcorrectMovingAverage';

type Args = Parameters<tf.KernelFunc>[0];

function inputs(args: Args, names: string[]): tf.TensorInfo[] {
  return names.map((name) => {
    const t = args.inputs[name];
    if (t === undefined) throw new Error(`webgpu batch-norm kernel: missing input ${name}`);
    return t;
  });
}

/** The registry types the backend as {}: kernels registered for 'webgpu' always receive a WebGPUBackend. */
function gpu(args: Args): WebGPUBackend {
  return args.backend as WebGPUBackend;
}

function int(value: number): { type: 'int32'; data: number[] } {
  return { type: 'int32', data: [value] };
}

function float(value: number): { type: 'float32'; data: number[] } {
  return { type: 'float32', data: [value] };
}

function channelSums(args: Args): tf.TensorInfo {
  const backend = gpu(args);
  const kind = args.attrs?.kind as ChannelSumKind;
  const program0 = new ChannelSumsProgram(kind, 1, 1);
  const ins = inputs(args, program0.variableNames);
  const [rows, cols] = matrixShape(ins[kind === 'backward' ? 1 : 0] as tf.TensorInfo);
  const { splits, chunk } = planColumnSum(rows);
  const k = sumsOf(kind);
  const partial = backend.runWebGPUProgram(new ChannelSumsProgram(kind, cols, splits), ins, 'float32', [
    int(rows),
    int(cols),
    int(chunk),
  ]);
  let sums = partial;
  if (splits > 1) {
    sums = backend.runWebGPUProgram(new SplitSumProgram([k, cols]), [partial], 'float32', [int(splits)]);
    backend.disposeData(partial.dataId);
  }
  return { ...sums, shape: k === 1 ? [cols] : [k, cols] };
}

const KERNELS: readonly tf.KernelConfig[] = [
  { kernelName: CHANNEL_SUMS, backendName: 'webgpu', kernelFunc: channelSums },
  {
    kernelName: BATCH_NORM_FORWARD,
    backendName: 'webgpu',
    kernelFunc: (args) => {
      const ins = inputs(args, ['x', 'sumX', 'sq', 'gamma', 'beta']);
      const x = ins[0] as tf.TensorInfo;
      const [rows, cols] = matrixShape(x);
      return gpu(args).runWebGPUProgram(new BatchNormForwardProgram(x.shape), ins, 'float32', [
        int(rows),
        int(cols),
        float(Number(args.attrs?.epsilon)),
      ]);
    },
  },
  {
    kernelName: BATCH_NORM_INPUT_GRAD,
    backendName: 'webgpu',
    kernelFunc: (args) => {
      const ins = inputs(args, ['dy', 'x', 'sumX', 'sq', 'gamma', 'sums']);
      const x = ins[1] as tf.TensorInfo;
      const [rows, cols] = matrixShape(x);
      return gpu(args).runWebGPUProgram(new BatchNormInputGradProgram(x.shape), ins, 'float32', [
        int(rows),
        int(cols),
        float(Number(args.attrs?.epsilon)),
      ]);
    },
  },
  {
    kernelName: BATCH_NORM_PARAM_GRAD,
    backendName: 'webgpu',
    kernelFunc: (args) => {
      const which = args.attrs?.which === 'gamma' ? 'gamma' : 'beta';
      const sums = inputs(args, ['sums'])[0] as tf.TensorInfo;
      const cols = sums.shape[1] ?? 1;
      const program = new BatchNormParamGradProgram(cols, which);
      return gpu(args).runWebGPUProgram(program, inputs(args, program.variableNames), 'float32', [
        int(Number(args.attrs?.rows)),
        int(cols),
        float(Number(args.attrs?.epsilon)),
      ]);
    },
  },
  {
    kernelName: MOVING_AVERAGE,
    backendName: 'webgpu',
    kernelFunc: (args) => {
      const ins = inputs(args, ['moving', 'sums']);
      const moving = ins[0] as tf.TensorInfo;
      return gpu(args).runWebGPUProgram(new MovingAverageProgram(moving.shape), ins, 'float32', [
        int(Number(args.attrs?.rows)),
        float(1 - Number(args.attrs?.momentum)),
      ]);
    },
  },
];

export const BATCH_NORM_KERNEL_NAMES: readonly string[] = KERNELS.map((k) => k.kernelName);

/** Registers the batch-norm training kernels for webgpu. Idempotent. */
export function registerBatchNormKernels(): void {
  for (const kernel of KERNELS)
    if (tf.getKernel(kernel.kernelName, 'webgpu') === undefined) tf.registerKernel(kernel);
}
