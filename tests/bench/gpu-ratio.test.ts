import { describe, expect, it } from 'vitest';
import { gpuCases, gpuScale, timedSteps } from '../../bench/gpu-cases.ts';
import {
  convFlops,
  gpuRatios,
  measuredConvShapes,
  parseJsonLines,
  type BenchRecord,
} from '../../bench/gpu-ratio.ts';
import { gpuSummaryMarkdown } from '../../bench/gpu-summary.ts';
import { parseProgramTimes, sumByProgram } from '../../bench/gpu-step-profile.ts';

const ours = (model: string, shape: string, batch: number, img: number): BenchRecord => ({
  bench: 'gpu-train',
  backend: 'webgpu',
  model,
  shape,
  batch,
  train_img_s: img,
});
const torch = (model: string, shape: string, batch: number, img: number): BenchRecord => ({
  bench: 'torch-train',
  backend: 'pytorch-cuda',
  model,
  shape,
  batch,
  train_img_s: img,
});
const kernel = (bench: string, backend: string, name: string, gflops: number): BenchRecord => ({
  bench,
  backend,
  kernel: name,
  shape: '64x28x28x32->64 3x3',
  gflop_s: gflops,
});

describe('parseJsonLines', () => {
  it('keeps JSON objects and sets every other line apart', () => {
    const { records, other } = parseJsonLines(
      '{"bench":"a"}\r\nWarning: vkCreateInstance failed\n\n[1,2]\n  {"bench":"b","x":1}  \n{broken',
    );
    expect(records).toEqual([{ bench: 'a' }, { bench: 'b', x: 1 }]);
    expect(other).toEqual(['Warning: vkCreateInstance failed', '[1,2]', '{broken']);
  });
});

describe('gpuRatios', () => {
  it('pairs training cases by model, shape and batch, and kernels by name and shape', () => {
    const records = [
      ours('cnn4', '28x28x1', 128, 1600),
      ours('cnn4', '28x28x1', 512, 1400),
      torch('cnn4', '28x28x1', 512, 140000),
      torch('cnn4', '28x28x1', 128, 40000),
      torch('cnn4', '32x32x3', 128, 36000), // ours missing: no ratio
      kernel('kernel', 'webgpu', 'Conv2D', 155),
      kernel('torch-kernel', 'pytorch-cuda', 'Conv2D', 31000),
    ];
    expect(gpuRatios(records)).toEqual([
      {
        bench: 'gpu-ratio',
        kind: 'train',
        case: 'cnn4 28x28x1 b128',
        ours: 'webgpu',
        peer: 'pytorch-cuda',
        ours_value: 1600,
        peer_value: 40000,
        ratio: 0.04,
      },
      expect.objectContaining({ case: 'cnn4 28x28x1 b512', ratio: 0.01 }),
      expect.objectContaining({
        kind: 'kernel',
        case: 'Conv2D 64x28x28x32->64 3x3',
        ours: 'webgpu',
        peer: 'pytorch-cuda',
        ratio: 0.005,
      }),
    ]);
  });

  it("reads bench/webgpu-conv-bench.ts's lines: the package's kernel, its im2col path and the project's", () => {
    const records = [
      {
        bench: 'webgpu-conv',
        kernel: 'Conv2D',
        shape: '128x28x28x32->32 3x3',
        tfjs_tflops: 0.2,
        tfjs_ms: 0.5,
        project_tflops: 2,
        im2col_tflops: 0.4,
        speedup: 10,
      },
      { bench: 'webgpu-conv', kernel: 'Conv2DBackpropFilter', shape: '128x28x28x32->32 3x3', tfjs_tflops: 0 },
      { ...kernel('torch-kernel', 'pytorch-cuda', 'Conv2D', 40000), shape: '128x28x28x32->32 3x3' },
      {
        ...kernel('torch-kernel', 'pytorch-cuda', 'Conv2DBackpropFilter', 40000),
        shape: '128x28x28x32->32 3x3',
      },
    ];
    // tfjs from its milliseconds: 128*28*28*32*32*9*2 = 1.85 GFLOP in 0.5 ms.
    expect(gpuRatios(records).map((r) => [r.ours, r.ours_value, r.ratio])).toEqual([
      ['webgpu tfjs', 3699, 0.0925],
      ['webgpu tfjs im2col', 400, 0.01],
      ['webgpu project', 2000, 0.05],
    ]);
    expect(measuredConvShapes([...records, kernel('kernel', 'webgpu', 'Conv2D', 1)])).toEqual([
      '128x28x28x32->32 3x3',
      '64x28x28x32->64 3x3',
    ]);
  });

  it('gives no ratio for a zero, negative, non-numeric or missing throughput', () => {
    const records = [
      ours('cnn4', '28x28x1', 128, 0),
      torch('cnn4', '28x28x1', 128, 40000),
      ours('resnet20', '32x32x3', 128, 500),
      { ...torch('resnet20', '32x32x3', 128, 1), train_img_s: 'fast' },
      ours('allconv9', '32x32x3', 128, -5),
      torch('allconv9', '32x32x3', 128, 9000),
    ];
    expect(gpuRatios(records)).toEqual([]);
  });
});

