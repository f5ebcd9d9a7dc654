/**
 * The WGSL core the project's convolution programs share: a tiled matrix product C[M,N] = A[M,K] B[K,N]
 * where A is gathered from an NHWC tensor by the program (implicit im2col) and B is a plain row-major
 * matrix. One workgroup computes a BM x BN block of C; each thread a TM x TN register block; K is
 * walked BK at a time through workgroup memory, the next step's global loads issued into registers
 * before the current step's products so their latency hides behind arithmetic.
 *
 * Layouts, chosen for NVIDIA-class hardware (32 banks of 4 bytes, 128-bit shared loads):
 * - tileA is [BK][BM/4 + 1] vec4s: a thread reads its TM rows as TM/4 vec4s per k; the one vec4 of
 *   padding per k row spreads the stores of consecutive k across banks.
 * - tileB is [BK][BN/4] vec4s: a thread reads its TN columns as TN/4 vec4s per k.
 * - A thread's rows are ty*4 + g*(BM/TM*4) and columns tx*4 + h*(BN/TN*4): the threads of a warp read
 *   a few contiguous vec4s of tileA (broadcast) and consecutive vec4s of tileB (no conflicts), and
 *   write consecutive vec4s of the output row (coalesced).
 */

export interface Tile {
  readonly name: string;
  /** Rows of C per workgroup. */
  readonly bm: number;
  /** Columns of C per workgroup. */
  readonly bn: number;
  /** Depth of one K step. */
  readonly bk: number;
  /** Rows per thread (a multiple of 4). */
  readonly tm: number;
  /** Columns per thread (a multiple of 4). */
  readonly tn: number;
}

// Shared memory stays under 16 KiB, WebGPU's default limit, so every adapter accepts every tile.
export const TILES: readonly Tile[] = [
  { name: 'n32', bm: 128, bn: 32, bk: 16, tm: 8, tn: 4 },
  { name: 'n64', bm: 128, bn: 64, bk: 16, tm: 8, tn: 4 },
  { name: 'n128', bm: 128, bn: 128, bk: 8, tm: 8, tn: 8 },
];

/** The tile whose width fits N best: convolutions have few output channels (32-128) and many rows. */
export function tileForColumns(n: number): Tile {
  const tile = TILES.find((t) => n <= t.bn) ?? TILES[TILES.length - 1];
  if (tile === undefined) throw new Error('no GEMM tiles defined');
  return tile;
}

export function threadCount(t: Tile): number {
  return (t.bm / t.tm) * (t.bn / t.tn);
}

/** vec4 row strides of the two shared tiles. */
export function aStride(t: Tile): number {
  return t.bm / 4 + 1;
}
export function bStride(t: Tile): number {
  return t.bn / 4;
}

/** How many 4-element quads of the A and B tiles each thread loads per K step. */
export function quadsPerThread(t: Tile): { a: number; b: number } {
  const threads = threadCount(t);
  const a = (t.bk * t.bm) / 4 / threads;
  const b = (t.bk * t.bn) / 4 / threads;
  if (!Number.isInteger(a) || !Number.isInteger(b) || threads % (t.bn / 4) !== 0)
    throw new Error(`tile ${t.name} does not divide evenly among its ${threads} threads`);
  return { a, b };
}

/** An offset that no kernel coordinate can bring back into range: marks padding rows of a tile. */
export const FAR = '-536870912';

export function sharedDeclarations(t: Tile): string {
  return `
var<workgroup> tileA : array<vec4<f32>, ${t.bk * aStride(t)}>;
var<workgroup> tileB : array<vec4<f32>, ${t.bk * bStride(t)}>;
var<workgroup> rowInfo : array<vec4<i32>, ${t.bm}>;
`;
}

