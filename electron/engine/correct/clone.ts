import * as tf from '@tensorflow/tfjs';
import { readAll } from '../backend/read.ts';

/*
 * Copies of base layers for the corrected model. The base model's own layer objects are never reused: applying
 * them again would add inbound nodes to them (splitModel and the ranking refuse such layers) and tie the two
 * models' weights together, so training the corrected model could not leave the base model bit-identical.
 */

type LayerConfig = tf.serialization.ConfigDict;

/** A new, unbuilt layer of the same class and configuration, frozen; `overrides` replace config fields. */
export function frozenCopy(layer: tf.layers.Layer, overrides: LayerConfig = {}): tf.layers.Layer {
  const className = layer.getClassName();
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (entry === undefined) throw new Error(`layer "${layer.name}" has unregistered class ${className}`);
  const [cls, fromConfig] = entry;
  return fromConfig(cls, { ...layer.getConfig(), ...overrides, trainable: false }) as tf.layers.Layer;
}

/**
 * A frozen stand-in for a frozen batch-norm layer: a 1x1 depthwise conv with bias computing the same
 * inference-mode affine map. tfjs runs every layer of a model in training mode when it trains (the executor
 * passes `training: true` to all of them, trainable or not), so a BatchNormalization layer would normalise
 * with batch statistics and overwrite its moving statistics even when frozen; Keras freezes BN into inference
 * mode instead, which is what a frozen base network needs. The stand-in has no training behaviour at all.
 */
export function frozenBatchNorm(layer: tf.layers.Layer): tf.layers.Layer {
  const config = layer.getConfig();
  const axis = config.axis as number | number[];
  const last = Array.isArray(axis)
    ? axis.length === 1 && (axis[0] === -1 || axis[0] === 3)
    : axis === -1 || axis === 3;
  if (!last)
    throw new Error(
      `batch norm "${layer.name}" normalises axis ${JSON.stringify(axis)}; only channels-last is supported`,
    );
  return tf.layers.depthwiseConv2d({
    name: layer.name,
    kernelSize: 1,
    depthMultiplier: 1,
    useBias: true,
    trainable: false,
  });
}

/** The [kernel, bias] of frozenBatchNorm's stand-in from the batch-norm layer's weights. */
export async function foldedBatchNorm(layer: tf.layers.Layer): Promise<tf.Tensor[]> {
  const epsilon = layer.getConfig().epsilon as number;
  const named = new Map<string, Float32Array>();
  const values = await readAll(layer.weights.map((w) => w.read()));
  layer.weights.forEach((w, i) => {
    const part = w.originalName.split('/').at(-1) ?? '';
    named.set(part, values[i] as Float32Array);
  });
  const mean = named.get('moving_mean');
  const variance = named.get('moving_variance');
  if (mean === undefined || variance === undefined)
    throw new Error(`batch norm "${layer.name}" has no moving statistics`);
  const gamma = named.get('gamma');
  const beta = named.get('beta');
  const channels = mean.length;
  const scale = new Float32Array(channels);
  const bias = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    // In double precision, then rounded once: the nearest float32 to the inference-mode affine map.
    const s = (gamma?.[c] ?? 1) / Math.sqrt((variance[c] as number) + epsilon);
    scale[c] = s;
    bias[c] = (beta?.[c] ?? 0) - (mean[c] as number) * s;
  }
  return [tf.tensor4d(scale, [1, 1, channels, 1]), tf.tensor1d(bias)];
}