describe('convFlops', () => {
  it('counts two operations per multiply-add of a 3x3 convolution, and refuses other texts', () => {
    expect(convFlops('64x28x28x32->64 3x3')).toBe(2 * 64 * 28 * 28 * 32 * 64 * 9);
    expect(convFlops('64x28x28x32->64 5x5')).toBeUndefined();
    expect(convFlops('cnn4')).toBeUndefined();
  });
});

describe('gpuSummaryMarkdown', () => {
  const records: BenchRecord[] = [
    { bench: 'gpu-env', backend: 'webgpu', device: 'NVIDIA H200', node: 'v20.20.2' },
    { bench: 'gpu-env', backend: 'webgpu', device: 'NVIDIA H200', node: 'v20.20.2' },
    { bench: 'torch-env', torch: '2.11.0', cuda: '13.0', cudnn: 91000, device: 'NVIDIA H200', tf32: false },
    ours('cnn4', '28x28x1', 128, 1679.4),
    torch('cnn4', '28x28x1', 128, 36161),
    torch('cnn4', '28x28x1', 2048, 175800),
    kernel('kernel', 'webgpu', 'Conv2D', 155),
    kernel('torch-kernel', 'pytorch-cuda', 'Conv2D', 31000),
    {
      bench: 'gpu-study',
      command: 'deepcorrect study',
      rc: 124,
      wall_s: 150,
      timed_out: true,
      stages: 'baseline evaluation: 24.8 s',
    },
    { bench: 'gpu-step', step: 'train', rc: 0, wall_s: 80, budget_s: 170, timed_out: false },
    { bench: 'skip', step: 'node', reason: 'no .gpu' },
  ];
  const md = gpuSummaryMarkdown(records, 'GPU run 2026-12-05 (NVIDIA H200)');

  it('shows both sides, the ratio and "-" where one side is missing', () => {
    expect(md).toContain('# GPU run 2026-12-05 (NVIDIA H200)');
    expect(md).toContain('| cnn4 | 28x28x1 | 128 | 1,679 | 36,161 | 0.0464 |');
    expect(md).toContain('| cnn4 | 28x28x1 | 2048 | - | 175,800 | - |');
    expect(md).toContain('| Conv2D | 64x28x28x32->64 3x3 | 0.155 | 31 | 0.005 |');
    expect(md).toContain('| train | ok | 80 | 170 |');
  });

  it('names the environment once, the study outcome and what was skipped', () => {
    expect(md.match(/- ours: webgpu on NVIDIA H200/g)).toHaveLength(1);
    expect(md).toContain('PyTorch 2.11.0, CUDA 13.0, cuDNN 91000 on NVIDIA H200, float32, TF32 off');
    expect(md).toContain(
      '`deepcorrect study`: did not finish within its 150 s budget (baseline evaluation: 24.8 s)',
    );
    expect(md).toContain('- skip: node: no .gpu');
  });

  it('leaves out sections that have no lines', () => {
    const bare = gpuSummaryMarkdown([ours('cnn4', '28x28x1', 128, 2.5)], 'SwiftShader');
    expect(bare).toContain('| cnn4 | 28x28x1 | 128 | 2.5 | - | - |');
    expect(bare).not.toContain('Convolution');
    expect(bare).not.toContain('## Study');
    expect(bare).not.toContain('Fused training step');
  });

  it('sets the unfused step beside the fused one, with dispatches, outside the side-by-side table', () => {
    const fusedRun = {
      ...ours('cnn4', '28x28x1', 512, 20000),
      dispatches_per_step: 58,
      enqueue_ms_per_step: 9.5,
    };
    const unfused = {
      ...ours('cnn4', '28x28x1', 512, 10000),
      bench: 'gpu-train-unfused',
      dispatches_per_step: 103,
      enqueue_ms_per_step: 21,
    };
    const md = gpuSummaryMarkdown([unfused, fusedRun, torch('cnn4', '28x28x1', 512, 131318)], 'H200');
    expect(md).toContain('| cnn4 | 28x28x1 | 512 | 10,000 (103, 21 ms) | 20,000 (58, 9.5 ms) | 2 |');
    expect(md).toContain('| cnn4 | 28x28x1 | 512 | 20,000 | 131,318 | 0.152 |');
    expect(md.match(/\| 10,000/g)).toHaveLength(1);
  });

  it('lists a profiled step’s programs beside the step’s unprofiled time, and nothing without a profile', () => {
    const profiled = {
      ...ours('cnn4', '28x28x1', 512, 20000),
      profile: {
        timed_ms: 21.5,
        programs: [
          { name: 'ConvGemmProgram', ms: 12.25, count: 6 },
          { name: 'FilterGradProgram', ms: 9.25, count: 3 },
        ],
      },
    };
    const md = gpuSummaryMarkdown([profiled], 'H200');
    expect(md).toContain('## Where one fused step’s GPU time goes');
    // 512 images at 20,000 images/s: 25.6 ms a step.
    expect(md).toContain(
      '- cnn4 28x28x1 batch 512: programs 21.5 ms on the GPU; a step trains in 25.6 ms unprofiled',
    );
    expect(md).toContain('  - ConvGemmProgram: 12.25 ms (6x)\n  - FilterGradProgram: 9.25 ms (3x)');
    expect(gpuSummaryMarkdown([ours('cnn4', '28x28x1', 512, 20000)], 'H200')).not.toContain('GPU time goes');
  });
});

