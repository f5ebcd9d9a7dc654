import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import {
  FAR,
  aStride,
  loadB,
  loadBHelper,
  mainLoop,
  quadsPerThread,
  registerDeclarations,
  sharedDeclarations,
  storeB,
  threadCount,
  threadGeometry,
  writeOutput,
  type Tile,
} from './gemm-core.ts';

/**
 * A convolution's filter gradient as a GEMM with a long reduction:
 *   dW[(ky,kx,c), n] = sum over r = (b,oy,ox) of x[b, oy*s - pad + ky, ox*s - pad + kx, c] * dy[r, n]
 * with M = kh*kw*inC, N = outC and the reduction R = batch*outH*outW, which is large while M x N is
 * small. R is split into `splits` chunks (workgroup z), each writing its own partial [M, N] slice of a
 * [splits, M, N] output that SplitSumProgram then adds up; with one split the output is dW itself.
 *
 * Inputs: x (NHWC; vec4 when inC % 4 === 0, a quad of 4 consecutive rows of A then being one
 * aligned load), dy (NHWC, read as a row-major [R, N] matrix; vec4 when outC % 4 === 0).
 */
export interface FilterGradSpec {
  tile: Tile;
  vec4X: boolean;
  vec4N: boolean;
}

export interface FilterGradShape {
  inShape: [number, number, number, number];
  dyShape: [number, number, number, number];
  filter: [number, number];
  stride: [number, number];
  pad: [number, number];
  splits: number;
  /** Reduction rows per split, a multiple of the tile depth. */
  chunk: number;
}

