import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { BackendName } from '../shared/backends.ts';
import { mulberry32 } from '../shared/random.ts';
import { buildModel, type Architecture } from '../electron/engine/models/registry.ts';
import { DataParallelTrainer } from '../electron/engine/train/data-parallel.ts';
import { createOptimizer, disposeOptimizer } from '../electron/engine/train/optimizer.ts';
import { runSteps } from '../electron/engine/train/run-steps.ts';
import { countDispatches } from '../electron/engine/backend/webgpu/stats.ts';
import { fusedAdamStats } from '../electron/engine/train/fused-adam.ts';
import { fusedTrainingActive, setFusedTraining } from '../electron/engine/train/fused-layers.ts';
import { profileStep, type StepProfile } from './gpu-step-profile.ts';
import { round } from './round.ts';

// The other benches import round from here.
export { round };

export interface TrainBenchOptions {
  backend: BackendName;
  /** The architecture (default cnn4, the model facts.md measured). */
  arch?: Architecture;
  shape: [number, number, number];
  images: number;
  batch: number;
  replicas?: number;
  warmupBatches?: number;
  /** webgpu: false runs the unfused step (tfjs's kernel chains), for the before/after figure. */
  fused?: boolean;
  /** webgpu: also time one fused step's programs on the GPU (gpu-step-profile.ts). */
  profile?: boolean;
}

export interface TrainBenchResult {
  backend: string;
  model: Architecture;
  shape: string;
  batch: number;
  threads: number;
  train_img_s: number;
  infer_img_s: number;
  leaked_tensors: number;
  /** webgpu only: whether the fused step ran, and the GPU dispatches one step took (tfjs's and fused Adam's). */
  fused_step?: boolean;
  dispatches_per_step?: number;
  /** webgpu only: the median CPU time to queue one step's work (its synchronous part), ms. */
  enqueue_ms_per_step?: number;
  /** webgpu with profile: one step's GPU time by program; absent without timestamp queries. */
  profile?: StepProfile;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** GPU dispatches during one call of f on webgpu: tfjs's programs and fused Adam's. */
async function dispatchesOf(f: () => Promise<unknown>): Promise<number> {
  const counter = countDispatches(tf.backend());
  const adam = fusedAdamStats().fusedDispatches;
  try {
    await f();
  } finally {
    counter.stop();
  }
  return counter.count() + fusedAdamStats().fusedDispatches - adam;
}

/**
 * Trains a model (cnn4 unless told) for one epoch of uniform random images with Adam (the engine's own, as
 * training uses it) after a warm-up, then times inference over the same images: the benchmark of facts.md,
 * comparable with its figures. The backend must already be selected.
 */
export async function benchTrain(options: TrainBenchOptions): Promise<TrainBenchResult> {
  const { shape, images, batch } = options;
  const classes = 10;
  const pixels = shape[0] * shape[1] * shape[2];
  const random = mulberry32(7);
  const x = new Float32Array(batch * pixels).map(() => random());
  const y = new Float32Array(batch * classes);
  for (let i = 0; i < batch; i++) y[i * classes + Math.floor(random() * classes)] = 1;
  const arch = options.arch ?? 'cnn4';
  const model = buildModel(arch, { inputShape: shape, classes });
  const optimizer = createOptimizer({ kind: 'adam', learningRate: 1e-3 });
  const webgpu = options.backend === 'webgpu';
  if (webgpu) setFusedTraining(options.fused ?? true);
  const trainer = await DataParallelTrainer.create(model, optimizer, {
    backend: options.backend,
    ...(options.replicas === undefined ? {} : { replicas: options.replicas }),
  });
  try {
    for (let i = 0; i < (options.warmupBatches ?? 2); i++)
      await trainer.step({ x, y, n: batch }, shape, classes);
    const dispatches = webgpu
      ? await dispatchesOf(() => trainer.step({ x, y, n: batch }, shape, classes))
      : undefined;
    const fusedStep = webgpu ? fusedTrainingActive() : undefined;
    const profile =
      webgpu && options.profile === true && fusedStep === true && trainer.overlapsSteps
        ? await profileStep(tf.backend() as WebGPUBackend, () =>
            trainer.step({ x, y, n: batch }, shape, classes),
          )
        : undefined;
    const before = tf.memory().numTensors;
    const steps = Math.ceil(images / batch);
    const t0 = performance.now();
    // As training runs them (train/run-steps.ts): the next step queued before this one's loss is read where
    // the trainer allows it. A step's synchronous part (up to its first await, the read of its loss) is the
    // CPU's time to queue it.
    const enqueue: number[] = [];
    await runSteps(
      steps,
      () => ({ x, y, n: batch }),
      (b) => {
        const started = performance.now();
        const step = trainer.step(b, shape, classes);
        enqueue.push(performance.now() - started);
        return step;
      },
      () => undefined,
      { overlap: trainer.overlapsSteps },
    );
    const trainSeconds = (performance.now() - t0) / 1000;
    const input = tf.tensor(x, [batch, ...shape]);
    // An asynchronous read: webgpu's dataSync needs an OffscreenCanvas, which Node lacks.
    const infer = async (): Promise<void> => {
      const probs = model.predict(input) as tf.Tensor;
      try {
        await probs.data();
      } finally {
        probs.dispose();
      }
    };
    await infer();
    const t1 = performance.now();
    for (let i = 0; i < steps; i++) await infer();
    const inferSeconds = (performance.now() - t1) / 1000;
    input.dispose();
    return {
      backend: options.backend,
      model: arch,
      shape: shape.join('x'),
      batch,
      threads: trainer.replicaCount,
      train_img_s: round((steps * batch) / trainSeconds),
      infer_img_s: round((steps * batch) / inferSeconds),
      leaked_tensors: tf.memory().numTensors - before,
      ...(fusedStep === undefined ? {} : { fused_step: fusedStep }),
      ...(dispatches === undefined ? {} : { dispatches_per_step: dispatches }),
      ...(webgpu ? { enqueue_ms_per_step: round(median(enqueue)) } : {}),
      ...(profile === undefined ? {} : { profile }),
    };
  } finally {
    if (webgpu) setFusedTraining(true);
    await trainer.dispose();
    disposeOptimizer(optimizer);
    model.dispose();
  }
}