/** Declares tid, tx, ty: this thread's index and its place in the register-block grid. */
export function threadGeometry(t: Tile): string {
  return `
  let tid = i32(localIndex);
  let tx = tid % ${t.bn / t.tn};
  let ty = tid / ${t.bn / t.tn};`;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

export function registerDeclarations(t: Tile): string {
  const q = quadsPerThread(t);
  const acc = range(t.tm).flatMap((i) => range(t.tn / 4).map((h) => `  var acc_${i}_${h} = vec4<f32>(0.0);`));
  const ra = range(q.a).map((j) => `  var ra_${j} : vec4<f32>;`);
  const rb = range(q.b).map((j) => `  var rb_${j} : vec4<f32>;`);
  return [...acc, ...ra, ...rb].join('\n');
}

/** Multiplies the shared tiles into the accumulators: TM x TN FMAs per k, no bounds checks. */
export function multiplyTiles(t: Tile): string {
  const lines: string[] = [];
  lines.push(`    for (var kk = 0; kk < ${t.bk}; kk = kk + 1) {`);
  lines.push(`      let aRow = kk * ${aStride(t)} + ty;`);
  for (let g = 0; g < t.tm / 4; g++) lines.push(`      let a${g} = tileA[aRow + ${g * (t.bm / t.tm)}];`);
  lines.push(`      let bRow = kk * ${bStride(t)} + tx;`);
  for (let h = 0; h < t.tn / 4; h++) lines.push(`      let b${h} = tileB[bRow + ${h * (t.bn / t.tn)}];`);
  const comps = ['x', 'y', 'z', 'w'];
  for (let g = 0; g < t.tm / 4; g++) {
    for (let r = 0; r < 4; r++) {
      const i = g * 4 + r;
      for (let h = 0; h < t.tn / 4; h++) {
        lines.push(`      acc_${i}_${h} = fma(vec4<f32>(a${g}.${comps[r]}), b${h}, acc_${i}_${h});`);
      }
    }
  }
  lines.push('    }');
  return lines.join('\n');
}

/**
 * Loads this thread's quads of the B tile for rows kBase.. of the row-major matrix `name`
 * (`cols` columns, rows below `rowEnd` valid) into rb_j: vec4 loads when the column count is a
 * multiple of 4, four checked scalar loads otherwise.
 */
export function loadB(t: Tile, name: string, vec4: boolean, cols: string, rowEnd: string): string {
  const q = quadsPerThread(t);
  const perRow = t.bn / 4;
  const lines: string[] = [];
  for (let j = 0; j < q.b; j++) {
    const row = `kBase + tid / ${perRow} + ${j * (threadCount(t) / perRow)}`;
    const col = `nTile + (tid % ${perRow}) * 4`;
    if (vec4) {
      lines.push(`    {
      let k = ${row};
      let n = ${col};
      rb_${j} = vec4<f32>(0.0);
      if (k < ${rowEnd} && n < ${cols}) { rb_${j} = ${name}[(k * ${cols} + n) / 4]; }
    }`);
    } else {
      lines.push(`    {
      let k = ${row};
      let n = ${col};
      rb_${j} = vec4<f32>(loadB1(k, n, ${rowEnd}, ${cols}), loadB1(k, n + 1, ${rowEnd}, ${cols}),
                          loadB1(k, n + 2, ${rowEnd}, ${cols}), loadB1(k, n + 3, ${rowEnd}, ${cols}));
    }`);
    }
  }
  return lines.join('\n');
}

/** The scalar helper loadB's unaligned path calls. */
export function loadBHelper(name: string): string {
  return `
fn loadB1(k : i32, n : i32, rowEnd : i32, cols : i32) -> f32 {
  if (k < rowEnd && n < cols) { return ${name}[k * cols + n]; }
  return 0.0;
}`;
}

/** Stores rb_j into tileB at the places loadB read them from. */
export function storeB(t: Tile): string {
  const q = quadsPerThread(t);
  const perRow = t.bn / 4;
  return range(q.b)
    .map(
      (j) =>
        `    tileB[(tid / ${perRow} + ${j * (threadCount(t) / perRow)}) * ${bStride(t)} + tid % ${perRow}] = rb_${j};`,
    )
    .join('\n');
}

/** The K loop: stage registers into shared memory, prefetch the next step, multiply. */
export function mainLoop(t: Tile, steps: string, loadNext: string, store: string): string {
  return `
  for (var step = 0; step < ${steps}; step = step + 1) {
    workgroupBarrier();
${store}
    workgroupBarrier();
    if (step + 1 < ${steps}) {
${loadNext}
    }
${multiplyTiles(t)}
  }`;
}

export type Activation = 'linear' | 'relu' | 'relu6' | 'leakyrelu' | 'elu' | 'sigmoid';
/** The activations the epilogue applies, in the order of the `activation` uniform's codes. */
export const FUSABLE_ACTIVATIONS: readonly Activation[] = [
  'linear',
  'relu',
  'relu6',
  'leakyrelu',
  'elu',
  'sigmoid',
];

/**
 * activate(v): chosen by a uniform rather than compiled in, so one pipeline serves every
 * activation (the branch is uniform and runs once per output, after the K loop).
 */
export const ACTIVATE_SOURCE = `
fn activate(v : vec4<f32>) -> vec4<f32> {
  switch uniforms.activation {
    case 1: { return max(v, vec4<f32>(0.0)); }
    case 2: { return clamp(v, vec4<f32>(0.0), vec4<f32>(6.0)); }
    case 3: { return select(v * uniforms.alpha, v, v >= vec4<f32>(0.0)); }
    case 4: { return select(exp(v) - vec4<f32>(1.0), v, v >= vec4<f32>(0.0)); }
    case 5: { return vec4<f32>(1.0) / (vec4<f32>(1.0) + exp(-v)); }
    default: { return v; }
  }
}`;

export interface Epilogue {
  vec4: boolean;
  /** Add biasAt(n) and apply activate() (the forward convolution's fusions). */
  fused: boolean;
  /** Rows of C that exist (rows past it are tile padding). */
  rows: string;
  /** Columns of C. */
  cols: string;
  /** Added to the row index before writing: places a split-K slice in its partial buffer. */
  rowOffset: string;
}

/** Writes the accumulators (plus bias, through the activation) to `result`, a row-major [rows, cols]. */
export function writeOutput(t: Tile, e: Epilogue): string {
  const lines: string[] = [];
  const fuse = e.fused ? 'v = activate(v + biasAt(n));' : '';
  for (let g = 0; g < t.tm / 4; g++) {
    for (let r = 0; r < 4; r++) {
      const i = g * 4 + r;
      lines.push(`  {
    let m = mTile + ty * 4 + ${g * (t.bm / (t.tm / 4)) + r};
    if (m < ${e.rows}) {
      let row = (${e.rowOffset} + m) * ${e.cols};`);
      for (let h = 0; h < t.tn / 4; h++) {
        const store = e.vec4
          ? `if (n < ${e.cols}) { result[(row + n) / 4] = v; }`
          : [0, 1, 2, 3]
              .map((c) => `if (n + ${c} < ${e.cols}) { result[row + n + ${c}] = v[${c}]; }`)
              .join('\n        ');
        lines.push(`      {
        let n = nTile + tx * 4 + ${h * (t.bn / (t.tn / 4))};
        var v = acc_${i}_${h};
        ${fuse}
        ${store}
      }`);
      }
      lines.push('    }\n  }');
    }
  }
  return lines.join('\n');
}

/**
 * biasAt(n): the bias of output columns n..n+3 (biasStride 1 for a per-channel bias, 0 for a scalar
 * one; zero past the last column, which the scalar output path reaches), or zeros without a bias.
 */
export function biasSource(hasBias: boolean, cols: string): string {
  if (!hasBias) return 'fn biasAt(n : i32) -> vec4<f32> { return vec4<f32>(0.0); }';
  return `
fn bias1(n : i32) -> f32 {
  if (n < ${cols}) { return bias[n * uniforms.biasStride]; }
  return 0.0;
}
fn biasAt(n : i32) -> vec4<f32> {
  return vec4<f32>(bias1(n), bias1(n + 1), bias1(n + 2), bias1(n + 3));
}`;
}
