import * as tf from '@tensorflow/tfjs';
import { readAll, readValues } from '../backend/read.ts';
import { prepareForward } from './training-forward.ts';
import { fusedCorrectCount, fusedTrainingActive, meanSoftmaxCrossEntropy } from './fused-layers.ts';

/** Mean categorical cross-entropy of softmax outputs, clipped as Keras does so log(0) never occurs. */
export function crossEntropy(labels: tf.Tensor, probs: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const clipped = tf.clipByValue(probs, 1e-7, 1 - 1e-7);
    return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.log(clipped)), -1))) as tf.Scalar;
  });
}

/**
 * Sum of the regularisation penalties (e.g. a layer's kernelRegularizer) of the layers being trained, or
 * undefined when there are none. Layers register a penalty per weight in tfjs' Layer.losses; frozen layers
 * are skipped because their penalty is a constant that moves no trained weight and would only shift the
 * reported loss. Nested models are walked so a frozen outer model hides the penalties of its layers too.
 */
export function regularizationPenalty(model: tf.LayersModel): tf.Scalar | undefined {
  const regularized: tf.layers.Layer[] = [];
  const collect = (layers: readonly tf.layers.Layer[]): void => {
    for (const layer of layers) {
      if (!layer.trainable) continue;
      if (layer instanceof tf.LayersModel) collect(layer.layers);
      else if (layer.losses.length > 0) regularized.push(layer);
    }
  };
  collect(model.layers);
  if (regularized.length === 0) return undefined;
  // Added one at a time, not with tf.addN: the webgpu backend runs AddN as one shader with a storage buffer per
  // input, and past 7 inputs it exceeds WebGPU's default of 8 per stage (a study's units have more penalties).
  // Left to right, as every backend's AddN sums, so the value is the same.
  return tf.tidy(() =>
    regularized
      .flatMap((layer) => layer.calculateLosses())
      .reduce((sum, penalty) => tf.add<tf.Scalar>(sum, penalty)),
  );
}

/**
 * The objective a training step minimises: mean cross-entropy plus the regularisation penalties, as Keras'
 * fit does. Must be called inside the gradient closure so the penalties' gradients reach the weights.
 * `logits` says the output is the softmax layer's input (the fused step on webgpu, training-forward.ts).
 */
export function trainingLoss(
  model: tf.LayersModel,
  labels: tf.Tensor,
  output: tf.Tensor,
  logits = false,
): tf.Scalar {
  return tf.tidy(() => {
    const ce = logits ? meanSoftmaxCrossEntropy(output, labels) : crossEntropy(labels, output);
    const penalty = regularizationPenalty(model);
    return penalty === undefined ? ce : tf.add<tf.Scalar>(ce, penalty);
  });
}

/** What one shard's forward and backward pass found besides its gradients. */
export interface ShardResult {
  /**
   * Mean cross-entropy over the shard's images plus the model's regularisation penalty (as Keras reports
   * it); the trainer's size-weighted average over shards therefore counts the penalty once.
   */
  loss: number;
  /** Images whose highest-scoring class (in training mode, before this step's update) is the label's. */
  correct: number;
}

/** Number of trainable parameters, and each weight's offset in the flattened layout. */
export function weightLayout(model: tf.LayersModel): { total: number; offsets: number[]; sizes: number[] } {
  const sizes = model.trainableWeights.map((w) => w.read().size);
  const offsets: number[] = [];
  let total = 0;
  for (const size of sizes) {
    offsets.push(total);
    total += size;
  }
  return { total, offsets, sizes };
}

/**
 * Forward and backward pass of one shard in training mode; writes the gradients of every
 * trainable weight into `out` (flattened in model.trainableWeights order) and returns the loss
 * and the number of correct predictions (the outputs exist anyway, so counting them is cheap).
 * Every shard adds the full regularisation penalty to its loss: the trainer combines shard
 * gradients with weights n_k / n that sum to 1, so the penalty's gradient enters the step once.
 */
export async function shardGradients(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  out: Float32Array,
): Promise<ShardResult> {
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let probs: tf.Tensor | undefined;
  // The frozen layers before the first trained one run here, outside the tape (training-forward.ts).
  const forward = prepareForward(model, x);
  let taped;
  try {
    taped = tf.variableGrads(() => {
      const p = forward.apply();
      probs = tf.keep(p); // outlives the gradient scope so the predictions can be counted afterwards
      return trainingLoss(model, y, p, forward.logits);
    }, variables);
  } finally {
    forward.dispose();
  }
  const { value, grads } = taped;
  const hits = probs === undefined ? undefined : correctCount(probs, y);
  try {
    const { offsets } = weightLayout(model);
    const ordered = variables.map((v) => {
      const g = grads[v.name];
      if (g === undefined) throw new Error(`no gradient for ${v.name}: is it connected to the loss?`);
      return g;
    });
    // Every gradient, the loss and the count in one batch of reads: one wait for a GPU's queue per step.
    const [values, loss, correct] = await Promise.all([
      readAll(ordered),
      readValues(value),
      hits === undefined ? Promise.resolve(Int32Array.of(0)) : readValues<'int32'>(hits),
    ]);
    values.forEach((g, i) => out.set(g, offsets[i]));
    return { loss: loss[0] as number, correct: correct[0] as number };
  } finally {
    tf.dispose([value, ...Object.values(grads), ...(probs ? [probs] : []), ...(hits ? [hits] : [])]);
  }
}

/**
 * A scalar: rows of `probs` (or logits: the same arg-max) whose arg-max matches that of the one-hot `labels`;
 * int32, or float32 from the one kernel of the fused step on webgpu.
 */
export function correctCount(probs: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  if (fusedTrainingActive()) return fusedCorrectCount(probs, labels);
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(probs, -1), tf.argMax(labels, -1)), 'int32')));
}

/** Overwrites the model's trainable weights from a flat buffer laid out by weightLayout. */
export function loadFlatWeights(model: tf.LayersModel, flat: Float32Array): void {
  const { offsets, sizes } = weightLayout(model);
  model.trainableWeights.forEach((w, i) => {
    const start = offsets[i] as number;
    const t = tf.tensor(flat.subarray(start, start + (sizes[i] as number)), w.read().shape);
    w.write(t);
    t.dispose();
  });
}

/** Copies the model's trainable weights into a flat buffer laid out by weightLayout. */
export async function storeFlatWeights(model: tf.LayersModel, flat: Float32Array): Promise<void> {
  const { offsets } = weightLayout(model);
  const values = await readAll(model.trainableWeights.map((w) => w.read()));
  values.forEach((v, i) => flat.set(v, offsets[i]));
}
