import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../shared/backends.ts';
import { CORRECT_DEFAULTS } from '../shared/bridge/defaults.ts';
import { mulberry32, shuffledIndices } from '../shared/random.ts';
import { buildCorrectedModel, type PlanEntry } from '../electron/engine/correct/build.ts';
import { copyModel, FINE_TUNE_OPTIMIZER } from '../electron/engine/correct/fine-tune.ts';
import { UNIT_OPTIMIZER } from '../electron/engine/correct/train-correction.ts';
import { loadModel } from '../electron/engine/models/model-io.ts';
import { buildModel, summarize } from '../electron/engine/models/registry.ts';
import { demoModelDir } from '../electron/engine/resources.ts';
import { DataParallelTrainer, type Batch } from '../electron/engine/train/data-parallel.ts';
import { createOptimizer, disposeOptimizer } from '../electron/engine/train/optimizer.ts';
import { round } from './round.ts';

/** A comparison the issue sets a target for: units on the first two conv layers at beta 0.5. */
export interface UnitBenchCase {
  name: 'demo' | 'resnet20';
  shape: [number, number, number];
}

export const UNIT_CASES: readonly UnitBenchCase[] = [
  // The bundled demo: its trained cnn4 on 28x28 grey images (target: units >= 0.8x fine-tuning).
  { name: 'demo', shape: [28, 28, 1] },
  // resnet20 at CIFAR size, random weights (the speed does not depend on them; target: units faster).
  { name: 'resnet20', shape: [32, 32, 3] },
];

export interface UnitBenchResult {
  bench: 'units';
  case: string;
  backend: BackendName;
  model: string;
  shape: string;
  layers: string;
  /** Where the units sit: the default of `correct` and `study`. */
  placement: string;
  beta: number;
  batch: number;
  replicas: number;
  units_img_s: number;
  finetune_img_s: number;
  /** units_img_s / finetune_img_s. */
  ratio: number;
  /** Images per CPU second (all threads of the process), and their ratio: the cost, less sensitive to load. */
  units_img_cpu_s: number;
  finetune_img_cpu_s: number;
  cpu_ratio: number;
  units_trainable: number;
  finetune_trainable: number;
  leaked_tensors: number;
}

const BETA = 0.5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** A seeded half of each of the first two conv layers' filters (which ones does not change the cost). */
function planOf(model: tf.LayersModel): PlanEntry[] {
  return summarize(model)
    .convLayers.slice(0, 2)
    .map((conv, k) => {
      const order = shuffledIndices(conv.filters, mulberry32(17 + k));
      return { layer: conv.name, filters: Array.from(order.subarray(0, Math.round(BETA * conv.filters))) };
    });
}

async function baseModel(c: UnitBenchCase): Promise<tf.LayersModel> {
  if (c.name === 'demo') return (await loadModel(demoModelDir())).model;
  return buildModel('resnet20', { inputShape: c.shape, classes: 10, seed: 1 });
}

/**
 * Unit training against fine-tuning on one model, in one run: the same batches of uniform random images, the
 * default optimizers of `deepcorrect correct` and `finetune` (SGD, Nesterov 0.9) and the default replicas, the
 * two trainers' steps alternating so that a load change on the machine hits both alike; each rate is the batch
 * over the median step time. Only the training steps are timed (both trainers prepare the same mixed batches).
 * The backend must already be selected.
 */
export async function benchUnits(
  backend: BackendName,
  c: UnitBenchCase,
  options: { images: number; batch: number; replicas?: number },
): Promise<UnitBenchResult> {
  const classes = 10;
  const { shape } = c;
  const { batch } = options;
  const pixels = shape[0] * shape[1] * shape[2];
  const random = mulberry32(7);
  const x = new Float32Array(batch * pixels).map(() => random());
  const y = new Float32Array(batch * classes);
  for (let i = 0; i < batch; i++) y[i * classes + Math.floor(random() * classes)] = 1;
  const base = await baseModel(c);
  const plan = planOf(base);
  // The units as `correct` and `study` place them by default.
  const corrected = await buildCorrectedModel(base, plan, { seed: 1, placement: CORRECT_DEFAULTS.placement });
  const tuned = await copyModel(base);
  base.dispose();
  const optimizers = [createOptimizer(UNIT_OPTIMIZER), createOptimizer(FINE_TUNE_OPTIMIZER)];
  const trainers: DataParallelTrainer[] = [];
  try {
    for (const [k, model] of [corrected, tuned].entries())
      trainers.push(
        await DataParallelTrainer.create(model, optimizers[k] as tf.Optimizer, {
          backend,
          ...(options.replicas === undefined ? {} : { replicas: options.replicas }),
        }),
      );
    // The step consumes its batch's buffers (they are transferred to the workers): a fresh copy each time.
    const step = (trainer: DataParallelTrainer): Promise<number> =>
      trainer.step({ x: x.slice(), y: y.slice(), n: batch } satisfies Batch, shape, classes);
    for (const trainer of trainers) for (let i = 0; i < 2; i++) await step(trainer);
    const before = tf.memory().numTensors;
    const times: number[][] = [[], []];
    const cpu: number[][] = [[], []];
    const steps = Math.max(3, Math.ceil(options.images / batch));
    for (let i = 0; i < steps; i++) {
      for (const [k, trainer] of trainers.entries()) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        await step(trainer);
        const used = process.cpuUsage(c0);
        times[k]?.push((performance.now() - t0) / 1000);
        cpu[k]?.push((used.user + used.system) / 1e6);
      }
    }
    // The median step: robust to the other work a shared machine does now and then, which hits one step.
    const rate = (k: number): number => batch / median(times[k] as number[]);
    // CPU seconds of every thread of this process (the workers are threads): the cost of a step, which other
    // processes on the machine slow down far less than its wall time.
    const cpuRate = (k: number): number => batch / median(cpu[k] as number[]);
    return {
      bench: 'units',
      case: c.name,
      backend,
      model: c.name === 'demo' ? 'cnn4' : 'resnet20',
      shape: shape.join('x'),
      layers: plan.map((p) => p.layer).join(','),
      placement: CORRECT_DEFAULTS.placement,
      beta: BETA,
      batch,
      replicas: (trainers[0] as DataParallelTrainer).replicaCount,
      units_img_s: round(rate(0)),
      finetune_img_s: round(rate(1)),
      ratio: round(rate(0) / rate(1), 3),
      units_img_cpu_s: round(cpuRate(0)),
      finetune_img_cpu_s: round(cpuRate(1)),
      cpu_ratio: round(cpuRate(0) / cpuRate(1), 3),
      units_trainable: summarize(corrected).trainableParameters,
      finetune_trainable: summarize(tuned).trainableParameters,
      leaked_tensors: tf.memory().numTensors - before,
    };
  } finally {
    for (const trainer of trainers) await trainer.dispose();
    for (const optimizer of optimizers) disposeOptimizer(optimizer);
    corrected.dispose();
    tuned.dispose();
  }
}
