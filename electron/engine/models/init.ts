import * as tf from '@tensorflow/tfjs';

type Initializer = ReturnType<typeof tf.initializers.heNormal>;

/**
 * Seeded initialisers, one stream per layer, so that the same seed builds the same weights on every
 * backend and in every data-parallel replica (which rebuild from the serialised topology, seeds included).
 * 1009 keeps the streams of seed s apart from those of seed s + 1 for up to 1009 layers.
 */
export function layerSeed(seed: number, layer: number): number {
  return seed * 1009 + layer;
}

export const heNormal = (seed: number, layer: number): Initializer =>
  tf.initializers.heNormal({ seed: layerSeed(seed, layer) });

export const glorotUniform = (seed: number, layer: number): Initializer =>
  tf.initializers.glorotUniform({ seed: layerSeed(seed, layer) });

/**
 * Batch norm as in PyTorch (moving averages updated with weight 0.1 per step) rather than the Keras 0.99:
 * the runs here are a few hundred steps, too few for 0.99 averages to forget their initial values.
 */
export function batchNorm(name: string): tf.layers.Layer {
  return tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-3, name });
}
