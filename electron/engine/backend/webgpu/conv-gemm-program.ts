import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import {
  ACTIVATE_SOURCE,
  FAR,
  biasSource,
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
  aStride,
  type Tile,
} from './gemm-core.ts';

/**
 * An NHWC convolution as an implicit GEMM: out[b,oy,ox,n] = sum over (ky,kx,c) of
 * in[b, oy*stride - pad + ky, ox*stride - pad + kx, c] * f[ky,kx,c,n], where M = batch*outH*outW rows,
 * K = kh*kw*inC, N = outC. With an input dilation d > 1 the input is read as if d-1 zeros separated
 * its rows and columns, which makes the same program compute a strided convolution's input gradient
 * (dy dilated by the stride, convolved with the flipped, in/out-swapped filter).
 *
 * Inputs: x (NHWC), w ([kh,kw,inC,outC], read as a row-major [K,N] matrix), optionally bias; the
 * epilogue adds the bias and applies the activation the uniforms name.
 */
export interface ConvGemmSpec {
  tile: Tile;
  /** Input dilation along height and width (1 for a forward convolution). */
  dilation: [number, number];
  /** outC % 4 === 0: filter rows and output rows are read and written as vec4s. */
  vec4: boolean;
  /**
   * inC % 4 === 0: the input is gathered 4 channels at a time (one bounds check and one vec4 load per
   * 4 elements of A); otherwise 4 rows of one channel at a time.
   */
  vec4X: boolean;
  /** Whether the epilogue adds a bias and applies an activation (plain convolutions skip that code). */
  fused: boolean;
  /** Whether a bias tensor is bound (only when fused). */
  hasBias: boolean;
}

export interface ConvGemmFusion {
  /** 1 for a per-channel bias, 0 for a scalar one. */
  biasStride: number;
  /** Index into FUSABLE_ACTIVATIONS. */
  activation: number;
  alpha: number;
}

const NO_FUSION: ConvGemmFusion = { biasStride: 0, activation: 0, alpha: 0 };

export interface ConvGemmShape {
  inShape: [number, number, number, number];
  outShape: [number, number, number, number];
  filter: [number, number];
  stride: [number, number];
  /** Top and left padding (may be negative for an input gradient with large explicit pads). */
  pad: [number, number];
}

export class ConvGemmProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0], y: [1], z: [2] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  variableNames: string[];
  variableComponents: number[];
  outputComponent: number;
  uniforms =
    'inDims : vec4<i32>, outDims : vec4<i32>, kDims : vec2<i32>, convStride : vec2<i32>, pads : vec2<i32>, mSize : i32, kSize : i32, biasStride : i32, activation : i32, alpha : f32,';

  constructor(
    private readonly spec: ConvGemmSpec,
    shape: ConvGemmShape,
  ) {
    const { tile } = spec;
    const [b, oh, ow, n] = shape.outShape;
    this.outputShape = shape.outShape;
    this.workgroupSize = [threadCount(tile), 1, 1];
    this.dispatch = [Math.ceil((b * oh * ow) / tile.bm), Math.ceil(n / tile.bn), 1];
    this.variableNames = spec.hasBias ? ['x', 'w', 'bias'] : ['x', 'w'];
    const wComp = spec.vec4 ? 4 : 1;
    const xComp = spec.vec4X ? 4 : 1;
    this.variableComponents = spec.hasBias ? [xComp, wComp, 1] : [xComp, wComp];
    this.outputComponent = wComp;
    const [dh, dw] = spec.dilation;
    this.shaderKey = `dcConvGemm_${tile.name}_${spec.vec4}_${spec.vec4X}_${dh}x${dw}_${spec.fused}_${spec.hasBias}`;
  }

  /** The program-defined uniforms, in the order of `uniforms`. */
  static uniformData(
    shape: ConvGemmShape,
    fusion: ConvGemmFusion = NO_FUSION,
  ): Array<{ type: 'int32' | 'float32'; data: number[] }> {
    const [b, oh, ow] = shape.outShape;
    const [kh, kw] = shape.filter;
    return [
      { type: 'int32', data: [...shape.inShape] },
      { type: 'int32', data: [...shape.outShape] },
      { type: 'int32', data: [kh, kw] },
      { type: 'int32', data: [...shape.stride] },
      { type: 'int32', data: [...shape.pad] },
      { type: 'int32', data: [b * oh * ow] },
      { type: 'int32', data: [kh * kw * shape.inShape[3]] },
      { type: 'int32', data: [fusion.biasStride] },
      { type: 'int32', data: [fusion.activation] },
      { type: 'float32', data: [fusion.alpha] },
    ];
  }

  getUserCode(): string {
    const { tile: t, dilation, vec4, vec4X } = this.spec;
    const { loadA, storeA, firstK } = vec4X ? channelQuads(t) : rowQuads(t);
    const loadBTile = loadB(t, 'w', vec4, 'N', 'K');
    const advance = `
      kBase = kBase + ${t.bk};
      ci = ci + ${t.bk};
      loop {
        if (ci < C) { break; }
        ci = ci - C;
        kx = kx + 1;
        if (kx == KW) { kx = 0; ky = ky + 1; }
      }`;
    return `
${sharedDeclarations(t)}
${gatherSource(dilation, vec4X)}
${vec4 ? '' : loadBHelper('w')}
${this.spec.fused ? `${biasSource(this.spec.hasBias, 'uniforms.outDims.w')}\n${ACTIVATE_SOURCE}` : ''}

fn main() {
${threadGeometry(t)}
  let mTile = i32(workgroupId.x) * ${t.bm};
  let nTile = i32(workgroupId.y) * ${t.bn};
  let N = uniforms.outDims.w;
  let K = uniforms.kSize;
  let C = uniforms.inDims.w;
  let KW = uniforms.kDims.y;

  // Each output row's batch offset and top-left input corner, computed once per workgroup.
  for (var i = tid; i < ${t.bm}; i = i + ${threadCount(t)}) {
    let m = mTile + i;
    var info = vec4<i32>(0, ${FAR}, ${FAR}, 0);
    if (m < uniforms.mSize) {
      let plane = uniforms.outDims.y * uniforms.outDims.z;
      let b = m / plane;
      let rem = m - b * plane;
      let oy = rem / uniforms.outDims.z;
      let ox = rem - oy * uniforms.outDims.z;
      info = vec4<i32>(b * uniforms.inDims.y * uniforms.inDims.z * C,
                       oy * uniforms.convStride.x - uniforms.pads.x,
                       ox * uniforms.convStride.y - uniforms.pads.y, 0);
    }
    rowInfo[i] = info;
  }
  workgroupBarrier();

  // The first A column this thread loads; (ky, kx, ci) follow it from step to step without divisions.
  let kk0 = ${firstK};
  var ci = kk0 % C;
  var kx = (kk0 / C) % KW;
  var ky = kk0 / (C * KW);
  var kBase = 0;
${registerDeclarations(t)}
${loadA}
${loadBTile}
  let steps = (K + ${t.bk - 1}) / ${t.bk};
${mainLoop(t, 'steps', `${advance}\n${loadA}\n${loadBTile}`, `${storeA}\n${storeB(t)}`)}
${writeOutput(t, {
  vec4,
  fused: this.spec.fused,
  rows: 'uniforms.mSize',
  cols: 'N',
  rowOffset: '0',
})}
}
`;
  }
}

