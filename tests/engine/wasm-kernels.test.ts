/**
 * The project's wasm kernels (electron/engine/backend/wasm/kernels) and its Conv2D gradient
 * (electron/engine/backend/conv-gradient.ts) against references: the tfjs cpu backend running the
 * same kernel on copies of the data, or, for dilated convolutions (whose cpu backprop kernels
 * ignore `dilations`), a float64 loop over the direct definition. Every kernel call is also
 * checked for leaked tensors and leaked wasm data ids.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { prepareBackend } from '../../electron/engine/backend/probes.ts';
import { conv2DBackpropFilterConfig } from '../../electron/engine/backend/wasm/kernels/conv2d-backprop-filter.ts';
import { conv2DBackpropInputConfig } from '../../electron/engine/backend/wasm/kernels/conv2d-backprop-input.ts';
import { maxPoolGradConfig } from '../../electron/engine/backend/wasm/kernels/max-pool-grad.ts';
import {
  conv2dInfo,
  mulberry32,
  randomValues,
  refConv2D,
  refConv2DBackpropFilter,
  refConv2DBackpropInput,
  relativeError,
  type Pad,
  type Shape4,
} from './conv-reference.ts';

const TOLERANCE = 1e-4;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

interface Result {
  shape: number[];
  dtype: tf.DataType;
  values: Float32Array | Int32Array;
}

function numDataIds(): number {
  return (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
}

function read(t: tf.Tensor): Result {
  return { shape: t.shape, dtype: t.dtype, values: t.dataSync() as Float32Array | Int32Array };
}

function attrMap(attrs: object): tf.NamedAttrMap {
  return attrs as unknown as tf.NamedAttrMap;
}

/**
 * Runs one kernel on the current backend, reads and disposes its output, and requires that the
 * engine's tensor count and the backend's data-id count are back where they started.
 */
function runChecked(name: string, inputs: tf.NamedTensorMap, attrs: object): Result {
  const tensorsBefore = tf.memory().numTensors;
  const idsBefore = numDataIds();
  const out = tf.engine().runKernel<tf.Tensor>(name, inputs, attrMap(attrs));
  const result = read(out);
  out.dispose();
  expect(tf.memory().numTensors, `${name} left tensors behind`).toBe(tensorsBefore);
  expect(numDataIds(), `${name} left wasm data ids behind`).toBe(idsBefore);
  return result;
}

interface HostTensor {
  values: Float32Array | Int32Array;
  shape: number[];
  dtype: 'float32' | 'int32';
}

function host(t: tf.Tensor): HostTensor {
  return {
    values: t.dataSync() as Float32Array | Int32Array,
    shape: t.shape,
    dtype: t.dtype as 'float32' | 'int32',
  };
}

/** Runs `fn` on the cpu backend and always switches back to wasm. */
async function onCpu<T>(fn: () => T): Promise<T> {
  await tf.setBackend('cpu');
  try {
    return fn();
  } finally {
    await tf.setBackend('wasm');
  }
}

/** The cpu backend's result for the same kernel, on copies of the (wasm) inputs. */
async function cpuKernel(name: string, inputs: Record<string, HostTensor>, attrs: object): Promise<Result> {
  return onCpu(() => {
    const copies: tf.NamedTensorMap = {};
    for (const [key, h] of Object.entries(inputs)) copies[key] = tf.tensor(h.values, h.shape, h.dtype);
    const out = tf.engine().runKernel<tf.Tensor>(name, copies, attrMap(attrs));
    const result = read(out);
    out.dispose();
    for (const t of Object.values(copies)) t.dispose();
    return result;
  });
}

function expectClose(actual: Result, expected: { shape: number[]; values: ArrayLike<number> }): void {
  expect(actual.shape).toEqual(expected.shape);
  expect(relativeError(actual.values, expected.values)).toBeLessThan(TOLERANCE);
}

function seedOf(label: string): number {
  let h = 2166136261;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 16777619);
  return h >>> 0;
}

