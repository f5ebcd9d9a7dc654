import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { FUSABLE_ACTIVATIONS, type Activation } from './gemm-core.ts';
import {
  biasMode,
  handles,
  runConvBackpropFilter,
  runConvBackpropInput,
  runConvForward,
} from './conv-run.ts';
import { MaxPoolTiledGradProgram } from './pool-grad-program.ts';
import { countRun } from './stats.ts';

type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;
type Pair = [number, number] | number;

interface ConvAttrs {
  strides: Pair;
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
  dilations?: Pair;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function info(
  xShape: number[],
  filterShape: number[],
  attrs: ConvAttrs,
  dilations: Pair = attrs.dilations ?? 1,
): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
}

type Args = Parameters<KernelFunc>[0];

function parts(args: Args): { inputs: Record<string, TensorInfo | undefined>; backend: WebGPUBackend } {
  // The registry types the backend as {}: kernels registered for 'webgpu' always receive a WebGPUBackend.
  return { inputs: args.inputs, backend: args.backend as WebGPUBackend };
}

function required(inputs: Record<string, TensorInfo | undefined>, name: string): TensorInfo {
  const t = inputs[name];
  if (t === undefined) throw new Error(`webgpu convolution kernel: missing input ${name}`);
  return t;
}

/** Each factory takes the package's kernel, called for the configurations the project leaves to it. */
export type KernelFactory = (original: KernelConfig) => KernelConfig;

export const conv2D: KernelFactory = (original) => ({
  kernelName: 'Conv2D',
  backendName: 'webgpu',
  kernelFunc: (args) => {
    const { inputs, backend } = parts(args);
    const x = required(inputs, 'x');
    const filter = required(inputs, 'filter');
    const conv = info(x.shape, filter.shape, args.attrs as unknown as ConvAttrs);
    if (!handles(conv, conv.batchSize * conv.outHeight * conv.outWidth)) return original.kernelFunc(args);
    return runConvForward(backend, x, filter, conv);
  },
});

interface FusedAttrs extends ConvAttrs {
  activation?: string;
  leakyreluAlpha?: number;
}

/** Conv2D + bias + activation in one program; PReLU and unusual bias shapes go to the package. */
export const fusedConv2D: KernelFactory = (original) => ({
  kernelName: 'FusedConv2D',
  backendName: 'webgpu',
  kernelFunc: (args) => {
    const { inputs, backend } = parts(args);
    const x = required(inputs, 'x');
    const filter = required(inputs, 'filter');
    const attrs = args.attrs as unknown as FusedAttrs;
    const activation = (attrs.activation ?? 'linear') as Activation;
    const conv = info(x.shape, filter.shape, attrs);
    const bias = inputs.bias ?? undefined;
    if (
      !handles(conv, conv.batchSize * conv.outHeight * conv.outWidth) ||
      !FUSABLE_ACTIVATIONS.includes(activation) ||
      inputs.preluActivationWeights != null ||
      biasMode(bias, conv.outChannels) === null
    )
      return original.kernelFunc(args);
    return runConvForward(backend, x, filter, conv, {
      bias,
      activation,
      leakyreluAlpha: attrs.leakyreluAlpha ?? 0.2,
    });
  },
});

export const conv2DBackpropInput: KernelFactory = (original) => ({
  kernelName: 'Conv2DBackpropInput',
  backendName: 'webgpu',
  kernelFunc: (args) => {
    const { inputs, backend } = parts(args);
    const dy = required(inputs, 'dy');
    const filter = required(inputs, 'filter');
    const attrs = args.attrs as unknown as ConvAttrs & { inputShape: number[] };
    const conv = info(attrs.inputShape, filter.shape, attrs);
    if (!handles(conv, conv.batchSize * conv.inHeight * conv.inWidth)) return original.kernelFunc(args);
    return runConvBackpropInput(backend, dy, filter, conv);
  },
});

export const conv2DBackpropFilter: KernelFactory = (original) => ({
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'webgpu',
  kernelFunc: (args) => {
    const { inputs, backend } = parts(args);
    const x = required(inputs, 'x');
    const dy = required(inputs, 'dy');
    const attrs = args.attrs as unknown as ConvAttrs & { filterShape: number[] };
    const conv = info(x.shape, attrs.filterShape, attrs);
    if (!handles(conv, 0)) return original.kernelFunc(args);
    return runConvBackpropFilter(backend, x, dy, conv);
  },
});

interface PoolAttrs {
  filterSize: Pair;
  strides: Pair;
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** MaxPoolGrad in one pass where the windows tile the input (pool-grad-program.ts); else the package's. */
export const maxPoolGrad: KernelFactory = (original) => ({
  kernelName: 'MaxPoolGrad',
  backendName: 'webgpu',
  kernelFunc: (args) => {
    const { inputs, backend } = parts(args);
    const dy = required(inputs, 'dy');
    const x = required(inputs, 'input');
    const attrs = args.attrs as unknown as PoolAttrs;
    const pool = backend_util.computePool2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterSize,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const tiled =
      pool.strideHeight === pool.filterHeight &&
      pool.strideWidth === pool.filterWidth &&
      pool.padInfo.top === 0 &&
      pool.padInfo.left === 0 &&
      pool.outHeight * pool.filterHeight <= pool.inHeight &&
      pool.outWidth * pool.filterWidth <= pool.inWidth &&
      pool.dataFormat === 'channelsLast';
    if (!tiled) return original.kernelFunc(args);
    countRun('pool-gradient');
    return backend.runWebGPUProgram(new MaxPoolTiledGradProgram(x.shape), [dy, x], 'float32', [
      { type: 'int32', data: [pool.filterHeight, pool.filterWidth] },
    ]);
  },
});
