import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

/** One thread per output element over a flat dispatch, the package's own convention for elementwise work. */
export abstract class FlatProgram implements WebGPUProgram {
  abstract shaderKey: string;
  abstract variableNames: string[];
  abstract getUserCode(): string;
  outputShape: number[];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  variableComponents?: number[];
  outputComponent = 1;
  size = true;

  constructor(outputShape: number[]) {
    this.outputShape = outputShape;
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    const size = outputShape.reduce((a, b) => a * b, 1);
    this.dispatch = [Math.ceil(size / this.workgroupSize[0]), 1, 1];
  }
}

/** out[i] = sum over s of partial[s, i]: folds the split-K slices of FilterGradProgram into dW. */
export class SplitSumProgram extends FlatProgram {
  shaderKey = 'dcSplitSum';
  variableNames = ['partial'];
  uniforms = 'splits : i32,';

  getUserCode(): string {
    return `
fn main(index : i32) {
  if (index < uniforms.size) {
    var s = 0.0;
    for (var p = 0; p < uniforms.splits; p = p + 1) {
      s = s + partial[p * uniforms.size + index];
    }
    setOutputAtIndex(index, s);
  }
}`;
  }
}

/**
 * W'[ky,kx,o,i] = W[kh-1-ky, kw-1-kx, i, o]: the flipped, in/out-swapped filter that turns an
 * input gradient into a forward convolution of dy.
 */
export class FlipSwapFilterProgram extends FlatProgram {
  shaderKey = 'dcFlipSwapFilter';
  variableNames = ['w'];

  constructor(filterShape: [number, number, number, number]) {
    const [kh, kw, ci, co] = filterShape;
    super([kh, kw, co, ci]);
  }

  getUserCode(): string {
    return `
fn main(index : i32) {
  if (index < uniforms.size) {
    let c = getCoordsFromIndex(index);
    setOutputAtIndex(index, getW(uniforms.wShape.x - 1 - c.x, uniforms.wShape.y - 1 - c.y, c.w, c.z));
  }
}`;
  }
}