function randomTensor(shape: number[], rand: () => number): tf.Tensor {
  return tf.tensor(randomValues(shape, rand), shape, 'float32');
}

/** `[name, case]` rows for `it.each(rows)('%s', ...)`: '%s' prints the whole name, '$name' would truncate it. */
function named<T extends { name: string }>(cases: readonly T[]): [string, T][] {
  return cases.map((c) => [c.name, c]);
}

const label = (shape: readonly number[]): string => `[${shape.join(',')}]`;
const padLabel = (pad: Pad): string => (typeof pad === 'string' ? pad : JSON.stringify(pad));

// ---------------------------------------------------------------------------------------------
// Setup
// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  const outcome = await prepareBackend('wasm');
  expect(outcome.ok, outcome.detail).toBe(true);
  expect(await tf.setBackend('cpu')).toBe(true);
  expect(await tf.setBackend('wasm')).toBe(true);
});

afterEach(async () => {
  if (tf.getBackend() !== 'wasm') await tf.setBackend('wasm');
});

describe('registration', () => {
  it('the wasm backend runs the project kernels', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc).toBe(
      conv2DBackpropFilterConfig.kernelFunc,
    );
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).toBe(
      conv2DBackpropInputConfig.kernelFunc,
    );
    expect(tf.getKernel('MaxPoolGrad', 'wasm')?.kernelFunc).toBe(maxPoolGradConfig.kernelFunc);
  });
});

// ---------------------------------------------------------------------------------------------
// Conv2DBackpropFilter / Conv2DBackpropInput
// ---------------------------------------------------------------------------------------------

interface ConvCase {
  name: string;
  k: number;
  s: number;
  d: number;
  pad: Pad;
  xShape: Shape4;
  co: number;
}

function convCases(): Omit<ConvCase, 'name'>[] {
  const cases: Omit<ConvCase, 'name'>[] = [];
  const channelsIn = [1, 3, 8, 2, 5, 4];
  const channelsOut = [4, 1, 6, 8, 3, 2, 5];
  let i = 0;
  for (const k of [1, 3, 5, 7]) {
    for (const [s, d] of [
      [1, 1],
      [2, 1],
      [1, 2],
    ] as const) {
      for (const pad of ['same', 'valid'] as const) {
        const effective = (k - 1) * d + 1;
        const h = Math.max(effective, 5) + (i % 4); // 5 to 8 rows (or more for wide kernels), odd and even in turn
        const w = h + 1 + (i % 3 === 0 ? 2 : 0);
        const batch = 1 + (i % 3);
        cases.push({
          k,
          s,
          d,
          pad,
          xShape: [batch, h, w, channelsIn[i % channelsIn.length] as number],
          co: channelsOut[i % channelsOut.length] as number,
        });
        i++;
      }
    }
  }
  // Explicit and numeric padding, including amounts beyond k-1 (the input gradient must crop).
  cases.push(
    {
      k: 3,
      s: 1,
      d: 1,
      pad: [
        [0, 0],
        [1, 2],
        [0, 1],
        [0, 0],
      ],
      xShape: [2, 7, 8, 3],
      co: 4,
    },
    {
      k: 3,
      s: 2,
      d: 1,
      pad: [
        [0, 0],
        [1, 2],
        [0, 1],
        [0, 0],
      ],
      xShape: [2, 9, 8, 2],
      co: 3,
    },
    {
      k: 1,
      s: 1,
      d: 1,
      pad: [
        [0, 0],
        [1, 2],
        [0, 1],
        [0, 0],
      ],
      xShape: [1, 6, 5, 4],
      co: 2,
    },
    {
      k: 5,
      s: 2,
      d: 1,
      pad: [
        [0, 0],
        [0, 3],
        [2, 1],
        [0, 0],
      ],
      xShape: [3, 10, 11, 2],
      co: 5,
    },
    {
      k: 3,
      s: 1,
      d: 2,
      pad: [
        [0, 0],
        [1, 2],
        [0, 1],
        [0, 0],
      ],
      xShape: [2, 8, 7, 3],
      co: 4,
    },
    { k: 3, s: 2, d: 1, pad: 1, xShape: [2, 8, 9, 3], co: 2 },
    // Larger: more terms per sum.
    { k: 3, s: 2, d: 1, pad: 'same', xShape: [3, 16, 15, 8], co: 8 },
    { k: 5, s: 1, d: 1, pad: 'valid', xShape: [3, 17, 16, 8], co: 8 },
    { k: 5, s: 1, d: 2, pad: 'same', xShape: [2, 17, 16, 8], co: 8 },
  );
  return cases;
}

