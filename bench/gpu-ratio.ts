/**
 * The GPU run's JSON lines turned into ratio lines and a short Markdown table. Pure functions over
 * parsed records, so the summary of a run on a machine without Node's sources can be rebuilt anywhere
 * from its bench.jsonl.
 */
import { round } from './round.ts';

export type BenchRecord = Record<string, unknown>;

/** The key both sides' result lines share for a training case, e.g. "cnn4 28x28x1 b128". */
export function trainCaseKey(model: string, shape: string, batch: number): string {
  return `${model} ${shape} b${batch}`;
}

export interface GpuRatio {
  bench: 'gpu-ratio';
  kind: 'train' | 'kernel';
  /** e.g. "cnn4 28x28x1 b128" or "Conv2D 64x28x28x32->64 3x3". */
  case: string;
  ours: string;
  peer: string;
  /** images/s for training, GFLOP/s for kernels. */
  ours_value: number;
  peer_value: number;
  ratio: number;
}

function isRecord(value: unknown): value is BenchRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every JSON object line of a run's output; anything else (a native warning on stdout) is returned apart. */
export function parseJsonLines(text: string): { records: BenchRecord[]; other: string[] } {
  const records: BenchRecord[] = [];
  const other: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      other.push(trimmed);
      continue;
    }
    if (isRecord(parsed)) records.push(parsed);
    else other.push(trimmed);
  }
  return { records, other };
}

const str = (r: BenchRecord, key: string): string | undefined =>
  typeof r[key] === 'string' ? r[key] : undefined;

/** A finite positive number, or undefined: a 0 or NaN throughput has no meaningful ratio. */
const num = (r: BenchRecord, key: string): number | undefined => {
  const v = r[key];
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
};

/** One side's figure for one case: images/s for training, GFLOP/s for a kernel. */
export interface Measure {
  /** e.g. "cnn4 28x28x1 b128" or "Conv2D 64x28x28x32->64 3x3". */
  key: string;
  /** The backend, with the implementation for our kernels ("webgpu project"). */
  who: string;
  value: number;
}

function trainMeasures(records: BenchRecord[], bench: string): Measure[] {
  return records.flatMap((r) => {
    const [model, shape, batch, value, who] = [
      str(r, 'model'),
      str(r, 'shape'),
      num(r, 'batch'),
      num(r, 'train_img_s'),
      str(r, 'backend'),
    ];
    if (r['bench'] !== bench || !model || !shape || !batch || !value || !who) return [];
    return [{ key: trainCaseKey(model, shape, batch), who, value }];
  });
}

/**
 * Kernel speeds in GFLOP/s. PyTorch's lines (`torch-kernel`) and bench/kernel-bench.ts's (`kernel`) carry
 * gflop_s; bench/webgpu-conv-bench.ts's (`webgpu-conv`) carry TFLOP/s of the package's kernel, the
 * project's and, for the forward pass, the package's im2col path: one measure each.
 */
export function kernelValues(records: BenchRecord[], peer: boolean): Measure[] {
  return records.flatMap((r) => {
    const [kernel, shape] = [str(r, 'kernel'), str(r, 'shape')];
    if (!kernel || !shape) return [];
    const key = `${kernel} ${shape}`;
    const backend = str(r, 'backend');
    if (peer) {
      const value = num(r, 'gflop_s');
      return r['bench'] === 'torch-kernel' && value && backend ? [{ key, who: backend, value }] : [];
    }
    if (r['bench'] === 'kernel') {
      const value = num(r, 'gflop_s');
      return value && backend ? [{ key, who: backend, value }] : [];
    }
    if (r['bench'] !== 'webgpu-conv') return [];
    const flops = convFlops(shape);
    return WEBGPU_CONV_COLUMNS.flatMap(([msField, tflopsField, who]) => {
      // From the milliseconds where the line has them: its TFLOP/s are rounded to 0.001, which is 0 on SwiftShader.
      const ms = msField === undefined ? undefined : num(r, msField);
      const tflops = num(r, tflopsField);
      const value = ms !== undefined && flops !== undefined ? flops / ms / 1e6 : tflops && tflops * 1000;
      return value ? [{ key, who, value }] : [];
    });
  });
}

/** bench/webgpu-conv-bench.ts's fields (milliseconds, TFLOP/s) and the names they get here. */
const WEBGPU_CONV_COLUMNS: readonly (readonly [string | undefined, string, string])[] = [
  ['tfjs_ms', 'tfjs_tflops', 'webgpu tfjs'],
  [undefined, 'im2col_tflops', 'webgpu tfjs im2col'],
  ['project_ms', 'project_tflops', 'webgpu project'],
];

/** Floating-point operations of a 3x3 same convolution written "NxHxWxCI->CO 3x3" (2 per multiply-add). */
export function convFlops(shape: string): number | undefined {
  const m = /^(\d+)x(\d+)x(\d+)x(\d+)->(\d+) 3x3$/.exec(shape.trim());
  if (m === null) return undefined;
  const [n, h, w, ci, co] = m.slice(1).map(Number) as [number, number, number, number, number];
  return 2 * n * h * w * ci * co * 9;
}

/** The convolution shapes our side measured, in order, so the PyTorch peer can time exactly those. */
export function measuredConvShapes(records: BenchRecord[]): string[] {
  const shapes = records
    .filter((r) => r['bench'] === 'webgpu-conv' || r['bench'] === 'kernel')
    .map((r) => str(r, 'shape'))
    .filter((s): s is string => s !== undefined);
  return [...new Set(shapes)];
}

function pair(kind: GpuRatio['kind'], ours: Measure[], peers: Measure[]): GpuRatio[] {
  return ours.flatMap((o) =>
    peers
      .filter((p) => p.key === o.key)
      .map((p) => ({
        bench: 'gpu-ratio' as const,
        kind,
        case: o.key,
        ours: o.who,
        peer: p.who,
        ours_value: Number(o.value.toPrecision(4)),
        peer_value: Number(p.value.toPrecision(4)),
        ratio: round(o.value / p.value, 4),
      })),
  );
}

/**
 * One ratio line per case both sides measured: our webgpu training (`gpu-train` lines) against PyTorch's
 * (`torch-train`), each of our kernels (`kernel`, `webgpu-conv`) against PyTorch's (`torch-kernel`). A case
 * only one side has gets no line.
 */
export function gpuRatios(records: BenchRecord[]): GpuRatio[] {
  return [
    ...pair('train', trainMeasures(records, 'gpu-train'), trainMeasures(records, 'torch-train')),
    ...pair('kernel', kernelValues(records, false), kernelValues(records, true)),
  ];
}