describe('the step profile', () => {
  it('reads tfjs’s "name: ms" list and sums it by program, largest first', () => {
    const times = parseProgramTimes(
      'ConvGemmProgram: 1.5, ReluBackprop: 0.25, ConvGemmProgram: 2, Odd: NaN, ',
    );
    expect(times).toEqual([
      { name: 'ConvGemmProgram', ms: 1.5 },
      { name: 'ReluBackprop', ms: 0.25 },
      { name: 'ConvGemmProgram', ms: 2 },
    ]);
    expect(sumByProgram(times, 1)).toEqual({
      timed_ms: 3.75,
      programs: [{ name: 'ConvGemmProgram', ms: 3.5, count: 2 }],
    });
  });
});

describe('the GPU cases', () => {
  it('time at least minSteps batches and enough for the images', () => {
    expect(timedSteps(128, 4096, 2)).toBe(32);
    expect(timedSteps(2048, 4096, 2)).toBe(2);
    expect(timedSteps(3000, 4096, 1)).toBe(2);
    expect(timedSteps(8192, 4096, 2)).toBe(2);
  });

  it('hold the brief: cnn4 at both shapes and three batches, allconv9 and resnet20 at 32x32x3', () => {
    const full = gpuCases('full').train.map((c) => `${c.model} ${c.shape.join('x')} ${c.batch}`);
    for (const shape of ['28x28x1', '32x32x3'])
      for (const batch of [128, 512, 2048]) expect(full).toContain(`cnn4 ${shape} ${batch}`);
    expect(full).toContain('allconv9 32x32x3 128');
    expect(full).toContain('resnet20 32x32x3 128');
  });

  it('scale down on a software adapter unless told', () => {
    expect(gpuScale(true, {})).toBe('tiny');
    expect(gpuScale(false, {})).toBe('full');
    expect(gpuScale(true, { DEEPCORRECT_GPU_SCALE: 'full' })).toBe('full');
    expect(gpuScale(false, { DEEPCORRECT_GPU_SCALE: 'tiny' })).toBe('tiny');
  });
});
