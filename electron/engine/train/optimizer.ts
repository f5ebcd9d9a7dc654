import * as tf from '@tensorflow/tfjs';
import { createAdam } from './fused-adam.ts';

export type OptimizerSpec =
  | { kind: 'sgd'; learningRate: number; momentum: number; nesterov: boolean }
  | { kind: 'adam'; learningRate: number };

/** Saved optimizer slots: the bytes of every tensor of getWeights(), in order, and their layout. */
export interface OptimizerState {
  data: ArrayBuffer;
  specs: tf.io.WeightsManifestEntry[];
}

export function createOptimizer(spec: OptimizerSpec): tf.Optimizer {
  if (spec.kind === 'adam') return createAdam(spec.learningRate);
  return spec.momentum === 0
    ? tf.train.sgd(spec.learningRate)
    : tf.train.momentum(spec.learningRate, spec.momentum, spec.nesterov);
}

export function describeOptimizer(spec: OptimizerSpec): string {
  if (spec.kind === 'adam') return `adam, lr ${spec.learningRate}`;
  const momentum =
    spec.momentum === 0 ? '' : `, momentum ${spec.momentum}${spec.nesterov ? ' (Nesterov)' : ''}`;
  return `sgd, lr ${spec.learningRate}${momentum}`;
}

// `instanceof` cannot tell tfjs optimizers apart (Optimizer defines Symbol.hasInstance to accept any
// optimizer, and subclasses inherit it), so these go by the registered class name.

/** Sets the rate the next steps use. */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  const name = optimizer.getClassName();
  if (name === 'SGD' || name === 'Momentum') {
    (optimizer as tf.SGDOptimizer).setLearningRate(learningRate);
  } else if (name === 'Adam') {
    // Adam has no setter; its protected field is read afresh by every applyGradients, so assigning it works.
    (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
  } else {
    throw new Error(`cannot set the learning rate of a ${name} optimizer`);
  }
}

/** Disposes the optimizer's tensors, including the rate scalar Momentum's own dispose() leaves behind. */
export function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  if (optimizer.getClassName() === 'Momentum') {
    const { c } = optimizer as unknown as { c?: tf.Scalar };
    if (c !== undefined && !c.isDisposed) c.dispose();
  }
}

/**
 * Adam's bias-correction products beta^(t+1): applyGradients multiplies them by beta every step, while its
 * setWeights recomputes them with pow, which differs in the last float32 bits; a checkpoint saves them so a
 * resumed run continues with the very values an uninterrupted one has.
 */
const ADAM_PRODUCTS = ['accBeta1', 'accBeta2'] as const;

function adamProducts(optimizer: tf.Optimizer): Record<string, tf.Variable> | undefined {
  if (optimizer.getClassName() !== 'Adam') return undefined;
  return optimizer as unknown as Record<(typeof ADAM_PRODUCTS)[number], tf.Variable>;
}

/** The optimizer's slots (iteration count, momenta; Adam's products) as bytes, for a checkpoint. */
export async function saveOptimizerState(optimizer: tf.Optimizer): Promise<OptimizerState> {
  const weights = await optimizer.getWeights();
  const adam = adamProducts(optimizer);
  const products = adam ? ADAM_PRODUCTS.map((name) => ({ name, tensor: adam[name] as tf.Tensor })) : [];
  try {
    return await tf.io.encodeWeights([...weights, ...products]);
  } finally {
    // getWeights() hands out the slot variables themselves, plus a new scalar for the iteration count.
    const iterations = weights.find((w) => w.name === 'iter');
    iterations?.tensor.dispose();
  }
}

/**
 * Restores slots saved by saveOptimizerState into a fresh optimizer of the same kind. Slots are matched to
 * the model's weights by position (as tfjs optimizers do), so the model must have the same layout.
 */
export async function restoreOptimizerState(optimizer: tf.Optimizer, state: OptimizerState): Promise<void> {
  const named = tf.io.decodeWeights(state.data, state.specs);
  const products = new Set<string>(ADAM_PRODUCTS);
  const weights = state.specs
    .filter((spec) => !products.has(spec.name))
    .map((spec) => {
      const tensor = named[spec.name];
      if (tensor === undefined) throw new Error(`optimizer state lacks ${spec.name}`);
      return { name: spec.name, tensor };
    });
  try {
    await optimizer.setWeights(weights);
    const adam = adamProducts(optimizer);
    // Checkpoints written before the products were saved keep setWeights' pow values.
    for (const name of ADAM_PRODUCTS) {
      const saved = named[name];
      if (adam !== undefined && saved !== undefined) adam[name]?.assign(saved);
    }
  } finally {
    // setWeights copies each slot into a variable of its own.
    tf.dispose(Object.values(named));
  }
}
