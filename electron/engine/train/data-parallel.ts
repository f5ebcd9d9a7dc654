import os from 'node:os';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../../../shared/backends.ts';
import { readAll, readScalarAndDispose } from '../backend/read.ts';
import {
  correctCount,
  shardGradients,
  storeFlatWeights,
  trainingLoss,
  weightLayout,
  type ShardResult,
} from './gradients.ts';
import type { WorkerInit, WorkerReply, WorkerStep } from './protocol.ts';
import { prepareForward } from './training-forward.ts';

export interface TrainerOptions {
  backend: BackendName;
  /**
   * Replicas computing each batch, this thread included. Defaults to one per core on wasm (whose
   * Node build runs single-threaded) and to 1 elsewhere (those backends use every core or a GPU).
   */
  replicas?: number;
}

/** A batch in plain memory: row-major images [n, h, w, c] and one-hot labels [n, classes]. */
export interface Batch {
  x: Float32Array;
  y: Float32Array;
  n: number;
}

// From source (CLI, tests, browser mode) workers start through a tsx bootstrap that loads the TypeScript entry;
// in the desktop app's bundle (out/host/index.mjs) the worker is its own bundle beside it (electron/build.ts).
const BUNDLED = import.meta.url.endsWith('.mjs');
const BOOTSTRAP = BUNDLED
  ? new URL('./grad-worker.mjs', import.meta.url)
  : new URL('../workers/bootstrap.mjs', import.meta.url);
const WORKER_ENTRY = new URL('./grad-worker.ts', import.meta.url).href;

export function defaultReplicas(backend: BackendName): number {
  return backend === 'wasm' ? os.availableParallelism() : 1;
}

class Replica {
  private pending: { resolve: (result: ShardResult) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (msg: WorkerReply) => {
      const p = this.pending;
      this.pending = undefined;
      if (msg.type === 'done') p?.resolve({ loss: msg.loss, correct: msg.correct });
      else if (msg.type === 'error') p?.reject(new Error(`gradient worker: ${msg.message}`));
    });
    const fail = (error: Error): void => {
      this.failure = error;
      this.pending?.reject(error);
      this.pending = undefined;
    };
    worker.on('error', (e) => fail(new Error(`gradient worker crashed: ${e.message}`)));
    worker.on('exit', (code) => {
      if (code !== 0) fail(new Error(`gradient worker exited with code ${code}`));
    });
  }

  static start(init: Omit<WorkerInit, 'entry'>): Promise<Replica> {
    const worker = new Worker(BOOTSTRAP, {
      workerData: { ...init, entry: WORKER_ENTRY } satisfies WorkerInit,
    });
    return new Promise((resolve, reject) => {
      const onMessage = (msg: WorkerReply): void => {
        worker.off('error', onError);
        if (msg.type === 'ready') resolve(new Replica(worker));
        else {
          void worker.terminate();
          reject(
            new Error(msg.type === 'error' ? msg.message : `unexpected ${msg.type} from a starting worker`),
          );
        }
      };
      const onError = (e: Error): void => reject(new Error(`gradient worker failed to start: ${e.message}`));
      worker.once('message', onMessage);
      worker.once('error', onError);
    });
  }

  step(msg: WorkerStep): Promise<ShardResult> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(msg, [msg.x.buffer as ArrayBuffer, msg.y.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    this.worker.postMessage({ type: 'close' });
    await this.worker.terminate();
  }
}

/**
 * Trains a model with each batch split across replicas, one per core: this thread computes the
 * first shard while worker threads (each with its own backend instance) compute the others from
 * weights in shared memory; the gradients are averaged and one optimizer step is applied here.
 * With one replica it is an ordinary training step. Batch-norm statistics come from each shard.
 */
export class DataParallelTrainer {
  private constructor(
    readonly model: tf.LayersModel,
    readonly optimizer: tf.Optimizer,
    private readonly replicas: Replica[],
    private readonly weights: Float32Array,
    private readonly grads: Float32Array[],
  ) {}

  static async create(
    model: tf.LayersModel,
    optimizer: tf.Optimizer,
    options: TrainerOptions,
  ): Promise<DataParallelTrainer> {
    const count = Math.max(1, Math.floor(options.replicas ?? defaultReplicas(options.backend)));
    const { total } = weightLayout(model);
    const weightsSab = new SharedArrayBuffer(total * 4);
    const gradSabs = Array.from({ length: count }, () => new SharedArrayBuffer(total * 4));
    const topology = model.toJSON(null, false) as object;
    const frozen = await readAll(model.nonTrainableWeights.map((w) => w.read()));
    const replicas = await Promise.all(
      gradSabs.slice(1).map((grads) =>
        Replica.start({
          backend: options.backend,
          modelTopology: topology,
          weights: weightsSab,
          grads,
          frozen,
        }),
      ),
    );
    return new DataParallelTrainer(
      model,
      optimizer,
      replicas,
      new Float32Array(weightsSab),
      gradSabs.map((b) => new Float32Array(b)),
    );
  }