const CONV_CASES = convCases();

function convName(kernel: string, c: Omit<ConvCase, 'name'>): string {
  return `${kernel} k${c.k} s${c.s} ${padLabel(c.pad)} d${c.d} ${label(c.xShape)}->${c.co}`;
}

function convAttrs(c: Omit<ConvCase, 'name'>) {
  return {
    strides: [c.s, c.s],
    pad: c.pad,
    dataFormat: 'NHWC',
    dimRoundingMode: undefined,
    dilations: [c.d, c.d],
  };
}

describe('float64 reference', () => {
  // The dilated cases trust this reference: check its forward against the cpu Conv2D (which
  // honours dilations) and its two backprops as the forward's adjoints.
  const cases: Omit<ConvCase, 'name'>[] = [
    { k: 3, s: 1, d: 2, pad: 'same', xShape: [2, 7, 8, 3], co: 4 },
    { k: 5, s: 1, d: 2, pad: 'valid', xShape: [1, 11, 12, 2], co: 3 },
    {
      k: 3,
      s: 2,
      d: 1,
      pad: [
        [0, 0],
        [1, 2],
        [0, 1],
        [0, 0],
      ],
      xShape: [2, 9, 8, 2],
      co: 3,
    },
  ];
  it.each(
    named(
      cases.map((c) => ({
        ...c,
        name: `${convName('Conv2D', c)}: forward matches cpu, backprops are its adjoints`,
      })),
    ),
  )('%s', async (_name, c) => {
    const rand = mulberry32(seedOf(c.name));
    const filterShape: Shape4 = [c.k, c.k, c.xShape[3], c.co];
    const info = conv2dInfo(c.xShape, filterShape, c.s, c.d, c.pad);
    const x = randomValues(c.xShape, rand);
    const w = randomValues(filterShape, rand);
    const dy = randomValues(info.outShape, rand);
    const y = refConv2D(x, w, info);
    const cpu = await cpuKernel(
      'Conv2D',
      {
        x: { values: x, shape: c.xShape, dtype: 'float32' },
        filter: { values: w, shape: filterShape, dtype: 'float32' },
      },
      {
        strides: [c.s, c.s],
        pad: c.pad,
        dataFormat: 'NHWC',
        dilations: [c.d, c.d],
        dimRoundingMode: undefined,
      },
    );
    expectClose(cpu, { shape: info.outShape, values: y });
    const dot = (p: ArrayLike<number>, q: ArrayLike<number>): number => {
      let sum = 0;
      for (let i = 0; i < p.length; i++) sum += (p[i] as number) * (q[i] as number);
      return sum;
    };
    const yDy = dot(y, dy);
    expect(Math.abs(dot(x, refConv2DBackpropInput(dy, w, info)) - yDy)).toBeLessThan(
      1e-9 * (1 + Math.abs(yDy)),
    );
    expect(Math.abs(dot(w, refConv2DBackpropFilter(x, dy, info)) - yDy)).toBeLessThan(
      1e-9 * (1 + Math.abs(yDy)),
    );
  });
});

