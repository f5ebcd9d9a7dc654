import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { FlatProgram } from './small-programs.ts';

/*
 * Small WGSL programs of a training step that tfjs runs as chains of elementwise kernels: the ReLU's
 * backward mask, a bias's gradient (a column sum), and the softmax cross-entropy with its gradient and the
 * count of correct predictions. Each replaces 2 to 20 dispatches by one or two (training-kernels.ts).
 */

/** Rows a ColumnSumProgram workgroup walks at least, before the sum is split across more workgroups. */
const ROWS_PER_SPLIT = 256;
/** Most partial sums a column gets (their fold is one more pass over splits x columns floats). */
const MAX_SPLITS = 1024;

/** dx = dy where y > 0, else 0: ReLU's gradient from its output (y > 0 exactly where its input was). */
export class ReluBackpropProgram extends FlatProgram {
  shaderKey: string;
  variableNames = ['dy', 'y'];

  constructor(shape: number[]) {
    super(shape);
    const size = shape.reduce((a, b) => a * b, 1);
    const lanes = size % 4 === 0 ? 4 : 1;
    this.dispatch = [Math.ceil(size / lanes / this.workgroupSize[0]), 1, 1];
    this.variableComponents = [lanes, lanes];
    this.outputComponent = lanes;
    this.shaderKey = `dcReluBackprop_${lanes}`;
  }

  getUserCode(): string {
    const zero = this.outputComponent === 4 ? 'vec4<f32>(0.0)' : '0.0';
    return `
fn main(index : i32) {
  if (index < uniforms.size) {
    setOutputAtIndex(index, select(${zero}, dy[index], y[index] > ${zero}));
  }
}`;
  }
}

/**
 * The uniforms `rows : i32, cols : i32,`: one entry each, since tfjs lays an entry of n values out as a vector
 * (aligned as WGSL aligns a vecN), not as n consecutive scalars.
 */
export function rowsAndCols(rows: number, cols: number): Array<{ type: 'int32'; data: number[] }> {
  return [
    { type: 'int32', data: [rows] },
    { type: 'int32', data: [cols] },
  ];
}

/** A tensor (any rank, channels or classes last) as the [rows, cols] matrix these programs read. */
export function matrixShape(t: { shape: number[] }): [number, number] {
  const cols = t.shape[t.shape.length - 1] ?? 1;
  return [t.shape.reduce((a, b) => a * b, 1) / cols, cols];
}

/** How a column sum over `rows` rows is cut: `splits` partial sums of `chunk` rows each. */
export function planColumnSum(rows: number): { splits: number; chunk: number } {
  const splits = Math.max(1, Math.min(MAX_SPLITS, Math.ceil(rows / ROWS_PER_SPLIT)));
  return { splits, chunk: Math.ceil(rows / splits) };
}

/**
 * partial[s, c] = sum of x[r, c] over the rows r of split s, x read as a row-major [rows, cols] matrix: one
 * thread per column and split, neighbouring threads reading neighbouring columns of a row. With one split the
 * output is the column sum itself; with more, SplitSumProgram folds them.
 */
export class ColumnSumProgram implements WebGPUProgram {
  shaderKey = 'dcColumnSum';
  variableNames = ['x'];
  outputShape: number[];
  dispatchLayout = { x: [1], y: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  uniforms = 'rows : i32, cols : i32, chunk : i32,';

  constructor(cols: number, splits: number) {
    this.outputShape = splits === 1 ? [cols] : [splits, cols];
    this.dispatch = [Math.ceil(cols / this.workgroupSize[0]), splits, 1];
  }

  static uniformData(rows: number, cols: number, chunk: number): Array<{ type: 'int32'; data: number[] }> {
    return rowsAndCols(rows, cols).concat({ type: 'int32', data: [chunk] });
  }

  getUserCode(): string {
    return `
fn main() {
  let c = i32(workgroupId.x) * ${this.workgroupSize[0]} + i32(localId.x);
  let s = i32(workgroupId.y);
  if (c < uniforms.cols) {
    let start = s * uniforms.chunk;
    let end = min(uniforms.rows, start + uniforms.chunk);
    var sum = 0.0;
    for (var r = start; r < end; r = r + 1) {
      sum = sum + x[r * uniforms.cols + c];
    }
    setOutputAtIndex(s * uniforms.cols + c, sum);
  }
}`;
  }
}

/** WGSL for row r's softmax statistics over logits: its maximum m and sum of exp(logit - m). */
const ROW_SOFTMAX = `
fn rowMax(base : i32) -> f32 {
  var m = logits[base];
  for (var j = 1; j < uniforms.cols; j = j + 1) {
    m = max(m, logits[base + j]);
  }
  return m;
}

fn rowExpSum(base : i32, m : f32) -> f32 {
  var s = 0.0;
  for (var j = 0; j < uniforms.cols; j = j + 1) {
    s = s + exp(logits[base + j] - m);
  }
  return s;
}`;

/** The probability clip of the loss (trainingLoss's crossEntropy): log(p) is taken of p in [1e-7, 1 - 1e-7]. */
const CLIP = { low: '1e-7', high: '(1.0 - 1e-7)' };

/** Largest workgroup of the single-workgroup reductions below. */
const REDUCE_THREADS = 256;

/** WGSL: the sum of every thread's value in a workgroup of REDUCE_THREADS, by halves in workgroup memory. */
const WORKGROUP_SUM = `
var<workgroup> partial : array<f32, ${REDUCE_THREADS}>;

fn workgroupSum(value : f32) -> f32 {
  partial[localIndex] = value;
  workgroupBarrier();
  for (var half = ${REDUCE_THREADS / 2}u; half > 0u; half = half / 2u) {
    if (localIndex < half) {
      partial[localIndex] = partial[localIndex] + partial[localIndex + half];
    }
    workgroupBarrier();
  }
  return partial[0];
}`;

/** A reduction of a [rows, cols] input to one value by a single workgroup (WORKGROUP_SUM). */
abstract class OneWorkgroupProgram implements WebGPUProgram {
  abstract shaderKey: string;
  abstract variableNames: string[];
  abstract getUserCode(): string;
  outputShape = [1];
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number] = [1, 1, 1];
  workgroupSize: [number, number, number] = [REDUCE_THREADS, 1, 1];
  uniforms = 'rows : i32, cols : i32,';
}