  get replicaCount(): number {
    return this.replicas.length + 1;
  }

  /**
   * Whether a step queues all of its work, the weight update included, before its first await, so the next
   * step may start before this one's loss is read back (train/run-steps.ts). Replicas wait for the weights
   * first, so a step with replicas must finish before the next starts.
   */
  get overlapsSteps(): boolean {
    return this.replicas.length === 0;
  }

  /** One optimizer step on a batch; resolves to the batch's mean loss. */
  async step(batch: Batch, imageShape: number[], classes: number): Promise<number> {
    return (await this.stepWithStats(batch, imageShape, classes)).loss;
  }

  /**
   * One optimizer step on a batch; resolves to the batch's mean loss and how many of its images the model
   * classified correctly in that step's forward pass (training mode, weights before the update).
   */
  async stepWithStats(batch: Batch, imageShape: number[], classes: number): Promise<ShardResult> {
    if (this.replicas.length === 0) return this.singleStep(batch, imageShape, classes);
    const pixels = imageShape.reduce((a, b) => a * b, 1);
    const shards = splitEvenly(batch.n, this.replicaCount);
    await storeFlatWeights(this.model, this.weights);
    let start = shards[0] as number;
    const pending = this.replicas.map((replica, k) => {
      const n = shards[k + 1] as number;
      const msg: WorkerStep = {
        type: 'step',
        x: batch.x.slice(start * pixels, (start + n) * pixels),
        xShape: [n, ...imageShape],
        y: batch.y.slice(start * classes, (start + n) * classes),
        yShape: [n, classes],
      };
      start += n;
      return replica.step(msg);
    });
    const n0 = shards[0] as number;
    const mainGrads = this.grads[0] as Float32Array;
    const x = tf.tensor(batch.x.subarray(0, n0 * pixels), [n0, ...imageShape]);
    const y = tf.tensor(batch.y.subarray(0, n0 * classes), [n0, classes]);
    let main;
    try {
      main = await shardGradients(this.model, x, y, mainGrads);
    } finally {
      tf.dispose([x, y]);
    }
    const results = [main, ...(await Promise.all(pending))];
    // Each shard's loss is a mean over its images: weight by shard size for the batch mean.
    const total = mainGrads.length;
    const sum = new Float32Array(total);
    shards.forEach((n, k) => {
      const g = this.grads[k] as Float32Array;
      const w = n / batch.n;
      for (let i = 0; i < total; i++) sum[i] = (sum[i] as number) + w * (g[i] as number);
    });
    this.applyFlat(sum);
    return {
      loss: results.reduce((acc, r, k) => acc + (r.loss * (shards[k] as number)) / batch.n, 0),
      correct: results.reduce((acc, r) => acc + r.correct, 0),
    };
  }

  private async singleStep(batch: Batch, imageShape: number[], classes: number): Promise<ShardResult> {
    const vars = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
    const x = tf.tensor(batch.x, [batch.n, ...imageShape]);
    const y = tf.tensor(batch.y, [batch.n, classes]);
    let probs: tf.Tensor | undefined;
    // The frozen layers before the first trained one run here, outside the tape (training-forward.ts).
    const forward = prepareForward(this.model, x);
    let loss;
    try {
      loss = this.optimizer.minimize(
        () => {
          const p = forward.apply();
          probs = tf.keep(p); // outlives the gradient scope so the predictions can be counted afterwards
          return trainingLoss(this.model, y, p, forward.logits);
        },
        true,
        vars,
      );
    } finally {
      forward.dispose();
    }
    const hits = probs === undefined ? undefined : correctCount(probs, y);
    tf.dispose([x, y, ...(probs ? [probs] : [])]);
    if (loss === null) {
      hits?.dispose();
      throw new Error('optimizer returned no loss');
    }
    // The loss and the count read together: one wait for a GPU's queue per step.
    const [value, correct] = await Promise.all([
      readScalarAndDispose(loss),
      hits === undefined ? 0 : readScalarAndDispose(hits),
    ]);
    return { loss: value, correct };
  }

  private applyFlat(flat: Float32Array): void {
    const { offsets, sizes } = weightLayout(this.model);
    const named: tf.NamedTensorMap = {};
    this.model.trainableWeights.forEach((w, i) => {
      const v = w.read() as tf.Variable;
      const start = offsets[i] as number;
      named[v.name] = tf.tensor(flat.subarray(start, start + (sizes[i] as number)), v.shape);
    });
    this.optimizer.applyGradients(named);
    tf.dispose(Object.values(named));
  }

  async dispose(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.close()));
    this.replicas.length = 0;
  }
}

/** Splits n items into `parts` sizes differing by at most one, larger first. */
export function splitEvenly(n: number, parts: number): number[] {
  const base = Math.floor(n / parts);
  return Array.from({ length: parts }, (_, k) => base + (k < n % parts ? 1 : 0));
}