describe('Conv2DBackpropFilter', () => {
  it.each(named(CONV_CASES.map((c) => ({ ...c, name: convName('Conv2DBackpropFilter', c) }))))(
    '%s',
    async (_name, c) => {
      const rand = mulberry32(seedOf(c.name));
      const filterShape: Shape4 = [c.k, c.k, c.xShape[3], c.co];
      const info = conv2dInfo(c.xShape, filterShape, c.s, c.d, c.pad);
      const x = randomTensor(c.xShape, rand);
      const dy = randomTensor(info.outShape, rand);
      const attrs = { ...convAttrs(c), filterShape };
      const actual = runChecked('Conv2DBackpropFilter', { x, dy }, attrs);
      const expected =
        c.d === 1
          ? await cpuKernel('Conv2DBackpropFilter', { x: host(x), dy: host(dy) }, attrs)
          : {
              shape: filterShape,
              values: refConv2DBackpropFilter(x.dataSync(), dy.dataSync(), info),
            };
      expectClose(actual, expected);
      x.dispose();
      dy.dispose();
    },
  );
});

describe('Conv2DBackpropInput', () => {
  it.each(named(CONV_CASES.map((c) => ({ ...c, name: convName('Conv2DBackpropInput', c) }))))(
    '%s',
    async (_name, c) => {
      const rand = mulberry32(seedOf(c.name));
      const filterShape: Shape4 = [c.k, c.k, c.xShape[3], c.co];
      const info = conv2dInfo(c.xShape, filterShape, c.s, c.d, c.pad);
      const dy = randomTensor(info.outShape, rand);
      const filter = randomTensor(filterShape, rand);
      const attrs = { ...convAttrs(c), inputShape: c.xShape };
      const actual = runChecked('Conv2DBackpropInput', { dy, filter }, attrs);
      const expected =
        c.d === 1
          ? await cpuKernel('Conv2DBackpropInput', { dy: host(dy), filter: host(filter) }, attrs)
          : {
              shape: c.xShape,
              values: refConv2DBackpropInput(dy.dataSync(), filter.dataSync(), info),
            };
      expectClose(actual, expected);
      dy.dispose();
      filter.dispose();
    },
  );
});

describe('unsupported configurations', () => {
  const nchwCases: { kernel: string; inputs: () => Record<string, tf.Tensor>; attrs: object }[] = [
    {
      kernel: 'Conv2DBackpropFilter',
      inputs: () => ({ x: tf.zeros([1, 3, 6, 6]), dy: tf.zeros([1, 2, 4, 4]) }),
      attrs: { filterShape: [3, 3, 3, 2] },
    },
    {
      kernel: 'Conv2DBackpropInput',
      inputs: () => ({ dy: tf.zeros([1, 2, 4, 4]), filter: tf.zeros([3, 3, 3, 2]) }),
      attrs: { inputShape: [1, 3, 6, 6] },
    },
  ];

  it.each(nchwCases)('$kernel with NCHW throws on wasm', ({ kernel, inputs, attrs }) => {
    const tensors = inputs();
    const tensorsBefore = tf.memory().numTensors;
    const idsBefore = numDataIds();
    expect(() =>
      tf.engine().runKernel(
        kernel,
        tensors,
        attrMap({
          strides: [1, 1],
          pad: 'valid',
          dataFormat: 'NCHW',
          dimRoundingMode: undefined,
          dilations: [1, 1],
          ...attrs,
        }),
      ),
    ).toThrow(/NHWC/);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(numDataIds()).toBe(idsBefore);
    tf.dispose(Object.values(tensors));
  });
});

// ---------------------------------------------------------------------------------------------
// MaxPoolGrad
// ---------------------------------------------------------------------------------------------

type InputKind = 'random' | 'binary' | 'relu';

interface PoolCase {
  name: string;
  size: number;
  stride: number;
  pad: 'same' | 'valid';
  shape: Shape4;
  input: InputKind;
  /** Integer dy, so any accumulation order gives the same float32 sums and results must match exactly. */
  integerDy: boolean;
}