export class FilterGradProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0], y: [1], z: [2] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  variableNames = ['x', 'dy'];
  variableComponents: number[];
  outputComponent: number;
  uniforms =
    'inDims : vec4<i32>, outDims : vec4<i32>, kDims : vec2<i32>, convStride : vec2<i32>, pads : vec2<i32>, mSize : i32, rSize : i32, chunk : i32,';

  constructor(
    private readonly spec: FilterGradSpec,
    shape: FilterGradShape,
  ) {
    const { tile } = spec;
    const [kh, kw] = shape.filter;
    const m = kh * kw * shape.inShape[3];
    const n = shape.dyShape[3];
    this.outputShape = shape.splits === 1 ? [kh, kw, shape.inShape[3], n] : [shape.splits, m, n];
    this.workgroupSize = [threadCount(tile), 1, 1];
    this.dispatch = [Math.ceil(m / tile.bm), Math.ceil(n / tile.bn), shape.splits];
    this.variableComponents = [spec.vec4X ? 4 : 1, spec.vec4N ? 4 : 1];
    this.outputComponent = spec.vec4N ? 4 : 1;
    this.shaderKey = `dcFilterGrad_${tile.name}_${spec.vec4X}_${spec.vec4N}`;
  }

  static uniformData(shape: FilterGradShape): Array<{ type: 'int32'; data: number[] }> {
    const [b, oh, ow] = shape.dyShape;
    const [kh, kw] = shape.filter;
    return [
      { type: 'int32', data: [...shape.inShape] },
      { type: 'int32', data: [...shape.dyShape] },
      { type: 'int32', data: [kh, kw] },
      { type: 'int32', data: [...shape.stride] },
      { type: 'int32', data: [...shape.pad] },
      { type: 'int32', data: [kh * kw * shape.inShape[3]] },
      { type: 'int32', data: [b * oh * ow] },
      { type: 'int32', data: [shape.chunk] },
    ];
  }

  getUserCode(): string {
    const { tile: t, vec4X, vec4N } = this.spec;
    const q = quadsPerThread(t);
    const threads = threadCount(t);
    const quadsPerRow = t.bm / 4;
    const rowsPerPass = threads / quadsPerRow;
    const slots = Array.from({ length: q.a }, (_, j) => j);
    const slotInit = slots
      .map(
        (j) => `
  let rr_${j} = tid / ${quadsPerRow} + ${j * rowsPerPass};
  var pb_${j} : i32; var py_${j} : i32; var px_${j} : i32;
  {
    let r = rStart + rr_${j};
    pb_${j} = r / plane;
    let rem = r - pb_${j} * plane;
    py_${j} = rem / OW;
    px_${j} = rem - py_${j} * OW;
  }`,
      )
      .join('');
    const gather = (j: number, c: number): string =>
      `gatherX(rowInfo[4 * kq + ${c}], pb_${j}, py_${j}, px_${j})`;
    const loadA = slots
      .map((j) => {
        const value = vec4X
          ? `gatherX4(rowInfo[4 * kq], pb_${j}, py_${j}, px_${j})`
          : `vec4<f32>(${[0, 1, 2, 3].map((c) => gather(j, c)).join(', ')})`;
        return `    ra_${j} = vec4<f32>(0.0);
    if (kBase + rr_${j} < rEnd) { ra_${j} = ${value}; }`;
      })
      .join('\n');
    const storeA = slots.map((j) => `    tileA[rr_${j} * ${aStride(t)} + kq] = ra_${j};`).join('\n');
    // Moving a reduction row BK further along (b, oy, ox), without divisions.
    const advance = [
      `      kBase = kBase + ${t.bk};`,
      ...slots.map(
        (j) => `      px_${j} = px_${j} + ${t.bk};
      loop {
        if (px_${j} < OW) { break; }
        px_${j} = px_${j} - OW;
        py_${j} = py_${j} + 1;
        if (py_${j} == OH) { py_${j} = 0; pb_${j} = pb_${j} + 1; }
      }`,
      ),
    ].join('\n');
    const loadBTile = loadB(t, 'dy', vec4N, 'N', 'rEnd');
    return `
${sharedDeclarations(t)}
${gatherSource(vec4X)}
${vec4N ? '' : loadBHelper('dy')}

fn main() {
${threadGeometry(t)}
  let mTile = i32(workgroupId.x) * ${t.bm};
  let nTile = i32(workgroupId.y) * ${t.bn};
  let split = i32(workgroupId.z);
  let M = uniforms.mSize;
  let N = uniforms.outDims.w;
  let C = uniforms.inDims.w;
  let OH = uniforms.outDims.y;
  let OW = uniforms.outDims.z;
  let plane = OH * OW;

  // Each filter row's (ky - padTop, kx - padLeft, c), computed once per workgroup.
  for (var i = tid; i < ${t.bm}; i = i + ${threads}) {
    let k = mTile + i;
    var info = vec4<i32>(${FAR}, ${FAR}, 0, 0);
    if (k < M) {
      let c = k % C;
      let t = k / C;
      let kx = t % uniforms.kDims.y;
      let ky = t / uniforms.kDims.y;
      info = vec4<i32>(ky - uniforms.pads.x, kx - uniforms.pads.y, c, 1);
    }
    rowInfo[i] = info;
  }
  workgroupBarrier();

  let rStart = split * uniforms.chunk;
  let rEnd = min(uniforms.rSize, rStart + uniforms.chunk);
  let kq = tid % ${quadsPerRow};
${slotInit}
  var kBase = rStart;
${registerDeclarations(t)}
${loadA}
${loadBTile}
  // From uniforms only, so every workgroup's loop (with its barriers) is provably uniform; the
  // last split walks past rEnd with zero loads.
  let steps = uniforms.chunk / ${t.bk};
${mainLoop(t, 'steps', `${advance}\n${loadA}\n${loadBTile}`, `${storeA}\n${storeB(t)}`)}
${writeOutput(t, {
  vec4: vec4N,
  fused: false,
  rows: 'M',
  cols: 'N',
  rowOffset: 'split * M',
})}
}
`;
  }
}

/** x at filter row `info` and reduction row (b, oy, ox); zero in the padding and past row M. */
function gatherSource(vec4X: boolean): string {
  const type = vec4X ? 'vec4<f32>' : 'f32';
  const name = vec4X ? 'gatherX4' : 'gatherX';
  const index = '((b * uniforms.inDims.y + iy) * uniforms.inDims.z + ix) * uniforms.inDims.w + info.z';
  return `
fn ${name}(info : vec4<i32>, b : i32, oy : i32, ox : i32) -> ${type} {
  let iy = oy * uniforms.convStride.x + info.x;
  let ix = ox * uniforms.convStride.y + info.y;
  if (info.w == 0 || iy < 0 || ix < 0 || iy >= uniforms.inDims.y || ix >= uniforms.inDims.z) {
    return ${type}(0.0);
  }
  return x[${vec4X ? `(${index}) / 4` : index}];
}`;
}
