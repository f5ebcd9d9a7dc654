/**
 * The project's WGSL convolution kernels (electron/engine/backend/webgpu) on a software GPU
 * (SwiftShader through Dawn), against float64 loops over the definition and against the cpu backend:
 * forward, fused bias + activation, both gradients, split-K, tf.grad and a tfjs-layers conv layer.
 * Every call checks that the project's program (not the package's) ran and that no tensor or GPU
 * data id leaked. SwiftShader compiles each pipeline in seconds and runs at a few MFLOP/s: the
 * shapes are tiny but chosen to reach every tile, the vec4 and scalar paths and both dilations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { releaseBackends } from '../../electron/engine/backend/probes.ts';
import { runConvBackpropFilter, planSplits } from '../../electron/engine/backend/webgpu/conv-run.ts';
import { TILES } from '../../electron/engine/backend/webgpu/gemm-core.ts';
import {
  packageWebgpuKernel,
  registerWebgpuKernels,
  WEBGPU_KERNEL_NAMES,
} from '../../electron/engine/backend/webgpu/register.ts';
import { projectProgramRuns, type ProgramKind } from '../../electron/engine/backend/webgpu/stats.ts';
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
} from '../engine/conv-reference.ts';
import { startWebgpuOnSwiftShader } from './swiftshader.ts';

const TOLERANCE = 1e-4;

const skipReason = await startWebgpuOnSwiftShader();

interface Case {
  x: Shape4;
  f: Shape4;
  stride: number;
  pad: Pad;
}

// Each case names the program variants it reaches: tile (by output channels), vec4 or scalar
// paths for the filter/output (output channels % 4) and for the gathered input (input channels % 4)
// and, for the input gradient, the stride as an input dilation. SwiftShader takes seconds to compile
// each pipeline, so the cases (and the tests below) are chosen to share pipelines while reaching
// every tile once and every vec4/scalar and dilation variant of the n32 tile, which the gradients use.
const CASES: Case[] = [
  { x: [2, 5, 7, 3], f: [3, 3, 3, 9], stride: 1, pad: 'same' }, // n32, scalar paths in and out
  { x: [3, 9, 7, 17], f: [5, 5, 17, 5], stride: 2, pad: 'valid' }, // 5x5, scalar dilated dx
  { x: [1, 6, 5, 4], f: [1, 1, 4, 64], stride: 1, pad: 'valid' }, // n64 vec4 in and out, 1x1
  { x: [2, 7, 6, 16], f: [3, 3, 16, 40], stride: 2, pad: 1 }, // numeric pad, vec4 dilated dx
  {
    x: [1, 5, 5, 8],
    f: [3, 3, 8, 70],
    stride: 1,
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  }, // n128 (two column groups per thread), asymmetric pads; dx: vec4 out, scalar gather
  { x: [2, 4, 6, 1], f: [3, 3, 1, 5], stride: 2, pad: 'same' }, // one input channel
];

function label(c: Case): string {
  const pad = typeof c.pad === 'object' ? 'explicit' : String(c.pad);
  return `x ${c.x.join('x')}, filter ${c.f.join('x')}, stride ${c.stride}, pad ${pad}`;
}

function attrs(c: Case): Record<string, unknown> {
  return { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dilations: 1 };
}

function backend(): WebGPUBackend {
  return tf.backend() as WebGPUBackend;
}

/**
 * Runs one kernel through the registry, reads its output, and requires that the project's `kind`
 * program ran exactly once and that no tensor or backend data id was left behind.
 */
async function runChecked(
  name: string,
  inputs: tf.NamedTensorMap,
  kernelAttrs: Record<string, unknown>,
  kind: ProgramKind | null,
): Promise<Float32Array> {
  const tensors = tf.memory().numTensors;
  const ids = backend().numDataIds();
  const runs = projectProgramRuns();
  const out = tf.engine().runKernel<tf.Tensor>(name, inputs, kernelAttrs as unknown as tf.NamedAttrMap);
  const values = (await out.data()) as Float32Array;
  out.dispose();
  const after = projectProgramRuns();
  for (const k of Object.keys(after) as ProgramKind[])
    expect(after[k] - runs[k], `${name}: runs of the project's ${k} program`).toBe(k === kind ? 1 : 0);
  expect(tf.memory().numTensors, `${name} left tensors`).toBe(tensors);
  expect(backend().numDataIds(), `${name} left GPU data`).toBe(ids);
  return values;
}