const POOL_CASES: PoolCase[] = (
  [
    [2, 2, 'valid', [2, 8, 8, 3], 'random', false],
    [2, 2, 'valid', [1, 7, 9, 2], 'random', false],
    [3, 2, 'same', [2, 9, 8, 4], 'random', false],
    [3, 2, 'same', [1, 10, 10, 2], 'random', false],
    [3, 2, 'valid', [1, 8, 8, 2], 'random', false],
    [3, 1, 'same', [2, 6, 7, 3], 'random', false],
    [3, 1, 'same', [1, 5, 5, 8], 'random', false],
    [2, 2, 'valid', [2, 8, 9, 3], 'binary', true],
    [3, 2, 'same', [2, 9, 8, 3], 'binary', true],
    [3, 1, 'same', [2, 7, 6, 4], 'binary', true],
    [3, 1, 'same', [2, 7, 6, 4], 'binary', false],
    [3, 1, 'same', [1, 8, 8, 3], 'relu', true],
    [3, 2, 'same', [2, 9, 9, 2], 'relu', false],
  ] as const
).map(([size, stride, pad, shape, input, integerDy]) => ({
  name: `MaxPoolGrad ${size}x${size} s${stride} ${pad} ${label(shape)} ${input} input${integerDy ? ', integer dy' : ''}`,
  size,
  stride,
  pad,
  shape: [...shape],
  input,
  integerDy,
}));

describe('MaxPoolGrad', () => {
  it.each(named(POOL_CASES))('%s', async (_name, c) => {
    const rand = mulberry32(seedOf(c.name));
    const values = randomValues(c.shape, rand);
    // Ties: pixels rounded to 0 or 1, or a relu that zeroes about half of them.
    if (c.input === 'binary') values.forEach((v, i) => (values[i] = v > 0 ? 1 : 0));
    if (c.input === 'relu') values.forEach((v, i) => (values[i] = Math.max(0, v)));
    const input = tf.tensor(values, c.shape);
    const output = tf.maxPool(input as tf.Tensor4D, c.size, c.stride, c.pad);
    const dyValues = randomValues(output.shape, rand);
    if (c.integerDy) dyValues.forEach((v, i) => (dyValues[i] = Math.floor(v * 4) + 5));
    const dy = tf.tensor(dyValues, output.shape);
    const attrs = {
      filterSize: [c.size, c.size],
      strides: [c.stride, c.stride],
      pad: c.pad,
      dimRoundingMode: undefined,
    };
    const actual = runChecked('MaxPoolGrad', { dy, input, output }, attrs);
    const expected = await cpuKernel(
      'MaxPoolGrad',
      { dy: host(dy), input: host(input), output: host(output) },
      attrs,
    );
    if (c.integerDy) {
      expect(actual.shape).toEqual(expected.shape);
      expect(Array.from(actual.values)).toEqual(Array.from(expected.values));
    } else {
      expectClose(actual, expected);
    }
    tf.dispose([input, output, dy]);
  });
});

// ---------------------------------------------------------------------------------------------
// BatchMatMul
// ---------------------------------------------------------------------------------------------

interface MatMulCase {
  name: string;
  transposeA: boolean;
  transposeB: boolean;
  batchA: number;
  batchB: number;
}

const MATMUL_CASES: MatMulCase[] = [];
for (const [batchA, batchB] of [
  [1, 1],
  [3, 3],
  [1, 3],
  [3, 1],
] as const) {
  for (const transposeA of [false, true]) {
    for (const transposeB of [false, true]) {
      MATMUL_CASES.push({
        name: `BatchMatMul batch ${batchA}x${batchB} transposeA=${transposeA} transposeB=${transposeB}`,
        transposeA,
        transposeB,
        batchA,
        batchB,
      });
    }
  }
}