interface ALoads {
  loadA: string;
  storeA: string;
  /** The first column of A this thread loads (then BK further each step). */
  firstK: string;
}

/** Quads of 4 rows at one column: thread t loads column t % BK of rows 4q..4q+3 (any channel count). */
function rowQuads(t: Tile): ALoads {
  const q = quadsPerThread(t);
  const perPass = threadCount(t) / t.bk;
  const range = Array.from({ length: q.a }, (_, j) => j);
  const loadA = range
    .map((j) => {
      const row = `4 * (tid / ${t.bk} + ${j * perPass})`;
      const g = (c: number): string => `gatherX(rowInfo[${row} + ${c}], ky, kx, ci)`;
      return `    ra_${j} = vec4<f32>(${[0, 1, 2, 3].map(g).join(', ')});`;
    })
    .join('\n');
  const storeA = range
    .map((j) => `    tileA[kk0 * ${aStride(t)} + tid / ${t.bk} + ${j * perPass}] = ra_${j};`)
    .join('\n');
  return { loadA, storeA, firstK: `tid % ${t.bk}` };
}

/**
 * Quads of 4 channels at one row (inC % 4 === 0): thread t loads columns 4c..4c+3, c = t % (BK/4),
 * of rows t / (BK/4) + j * (threads / (BK/4)); consecutive threads read consecutive 16 bytes.
 */
function channelQuads(t: Tile): ALoads {
  const q = quadsPerThread(t);
  const quadsPerRow = t.bk / 4;
  const perPass = threadCount(t) / quadsPerRow;
  const range = Array.from({ length: q.a }, (_, j) => j);
  const row = (j: number): string => `(tid / ${quadsPerRow} + ${j * perPass})`;
  const loadA = range.map((j) => `    ra_${j} = gatherX4(rowInfo[${row(j)}], ky, kx, ci);`).join('\n');
  const storeA = range
    .map((j) =>
      [0, 1, 2, 3]
        .map((c) => `    tileA[(kk0 + ${c}) * ${aStride(t)} + ${row(j)} / 4][${row(j)} % 4] = ra_${j}[${c}];`)
        .join('\n'),
    )
    .join('\n');
  return { loadA, storeA, firstK: `4 * (tid % ${quadsPerRow})` };
}

/**
 * gatherX(rowInfo, ky, kx, ci): one element of the implicit im2col matrix, zero in the padding; or
 * gatherX4, four consecutive channels of it.
 */
function gatherSource([dh, dw]: [number, number], vec4X: boolean): string {
  const type = vec4X ? 'vec4<f32>' : 'f32';
  const index = (v: string, u: string): string => {
    const flat = `info.x + (${v} * uniforms.inDims.z + ${u}) * uniforms.inDims.w + ci`;
    return vec4X ? `(${flat}) / 4` : flat;
  };
  const head = `
fn gatherX${vec4X ? '4' : ''}(info : vec4<i32>, ky : i32, kx : i32, ci : i32) -> ${type} {
  if (ky >= uniforms.kDims.x) { return ${type}(0.0); }
  let v = info.y + ky;
  let u = info.z + kx;`;
  if (dh === 1 && dw === 1) {
    return `${head}
  if (v < 0 || u < 0 || v >= uniforms.inDims.y || u >= uniforms.inDims.z) { return ${type}(0.0); }
  return x[${index('v', 'u')}];
}`;
  }
  // Dilation factors are compile-time constants, so the divisions become shifts or multiplies.
  return `${head}
  if (v < 0 || u < 0) { return ${type}(0.0); }
  let vq = v / ${dh};
  let uq = u / ${dw};
  if (vq * ${dh} != v || uq * ${dw} != u || vq >= uniforms.inDims.y || uq >= uniforms.inDims.z) {
    return ${type}(0.0);
  }
  return x[${index('vq', 'uq')}];
}`;
}
