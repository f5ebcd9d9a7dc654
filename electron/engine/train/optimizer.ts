import * as tf from '@tensorflow/tfjs';

export type OptimizerSpec =
  | { kind: 'sgd'; learningRate: number; momentum: number; nesterov: boolean }
  | { kind: 'adam'; learningRate: number };

/** Saved optimizer slots: the bytes of every tensor of getWeights(), in order, and their layout. */
export interface OptimizerState {
  data: ArrayBuffer;
  specs: tf.io.WeightsManifestEntry[];
}

export function createOptimizer(spec: OptimizerSpec): tf.Optimizer {
  if (spec.kind === 'adam') return tf.train.adam(spec.learningRate);
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

/** The optimizer's slots (iteration count, momenta) as bytes, for a checkpoint. */
export async function saveOptimizerState(optimizer: tf.Optimizer): Promise<OptimizerState> {
  const weights = await optimizer.getWeights();
  try {
    return await tf.io.encodeWeights(weights);
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
  const weights = state.specs.map((spec) => {
    const tensor = named[spec.name];
    if (tensor === undefined) throw new Error(`optimizer state lacks ${spec.name}`);
    return { name: spec.name, tensor };
  });
  try {
    await optimizer.setWeights(weights);
  } finally {
    // setWeights copies each slot into a variable of its own.
    tf.dispose(Object.values(named));
  }
}
