/**
 * The GPU side-by-side cases, read from gpu-cases.json so that the webgpu bench and the PyTorch CUDA
 * peer (bench/torch_gpu.py reads the same file) measure exactly the same models, shapes and batches.
 */
import { z } from 'zod';
import { ARCHITECTURES } from '../electron/engine/models/registry.ts';
import type { ConvShape } from './kernel-bench.ts';
import raw from './gpu-cases.json' with { type: 'json' };

const positive = z.number().int().positive();

const convShape: z.ZodType<ConvShape> = z.object({
  n: positive,
  h: positive,
  w: positive,
  ci: positive,
  co: positive,
});

const trainCase = z.object({
  model: z.enum(ARCHITECTURES),
  shape: z.tuple([positive, positive, positive]),
  batch: positive,
  /** Our timed images for this case, where the set's oursImages would take too long (allconv9, resnet20). */
  images: positive.optional(),
  /** Also time our unfused step (tfjs's kernel chains, train/fused-layers.ts off) for the before/after figure. */
  unfused: z.boolean().optional(),
  /** Also time one fused step's programs on the GPU (bench/gpu-step-profile.ts): where its time goes. */
  profile: z.boolean().optional(),
});

const caseSet = z.object({
  train: z.array(trainCase).min(1),
  /** Images in our timed epoch (at least minSteps batches). */
  oursImages: positive,
  /** PyTorch's timed images: it is ~30-100x faster, so it needs more steps for a stable time. */
  torchImages: positive,
  minSteps: positive,
  warmupSteps: z.number().int().nonnegative(),
  conv: z.array(convShape).min(1),
  convRepeats: positive,
});

export type GpuTrainCase = z.infer<typeof trainCase>;
export type GpuCaseSet = z.infer<typeof caseSet>;
/** `full` for a real GPU; `tiny` for SwiftShader, which runs a cnn4 step at batch 32 in ~30 s. */
export type GpuScale = 'full' | 'tiny';

const CASES = z.object({ full: caseSet, tiny: caseSet }).parse(raw);

export function gpuCases(scale: GpuScale): GpuCaseSet {
  return CASES[scale];
}

/** Timed steps for one case: enough batches for `images`, never fewer than `minSteps`. */
export function timedSteps(batch: number, images: number, minSteps: number): number {
  return Math.max(minSteps, Math.ceil(images / batch));
}

export const GPU_SCALE_ENV = 'DEEPCORRECT_GPU_SCALE';

/** Tiny sizes on a software adapter (SwiftShader), unless DEEPCORRECT_GPU_SCALE says otherwise. */
export function gpuScale(software: boolean, env: NodeJS.ProcessEnv = process.env): GpuScale {
  const forced = env[GPU_SCALE_ENV];
  if (forced === 'full' || forced === 'tiny') return forced;
  return software ? 'tiny' : 'full';
}
