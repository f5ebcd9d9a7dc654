import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { FlatProgram } from './small-programs.ts';

/*
 * A trained batch norm over the last axis (NHWC), x read as [rows, channels]: the programs of its training
 * step on webgpu (training-kernels.ts), where tfjs's ops take some 38 dispatches per layer. The arithmetic is
 * train/training-forward.ts's trainedBatchNorm, which tfjs runs on every other backend:
 *   mean = sum(x) / n, var = sum((x - mean)^2) / n, r = 1 / sqrt(var + eps), y = (x - mean) * (gamma r) + beta
 *   dx = gamma r dy - gamma r^3 (x - mean) sum(dy (x - mean)) / n - gamma r sum(dy) / n
 * Channel sums go through ChannelSumsProgram (partial sums per split of the rows, folded by SplitSumProgram).
 */

/** What a ChannelSumsProgram adds up per channel, and the inputs it reads for it. */
export type ChannelSumKind =
  /** sum(x): inputs x */
  | 'x'
  /** sum((x - mean)^2), mean = sumX / rows: inputs x, sumX */
  | 'centred-square'
  /** sum(dy) then sum(dy (x - mean)), two rows of output: inputs dy, x, sumX */
  | 'backward';

const INPUTS: Record<ChannelSumKind, string[]> = {
  x: ['x'],
  'centred-square': ['x', 'sumX'],
  backward: ['dy', 'x', 'sumX'],
};

/** How many sums per channel each kind writes. */
export function sumsOf(kind: ChannelSumKind): number {
  return kind === 'backward' ? 2 : 1;
}

/**
 * partial[s, k, c]: the k-th sum of the kind over the rows of split s, for channel c; one thread per channel
 * and split, neighbouring threads reading neighbouring channels of a row. With one split the output is the
 * sums themselves, [k, c].
 */
export class ChannelSumsProgram implements WebGPUProgram {
  shaderKey: string;
  variableNames: string[];
  outputShape: number[];
  dispatchLayout = { x: [1], y: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  uniforms = 'rows : i32, cols : i32, chunk : i32,';

  constructor(
    private readonly kind: ChannelSumKind,
    cols: number,
    splits: number,
  ) {
    const k = sumsOf(kind);
    this.variableNames = INPUTS[kind];
    this.outputShape = splits === 1 ? [k, cols] : [splits, k, cols];
    this.dispatch = [Math.ceil(cols / this.workgroupSize[0]), splits, 1];
    this.shaderKey = `dcChannelSums_${kind}`;
  }

  getUserCode(): string {
    const mean = this.kind === 'x' ? '' : 'let mean = sumX[c] / f32(uniforms.rows);';
    const body: Record<ChannelSumKind, string> = {
      x: 'a = a + x[i];',
      'centred-square': 'let d = x[i] - mean; a = a + d * d;',
      backward: 'let g = dy[i]; a = a + g; b = b + g * (x[i] - mean);',
    };
    const store =
      this.kind === 'backward'
        ? `setOutputAtIndex(base + c, a);
    setOutputAtIndex(base + uniforms.cols + c, b);`
        : 'setOutputAtIndex(base + c, a);';
    return `
fn main() {
  let c = i32(workgroupId.x) * ${this.workgroupSize[0]} + i32(localId.x);
  let s = i32(workgroupId.y);
  if (c < uniforms.cols) {
    ${mean}
    let start = s * uniforms.chunk;
    let end = min(uniforms.rows, start + uniforms.chunk);
    var a = 0.0;
    var b = 0.0;
    for (var r = start; r < end; r = r + 1) {
      let i = r * uniforms.cols + c;
      ${body[this.kind]}
    }
    let base = s * ${sumsOf(this.kind)} * uniforms.cols;
    ${store}
  }
}`;
  }
}

/** WGSL: the channel's mean and 1 / sqrt(var + eps) from the sums, for element `index` of x as [rows, cols]. */
const CHANNEL_STATS = `
  let c = index % uniforms.cols;
  let n = f32(uniforms.rows);
  let mean = sumX[c] / n;
  let r = inverseSqrt(sq[c] / n + uniforms.eps);`;

/** y = (x - mean) * (gamma r) + beta. */
export class BatchNormForwardProgram extends FlatProgram {
  shaderKey = 'dcBatchNormForward';
  variableNames = ['x', 'sumX', 'sq', 'gamma', 'beta'];
  uniforms = 'rows : i32, cols : i32, eps : f32,';

  getUserCode(): string {
    return `
fn main(index : i32) {
  if (index < uniforms.size) {
    ${CHANNEL_STATS}
    setOutputAtIndex(index, (x[index] - mean) * (gamma[c] * r) + beta[c]);
  }
}`;
  }
}

/** dx = dy * gr + (x - mean) * k + b, with gr = gamma r, k = -gr r^2 sum(dy xc) / n, b = -gr sum(dy) / n. */
export class BatchNormInputGradProgram extends FlatProgram {
  shaderKey = 'dcBatchNormInputGrad';
  variableNames = ['dy', 'x', 'sumX', 'sq', 'gamma', 'sums'];
  uniforms = 'rows : i32, cols : i32, eps : f32,';

  getUserCode(): string {
    return `
fn main(index : i32) {
  if (index < uniforms.size) {
    ${CHANNEL_STATS}
    let gr = gamma[c] * r;
    let k = -(gr * (r * r) * sums[uniforms.cols + c]) / n;
    let b = -(gr * sums[c]) / n;
    setOutputAtIndex(index, dy[index] * gr + (x[index] - mean) * k + b);
  }
}`;
  }
}

/**
 * Per channel: dgamma = sum(dy xc) r, or dbeta = sum(dy). dbeta reads no sq: a binding the shader does not
 * use is dropped from its layout, and binding it anyway fails the dispatch.
 */
export class BatchNormParamGradProgram extends FlatProgram {
  shaderKey: string;
  variableNames: string[];
  uniforms = 'rows : i32, cols : i32, eps : f32,';

  constructor(
    cols: number,
    private readonly which: 'gamma' | 'beta',
  ) {
    super([cols]);
    this.variableNames = which === 'gamma' ? ['sums', 'sq'] : ['sums'];
    this.shaderKey = `dcBatchNormParamGrad_${which}`;
  }

  getUserCode(): string {
    const value =
      this.which === 'beta'
        ? 'sums[index]'
        : 'sums[uniforms.cols + index] * inverseSqrt(sq[index] / f32(uniforms.rows) + uniforms.eps)';
    return `
fn main(index : i32) {
  if (index < uniforms.size) {
    setOutputAtIndex(index, ${value});
  }
}`;
  }
}

/** moving - (moving - batch) * (1 - momentum), batch = sums / rows: tfjs-layers' update of a moving statistic. */
export class MovingAverageProgram extends FlatProgram {
  shaderKey = 'dcMovingAverage';
  variableNames = ['moving', 'sums'];
  uniforms = 'rows : i32, decay : f32,';

  getUserCode(): string {
    return `
fn main(index : i32) {
  if (index < uniforms.size) {
    let old = moving[index];
    setOutputAtIndex(index, old - (old - sums[index] / f32(uniforms.rows)) * uniforms.decay);
  }
}`;
  }
}