describe('BatchMatMul', () => {
  it.each(named(MATMUL_CASES))('%s', async (_name, c) => {
    const rand = mulberry32(seedOf(c.name));
    const [m, k, n] = [5, 7, 4];
    const aShape = c.transposeA ? [c.batchA, k, m] : [c.batchA, m, k];
    const bShape = c.transposeB ? [c.batchB, n, k] : [c.batchB, k, n];
    const a = randomTensor(aShape, rand);
    const b = randomTensor(bShape, rand);
    const attrs = { transposeA: c.transposeA, transposeB: c.transposeB };
    const actual = runChecked('BatchMatMul', { a, b }, attrs);
    const expected = await cpuKernel('BatchMatMul', { a: host(a), b: host(b) }, attrs);
    expect(expected.shape).toEqual([Math.max(c.batchA, c.batchB), m, n]);
    expectClose(actual, expected);
    tf.dispose([a, b]);
  });
});

// ---------------------------------------------------------------------------------------------
// Sum
// ---------------------------------------------------------------------------------------------

interface SumCase {
  name: string;
  axis: number | number[];
  keepDims: boolean;
  dtype: 'float32' | 'int32';
}

const SUM_AXES: { axis: number | number[]; route: string }[] = [
  { axis: [0], route: 'leading' },
  { axis: 0, route: 'leading' },
  { axis: [0, 1], route: 'leading' },
  { axis: [1, 0], route: 'leading' },
  { axis: [0, 1, 2], route: 'leading' },
  { axis: [-4], route: 'leading' },
  { axis: [-4, -3], route: 'leading' },
  { axis: [0, -3, 2], route: 'leading' },
  { axis: [1], route: 'original' },
  { axis: [0, 2], route: 'original' },
  { axis: [-1], route: 'original' },
  { axis: [0, 1, 2, 3], route: 'original' },
];

const SUM_CASES: SumCase[] = [];
for (const { axis, route } of SUM_AXES) {
  for (const keepDims of [false, true]) {
    SUM_CASES.push({
      name: `Sum float32 axis ${JSON.stringify(axis)} keepDims=${keepDims} (${route})`,
      axis,
      keepDims,
      dtype: 'float32',
    });
  }
}
for (const axis of [[0], [0, 1], [1]]) {
  SUM_CASES.push({
    name: `Sum int32 axis ${JSON.stringify(axis)} keepDims=false (original)`,
    axis,
    keepDims: false,
    dtype: 'int32',
  });
}

describe('Sum', () => {
  it.each(named(SUM_CASES))('%s', async (_name, c) => {
    const rand = mulberry32(seedOf(c.name));
    const shape = [3, 4, 5, 6];
    const values = randomValues(shape, rand);
    const x =
      c.dtype === 'int32'
        ? tf.tensor(
            Int32Array.from(values, (v) => Math.round(v * 1000)),
            shape,
            'int32',
          )
        : tf.tensor(values, shape, 'float32');
    const attrs = { axis: c.axis, keepDims: c.keepDims };
    const actual = runChecked('Sum', { x }, attrs);
    const expected = await cpuKernel('Sum', { x: host(x) }, attrs);
    expect(actual.dtype).toBe(expected.dtype);
    if (c.dtype === 'int32') {
      expect(actual.shape).toEqual(expected.shape);
      expect(Array.from(actual.values)).toEqual(Array.from(expected.values));
    } else {
      expectClose(actual, expected);
    }
    x.dispose();
  });
});

// ---------------------------------------------------------------------------------------------
// The Conv2D gradient
// ---------------------------------------------------------------------------------------------

interface GradCase {
  name: string;
  k: number;
  s: number;
  d: number;
  pad: 'same' | 'valid';
  xShape: Shape4;
  co: number;
}

