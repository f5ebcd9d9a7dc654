import { backend_util, util, type TensorInfo } from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { ConvGemmProgram, type ConvGemmShape } from './conv-gemm-program.ts';
import { FilterGradProgram, type FilterGradShape } from './filter-grad-program.ts';
import { FUSABLE_ACTIVATIONS, tileForColumns, type Activation, type Tile } from './gemm-core.ts';
import { FlipSwapFilterProgram, SplitSumProgram } from './small-programs.ts';
import { countRun } from './stats.ts';

type Shape4 = [number, number, number, number];

/** WebGPU's guaranteed limit on workgroups along one dispatch axis. */
const MAX_WORKGROUPS = 65535;

/**
 * Whether the project's programs handle this convolution: NHWC, no dilation, and few enough row
 * tiles for one dispatch axis. Anything else goes to the package's own kernel.
 */
export function handles(info: backend_util.Conv2DInfo, rows: number): boolean {
  return (
    info.dataFormat === 'channelsLast' &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    Math.ceil(rows / 128) <= MAX_WORKGROUPS
  );
}

export interface Fusion {
  bias?: TensorInfo;
  activation: Activation;
  leakyreluAlpha?: number;
}

export type BiasMode = 'none' | 'channel' | 'scalar';

/** How a bias broadcasts over the output channels, or null when the project's program cannot add it. */
export function biasMode(bias: TensorInfo | undefined, outChannels: number): BiasMode | null {
  if (bias === undefined) return 'none';
  const size = util.sizeFromShape(bias.shape);
  if (size === 1) return 'scalar';
  if (size === outChannels && bias.shape[bias.shape.length - 1] === outChannels) return 'channel';
  return null;
}

/** y = act(conv(x, filter) + bias). */
export function runConvForward(
  backend: WebGPUBackend,
  x: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
  fusion: Fusion = { activation: 'linear' },
): TensorInfo {
  const n = info.outChannels;
  const bias = biasMode(fusion.bias, n);
  if (bias === null) throw new Error('runConvForward: bias does not broadcast over the output channels');
  const shape: ConvGemmShape = {
    inShape: x.shape as Shape4,
    outShape: info.outShape,
    filter: [info.filterHeight, info.filterWidth],
    stride: [info.strideHeight, info.strideWidth],
    pad: [info.padInfo.top, info.padInfo.left],
  };
  const program = new ConvGemmProgram(
    {
      tile: tileForColumns(n),
      dilation: [1, 1],
      vec4: n % 4 === 0,
      vec4X: info.inChannels % 4 === 0,
      fused: bias !== 'none' || fusion.activation !== 'linear',
      hasBias: bias !== 'none',
    },
    shape,
  );
  const inputs = fusion.bias === undefined ? [x, filter] : [x, filter, fusion.bias];
  countRun('forward');
  return backend.runWebGPUProgram(
    program,
    inputs,
    'float32',
    ConvGemmProgram.uniformData(shape, {
      biasStride: bias === 'channel' ? 1 : 0,
      activation: FUSABLE_ACTIVATIONS.indexOf(fusion.activation),
      alpha: fusion.leakyreluAlpha ?? 0,
    }),
  );
}

/**
 * dx: dy, zero-dilated by the stride, convolved (stride 1) with the flipped, in/out-swapped filter;
 * the dilation is virtual (the program skips the zeros' addresses), so nothing is materialised but
 * the small swapped filter.
 */
export function runConvBackpropInput(
  backend: WebGPUBackend,
  dy: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const swapped = backend.runWebGPUProgram(
    new FlipSwapFilterProgram(filter.shape as Shape4),
    [filter],
    'float32',
  );
  const n = info.inChannels;
  const { filterHeight: kh, filterWidth: kw } = info;
  const shape: ConvGemmShape = {
    inShape: dy.shape as Shape4,
    outShape: [info.batchSize, info.inHeight, info.inWidth, n],
    filter: [kh, kw],
    stride: [1, 1],
    pad: [kh - 1 - info.padInfo.top, kw - 1 - info.padInfo.left],
  };
  const program = new ConvGemmProgram(
    {
      tile: tileForColumns(n),
      dilation: [info.strideHeight, info.strideWidth],
      vec4: n % 4 === 0,
      vec4X: info.outChannels % 4 === 0,
      fused: false,
      hasBias: false,
    },
    shape,
  );
  countRun('input-gradient');
  const dx = backend.runWebGPUProgram(program, [dy, swapped], 'float32', ConvGemmProgram.uniformData(shape));
  backend.disposeData(swapped.dataId);
  return dx;
}

export interface SplitOptions {
  /** Workgroups to aim for: a few per compute unit of a large GPU. */
  targetWorkgroups: number;
  /** Fewest reduction rows one workgroup walks (rounded up to the tile depth). */
  minChunk: number;
  /** Largest partial buffer, in floats. */
  maxPartial: number;
}

export const DEFAULT_SPLIT: SplitOptions = { targetWorkgroups: 1024, minChunk: 512, maxPartial: 1 << 24 };

/** How to cut the reduction of a filter gradient (M x N outputs, R rows) across workgroups. */
export function planSplits(
  m: number,
  n: number,
  r: number,
  tile: Tile,
  options: SplitOptions = DEFAULT_SPLIT,
): { splits: number; chunk: number } {
  if (r === 0) return { splits: 1, chunk: tile.bk };
  const tiles = Math.ceil(m / tile.bm) * Math.ceil(n / tile.bn);
  const wanted = Math.min(
    Math.ceil(options.targetWorkgroups / tiles),
    Math.ceil(r / Math.max(1, options.minChunk)),
    Math.floor(options.maxPartial / (m * n)),
    MAX_WORKGROUPS,
  );
  const chunk = Math.ceil(r / Math.max(1, wanted) / tile.bk) * tile.bk;
  return { splits: Math.ceil(r / chunk), chunk };
}

/** dW = sum over (b, oy, ox) of im2col(x) x dy, split along the reduction and folded by SplitSumProgram. */
export function runConvBackpropFilter(
  backend: WebGPUBackend,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
  options: SplitOptions = DEFAULT_SPLIT,
): TensorInfo {
  const { filterHeight: kh, filterWidth: kw, inChannels: c, outChannels: n } = info;
  const tile = tileForColumns(n);
  const m = kh * kw * c;
  const r = info.batchSize * info.outHeight * info.outWidth;
  const { splits, chunk } = planSplits(m, n, r, tile, options);
  const shape: FilterGradShape = {
    inShape: x.shape as Shape4,
    dyShape: dy.shape as Shape4,
    filter: [kh, kw],
    stride: [info.strideHeight, info.strideWidth],
    pad: [info.padInfo.top, info.padInfo.left],
    splits,
    chunk,
  };
  const program = new FilterGradProgram({ tile, vec4X: c % 4 === 0, vec4N: n % 4 === 0 }, shape);
  countRun('filter-gradient');
  const partial = backend.runWebGPUProgram(program, [x, dy], 'float32', FilterGradProgram.uniformData(shape));
  if (splits === 1) return partial;
  const dW = backend.runWebGPUProgram(new SplitSumProgram([kh, kw, c, n]), [partial], 'float32', [
    { type: 'int32', data: [splits] },
  ]);
  backend.disposeData(partial.dataId);
  return dW;
}