describe.skipIf(skipReason !== undefined)(
  `project WGSL convolution kernels on webgpu${skipReason === undefined ? ' (SwiftShader)' : ` (skipped: ${skipReason})`}`,
  () => {
    beforeAll(async () => {
      await tf.setBackend('webgpu');
      registerWebgpuKernels();
    });
    afterAll(() => {
      releaseBackends();
    });

    it('replaces the package kernels once, keeping them for fall-backs', () => {
      registerWebgpuKernels();
      for (const name of WEBGPU_KERNEL_NAMES) {
        const current = tf.getKernel(name, 'webgpu');
        const original = packageWebgpuKernel(name);
        expect(current, name).toBeDefined();
        expect(original, name).toBeDefined();
        expect(current?.kernelFunc, name).not.toBe(original?.kernelFunc);
      }
    });

    describe.each(CASES.map((c) => [label(c), c] as const))('%s', (_, c) => {
      const info = conv2dInfo(c.x, c.f, c.stride, 1, c.pad);
      const rand = mulberry32(c.x.reduce((a, b) => a * 31 + b, c.f[3]));
      const xv = randomValues(c.x, rand);
      const fv = randomValues(c.f, rand);
      const dyv = randomValues(info.outShape, rand);

      it('forward', async () => {
        const x = tf.tensor4d(xv, c.x);
        const f = tf.tensor4d(fv, c.f);
        const y = await runChecked('Conv2D', { x, filter: f }, attrs(c), 'forward');
        tf.dispose([x, f]);
        expect(relativeError(y, refConv2D(xv, fv, info))).toBeLessThan(TOLERANCE);
      });

      it('input gradient', async () => {
        const dy = tf.tensor4d(dyv, info.outShape);
        const f = tf.tensor4d(fv, c.f);
        const dx = await runChecked(
          'Conv2DBackpropInput',
          { dy, filter: f },
          { ...attrs(c), inputShape: c.x },
          'input-gradient',
        );
        tf.dispose([dy, f]);
        expect(relativeError(dx, refConv2DBackpropInput(dyv, fv, info))).toBeLessThan(TOLERANCE);
      });

      it('filter gradient', async () => {
        const x = tf.tensor4d(xv, c.x);
        const dy = tf.tensor4d(dyv, info.outShape);
        const dw = await runChecked(
          'Conv2DBackpropFilter',
          { x, dy },
          { ...attrs(c), filterShape: c.f },
          'filter-gradient',
        );
        tf.dispose([x, dy]);
        expect(relativeError(dw, refConv2DBackpropFilter(xv, dyv, info))).toBeLessThan(TOLERANCE);
      });
    });

    it('fuses a per-channel or scalar bias and every supported activation', async () => {
      const c: Case = { x: [2, 5, 6, 8], f: [3, 3, 8, 8], stride: 1, pad: 'same' };
      const info = conv2dInfo(c.x, c.f, 1, 1, 'same');
      const rand = mulberry32(7);
      const xv = randomValues(c.x, rand);
      const fv = randomValues(c.f, rand);
      const conv = refConv2D(xv, fv, info);
      const activations: Record<string, (v: number) => number> = {
        linear: (v) => v,
        relu: (v) => Math.max(v, 0),
        relu6: (v) => Math.min(Math.max(v, 0), 6),
        leakyrelu: (v) => (v >= 0 ? v : 0.3 * v),
        elu: (v) => (v >= 0 ? v : Math.exp(v) - 1),
        sigmoid: (v) => 1 / (1 + Math.exp(-v)),
      };
      const x = tf.tensor4d(xv, c.x);
      const f = tf.tensor4d(fv, c.f);
      for (const [biasShape, biasValues] of [
        [[8], randomValues([8], rand)],
        [[1], Float32Array.of(0.25)],
      ] as const) {
        const bias = tf.tensor(biasValues, [...biasShape]);
        for (const [activation, act] of Object.entries(activations)) {
          const y = await runChecked(
            'FusedConv2D',
            { x, filter: f, bias },
            { ...attrs(c), activation, leakyreluAlpha: 0.3 },
            'forward',
          );
          const expected = conv.map((v, i) => act(v + (biasValues[biasShape[0] === 1 ? 0 : i % 8] ?? 0)));
          expect(relativeError(y, expected), `${activation}, bias ${biasShape.join('x')}`).toBeLessThan(
            TOLERANCE,
          );
        }
        bias.dispose();
      }
      tf.dispose([x, f]);
    });

    it('leaves dilated convolutions to the package kernel', async () => {
      const c: Case = { x: [1, 7, 7, 2], f: [3, 3, 2, 4], stride: 1, pad: 'same' };
      const info = conv2dInfo(c.x, c.f, 1, 2, 'same');
      const rand = mulberry32(11);
      const xv = randomValues(c.x, rand);
      const fv = randomValues(c.f, rand);
      const x = tf.tensor4d(xv, c.x);
      const f = tf.tensor4d(fv, c.f);
      const y = await runChecked('Conv2D', { x, filter: f }, { ...attrs(c), dilations: 2 }, null);
      tf.dispose([x, f]);
      expect(relativeError(y, refConv2D(xv, fv, info))).toBeLessThan(TOLERANCE);
    });

    it('splits a long filter-gradient reduction across workgroups and folds the slices', async () => {
      const c: Case = { x: [2, 12, 12, 4], f: [3, 3, 4, 8], stride: 1, pad: 'same' };
      const info = conv2dInfo(c.x, c.f, 1, 1, 'same');
      const options = { targetWorkgroups: 64, minChunk: 16, maxPartial: 1 << 20 };
      const tile = TILES[0];
      if (tile === undefined) throw new Error('no tiles');
      expect(planSplits(36, 8, 288, tile, options)).toEqual({ splits: 18, chunk: 16 });
      const rand = mulberry32(13);
      const xv = randomValues(c.x, rand);
      const dyv = randomValues(info.outShape, rand);
      const x = tf.tensor4d(xv, c.x);
      const dy = tf.tensor4d(dyv, info.outShape);
      const ids = backend().numDataIds();
      const convInfo = tf.backend_util.computeConv2DInfo(c.x, c.f, 1, 1, 'same');
      const out = runConvBackpropFilter(backend(), x, dy, convInfo, options);
      const dw = tf.engine().makeTensorFromTensorInfo(out);
      const values = await dw.data();
      tf.dispose([dw, x, dy]);
      expect(backend().numDataIds()).toBe(ids - 2);
      expect(relativeError(values, refConv2DBackpropFilter(xv, dyv, info))).toBeLessThan(TOLERANCE);
    });

    it('plans splits within the workgroup, chunk and memory limits', () => {
      const tile = TILES[1];
      if (tile === undefined) throw new Error('no tiles');
      // cnn4's last convolution at batch 512: 576 x 64 outputs, 100,352 reduction rows.
      const plan = planSplits(576, 64, 512 * 14 * 14, tile);
      expect(plan.chunk % tile.bk).toBe(0);
      expect(plan.chunk).toBeGreaterThanOrEqual(512);
      expect(plan.splits * plan.chunk).toBeGreaterThanOrEqual(512 * 14 * 14);
      expect((plan.splits - 1) * plan.chunk).toBeLessThan(512 * 14 * 14);
      expect(Math.ceil(576 / 128) * plan.splits).toBeLessThanOrEqual(1024 + 5);
      expect(planSplits(9, 8, 100, tile)).toEqual({ splits: 1, chunk: 112 });
      expect(planSplits(9, 8, 0, tile)).toEqual({ splits: 1, chunk: tile.bk });
    });

    /** Runs `fn` on the cpu backend and switches back to webgpu. */
    async function onCpu<T>(fn: () => Promise<T>): Promise<T> {
      await tf.setBackend('cpu');
      try {
        return await fn();
      } finally {
        await tf.setBackend('webgpu');
      }
    }

    it('tf.grad through tf.conv2d runs the project kernels and equals the cpu backend', async () => {
      const c: Case = { x: [2, 6, 5, 3], f: [3, 3, 3, 5], stride: 2, pad: 'same' };
      const info = conv2dInfo(c.x, c.f, 2, 1, 'same');
      const rand = mulberry32(17);
      const [xv, fv, wv] = [
        randomValues(c.x, rand),
        randomValues(c.f, rand),
        randomValues(info.outShape, rand),
      ];
      const grads = async (): Promise<Float32Array[]> => {
        const [x, f, w] = [tf.tensor4d(xv, c.x), tf.tensor4d(fv, c.f), tf.tensor4d(wv, info.outShape)];
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'), w)),
        )([x, f]);
        const values = await Promise.all(g.map(async (t) => (await t.data()) as Float32Array));
        tf.dispose([x, f, w, ...g]);
        return values;
      };
      const tensors = tf.memory().numTensors;
      const runs = projectProgramRuns();
      const gpu = await grads();
      const after = projectProgramRuns();
      expect(after.forward - runs.forward).toBe(1);
      expect(after['input-gradient'] - runs['input-gradient']).toBe(1);
      expect(after['filter-gradient'] - runs['filter-gradient']).toBe(1);
      expect(tf.memory().numTensors).toBe(tensors);
      const cpu = await onCpu(grads);
      expect(relativeError(gpu[0] as Float32Array, cpu[0] as Float32Array)).toBeLessThan(TOLERANCE);
      expect(relativeError(gpu[1] as Float32Array, cpu[1] as Float32Array)).toBeLessThan(TOLERANCE);
    });

    it('tfjs-layers conv layers with relu train and predict through the project kernels', async () => {
      const inputShape: [number, number, number] = [6, 6, 4];
      const rand = mulberry32(19);
      const xv = randomValues([2, ...inputShape], rand);
      const weights: [Float32Array, number[]][] = [
        [randomValues([3, 3, 4, 8], rand), [3, 3, 4, 8]],
        [randomValues([8], rand), [8]],
        [randomValues([3, 3, 8, 4], rand), [3, 3, 8, 4]],
        [randomValues([4], rand), [4]],
      ];
      const run = async (): Promise<Float32Array[]> => {
        const conv = (filters: number): tf.layers.Layer =>
          tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu' });
        const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape }), conv(8), conv(4)] });
        const initial = weights.map(([v, shape]) => tf.tensor(v, shape));
        model.setWeights(initial);
        tf.dispose(initial);
        const x = tf.tensor4d(xv, [2, ...inputShape]);
        // Inference: FusedConv2D with bias and relu.
        const y = model.predict(x) as tf.Tensor;
        // Training: tfjs unfuses relu under a gradient, so Conv2D and both backprops run.
        const { value, grads } = tf.variableGrads(() =>
          tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)),
        );
        const ordered = model.trainableWeights.map((w) => grads[w.name]);
        const values = await Promise.all(
          [y, ...ordered].map(async (t) => {
            if (t === undefined) throw new Error('missing gradient');
            return (await t.data()) as Float32Array;
          }),
        );
        tf.dispose([x, y, value, ...Object.values(grads)]);
        model.dispose();
        return values;
      };
      const tensors = tf.memory().numTensors;
      const runs = projectProgramRuns();
      const gpu = await run();
      const after = projectProgramRuns();
      expect(after.forward - runs.forward).toBe(4);
      // The model's input needs no gradient, the second layer's does.
      expect(after['input-gradient'] - runs['input-gradient']).toBe(1);
      expect(after['filter-gradient'] - runs['filter-gradient']).toBe(2);
      expect(tf.memory().numTensors).toBe(tensors);
      const cpu = await onCpu(run);
      expect(gpu).toHaveLength(5);
      gpu.forEach((g, i) => {
        expect(relativeError(g, cpu[i] as Float32Array), `output ${i}`).toBeLessThan(TOLERANCE);
      });
    });
  },
);