const GRAD_CASES: GradCase[] = (
  [
    [3, 1, 1, 'same', [2, 7, 8, 3], 4],
    [3, 2, 1, 'same', [2, 9, 8, 2], 3],
    [5, 2, 1, 'valid', [1, 11, 10, 3], 2],
    [1, 1, 1, 'valid', [3, 5, 6, 4], 5],
    [3, 1, 2, 'same', [2, 8, 7, 3], 4],
    [3, 1, 2, 'valid', [1, 9, 10, 2], 3],
    [5, 1, 2, 'same', [2, 10, 9, 2], 2],
  ] as const
).map(([k, s, d, pad, xShape, co]) => ({
  name: `conv2d gradient k${k} s${s} ${pad} d${d} ${label(xShape)}->${co}`,
  k,
  s,
  d,
  pad,
  xShape: [...xShape],
  co,
}));

function convGrads(x: tf.Tensor, filter: tf.Tensor, r: tf.Tensor, c: GradCase): { dx: Result; dW: Result } {
  const loss = (xx: tf.Tensor, ff: tf.Tensor): tf.Tensor =>
    tf.sum(tf.mul(tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, c.s, c.pad, 'NHWC', c.d), r));
  const [dx, dW] = tf.grads(loss)([x, filter]) as [tf.Tensor, tf.Tensor];
  const result = { dx: read(dx), dW: read(dW) };
  tf.dispose([dx, dW]);
  return result;
}

describe('Conv2D gradient', () => {
  it.each(named(GRAD_CASES))('%s', async (_name, c) => {
    const rand = mulberry32(seedOf(c.name));
    const filterShape: Shape4 = [c.k, c.k, c.xShape[3], c.co];
    const info = conv2dInfo(c.xShape, filterShape, c.s, c.d, c.pad);
    const x = randomTensor(c.xShape, rand);
    const filter = randomTensor(filterShape, rand);
    const r = randomTensor(info.outShape, rand);
    const tensorsBefore = tf.memory().numTensors;
    const idsBefore = numDataIds();
    const actual = convGrads(x, filter, r, c);
    expect(tf.memory().numTensors, 'the gradient left tensors behind').toBe(tensorsBefore);
    expect(numDataIds(), 'the gradient left wasm data ids behind').toBe(idsBefore);
    let expected: { dx: { shape: number[]; values: ArrayLike<number> }; dW: typeof expected.dx };
    if (c.d === 1) {
      const [hx, hf, hr] = [host(x), host(filter), host(r)];
      expected = await onCpu(() => {
        const copies = [hx, hf, hr].map((h) => tf.tensor(h.values, h.shape, h.dtype));
        const [cx, cf, cr] = copies as [tf.Tensor, tf.Tensor, tf.Tensor];
        const result = convGrads(cx, cf, cr, c);
        tf.dispose(copies);
        return result;
      });
    } else {
      const xv = x.dataSync() as Float32Array;
      const fv = filter.dataSync() as Float32Array;
      const rv = r.dataSync() as Float32Array;
      expected = {
        dx: { shape: c.xShape, values: refConv2DBackpropInput(rv, fv, info) },
        dW: { shape: filterShape, values: refConv2DBackpropFilter(xv, rv, info) },
      };
    }
    expectClose(actual.dx, expected.dx);
    expectClose(actual.dW, expected.dW);
    tf.dispose([x, filter, r]);
  });

  // Last in the file: a gradient that throws mid-backprop leaves the engine's tape holding the
  // tensors it saved for it.
  it('a dilated gradient on the cpu backend throws, naming the dilation', async () => {
    await onCpu(() => {
      const x = tf.ones<tf.Rank.R4>([1, 6, 6, 2]);
      const filter = tf.ones<tf.Rank.R4>([3, 3, 2, 2]);
      const loss = (xx: tf.Tensor, ff: tf.Tensor): tf.Tensor =>
        tf.sum(tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, 1, 'same', 'NHWC', 2));
      // The forward pass itself is fine on cpu.
      const y = loss(x, filter);
      expect(y.dataSync()[0]).toBeGreaterThan(0);
      y.dispose();
      expect(() => tf.grads(loss)([x, filter])).toThrow(/dilation/);
      tf.dispose([x, filter]);
    });
    expect(tf.getBackend()).toBe('wasm');
  });
});