/**
 * loss = -mean over rows of sum_j labels[r, j] * log(clip(softmax(logits[r])_j, 1e-7, 1 - 1e-7)): the
 * clipped categorical cross-entropy of a softmax output, computed from the logits. One workgroup: each
 * thread takes every 256th row, then a tree sum in workgroup memory.
 */
export class MeanSoftmaxCrossEntropyProgram extends OneWorkgroupProgram {
  shaderKey = 'dcMeanSoftmaxCrossEntropy';
  variableNames = ['logits', 'labels'];

  getUserCode(): string {
    return `
${ROW_SOFTMAX}
${WORKGROUP_SUM}

// A flat dispatch layout calls main with the global index; one workgroup uses localIndex instead.
fn main(index : i32) {
  var acc = 0.0;
  for (var r = i32(localIndex); r < uniforms.rows; r = r + ${REDUCE_THREADS}) {
    let base = r * uniforms.cols;
    let m = rowMax(base);
    let s = rowExpSum(base, m);
    var row = 0.0;
    for (var j = 0; j < uniforms.cols; j = j + 1) {
      let p = exp(logits[base + j] - m) / s;
      row = row + labels[base + j] * log(clamp(p, ${CLIP.low}, ${CLIP.high}));
    }
    acc = acc - row;
  }
  let total = workgroupSum(acc);
  if (localIndex == 0u) {
    setOutputAtIndex(0, total / f32(uniforms.rows));
  }
}`;
  }
}

/**
 * The loss's gradient with respect to the logits, the chain tfjs differentiates term by term folded into
 * one pass per row: with p = softmax(logits[r]) and g_j = -dy / rows * labels[r, j] / p_j where the clip
 * passes p_j (0 where it clips), dlogits[r, j] = p_j * (g_j - sum_k g_k p_k).
 */
export class SoftmaxCrossEntropyGradProgram implements WebGPUProgram {
  shaderKey = 'dcSoftmaxCrossEntropyGrad';
  variableNames = ['logits', 'labels', 'dy'];
  outputShape: number[];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  uniforms = 'rows : i32, cols : i32,';

  constructor(rows: number, cols: number) {
    this.outputShape = [rows, cols];
    this.dispatchLayout = { x: [0, 1] };
    this.dispatch = [Math.ceil(rows / this.workgroupSize[0]), 1, 1];
  }

  getUserCode(): string {
    return `
${ROW_SOFTMAX}

fn gradOfP(p : f32, label : f32, scale : f32) -> f32 {
  return select(0.0, scale * label / p, p >= ${CLIP.low} && p <= ${CLIP.high});
}

fn main(r : i32) {
  if (r < uniforms.rows) {
    let base = r * uniforms.cols;
    let m = rowMax(base);
    let s = rowExpSum(base, m);
    let scale = -dy[0] / f32(uniforms.rows);
    var dot = 0.0;
    for (var j = 0; j < uniforms.cols; j = j + 1) {
      let p = exp(logits[base + j] - m) / s;
      dot = dot + gradOfP(p, labels[base + j], scale) * p;
    }
    for (var j = 0; j < uniforms.cols; j = j + 1) {
      let p = exp(logits[base + j] - m) / s;
      setOutputAtIndex(base + j, p * (gradOfP(p, labels[base + j], scale) - dot));
    }
  }
}`;
  }
}

/**
 * How many rows of scores have their (first) largest entry where the one-hot labels have theirs: the
 * training step's count of correct predictions, as a float32 scalar. One workgroup, as above.
 */
export class CorrectCountProgram extends OneWorkgroupProgram {
  shaderKey = 'dcCorrectCount';
  variableNames = ['scores', 'labels'];

  getUserCode(): string {
    return `
${WORKGROUP_SUM}

fn main(index : i32) {
  var hits = 0.0;
  for (var r = i32(localIndex); r < uniforms.rows; r = r + ${REDUCE_THREADS}) {
    let base = r * uniforms.cols;
    var best = 0;
    var label = 0;
    for (var j = 1; j < uniforms.cols; j = j + 1) {
      if (scores[base + j] > scores[base + best]) { best = j; }
      if (labels[base + j] > labels[base + label]) { label = j; }
    }
    hits = hits + select(0.0, 1.0, best == label);
  }
  let total = workgroupSum(hits);
  if (localIndex == 0u) {
    setOutputAtIndex(0, total);
  }
}`;
  }
}
