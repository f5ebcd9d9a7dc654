import * as tf from '@tensorflow/tfjs';

/** L1 kernel regularisation of the units' convolutions (docs/method.md §3). */
export const UNIT_L1 = 1e-5;

/** Prefix of every layer a correction adds; base layers never carry it. */
export const UNIT_PREFIX = 'dc_';

export interface UnitSpec {
  /** The base conv layer the unit corrects (names its layers). */
  layer: string;
  /** Channels of the corrected map. */
  channels: number;
  /** Channel indices to correct, in the order the unit sees them. */
  filters: readonly number[];
  /** kxk size of the unit's two inner convolutions. */
  kernel: number;
  seed: number;
  /**
   * Start the unit's last 1x1 conv at zero, so the unit starts as the identity (F = 0) and the corrected model
   * exactly as the base (default true). False gives the paper's He-normal start for that conv too; at this
   * scale its random residual disturbs the frozen downstream network so much that short runs end below the
   * base model (docs/correction.md has the measurement).
   */
  zeroInit?: boolean;
  /** Moving-average momentum of the units' batch norms (default 0.9, see UNIT_BN_MOMENTUM). */
  bnMomentum?: number;
}

/**
 * Keras' default (0.99) leaves the moving statistics near their initial values for the first few hundred
 * steps, so a unit trained briefly behaves in inference mode unlike in training; 0.9 settles in tens of steps.
 */
export const UNIT_BN_MOMENTUM = 0.9;

/** The 0/1 kernel [1, 1, channels, D] that picks the corrected channels: column j is channel filters[j]. */
export function selectionKernel(channels: number, filters: readonly number[]): tf.Tensor4D {
  const values = new Float32Array(channels * filters.length);
  filters.forEach((c, j) => (values[c * filters.length + j] = 1));
  return tf.tensor4d(values, [1, 1, channels, filters.length]);
}

/** The transposed selection [1, 1, D, channels]: puts unit channel j back at channel filters[j]. */
export function scatterKernel(channels: number, filters: readonly number[]): tf.Tensor4D {
  const values = new Float32Array(channels * filters.length);
  filters.forEach((c, j) => (values[j * channels + c] = 1));
  return tf.tensor4d(values, [1, 1, filters.length, channels]);
}

/** A frozen 1x1 conv without bias whose kernel is set after the model is built (a fixed channel permutation). */
function fixedMix(name: string, filters: number): tf.layers.Layer {
  return tf.layers.conv2d({
    name,
    filters,
    kernelSize: 1,
    useBias: false,
    trainable: false,
    kernelInitializer: 'zeros',
  });
}

export interface UnitLayers {
  /** The map with the corrected channels' residual added: x + scatter(F(gather(x))). */
  output: tf.SymbolicTensor;
  /** The frozen gather and scatter convs, whose kernels the builder sets. */
  gather: tf.layers.Layer;
  scatter: tf.layers.Layer;
}

/**
 * One correction unit (docs/method.md §3) around the map `x`: gather the D corrected channels (phi), then
 * 1x1 conv D -> BN -> ReLU -> kxk conv D -> BN -> ReLU -> kxk conv D -> BN -> ReLU -> 1x1 conv D (linear) = F(phi),
 * scattered back and added to x. Adding only the residual keeps every untouched channel exactly as it was,
 * and the corrected channels become phi + F(phi), the paper's residual unit.
 */
export function applyUnit(x: tf.SymbolicTensor, spec: UnitSpec): UnitLayers {
  const d = spec.filters.length;
  const name = (part: string): string => `${UNIT_PREFIX}${spec.layer}_${part}`;
  let seedOffset = 0;
  const init = (): ReturnType<typeof tf.initializers.heNormal> =>
    tf.initializers.heNormal({ seed: spec.seed * 1009 + ++seedOffset });
  const conv = (part: string, kernel: number, last = false): tf.layers.Layer =>
    tf.layers.conv2d({
      name: name(part),
      filters: d,
      kernelSize: kernel,
      padding: 'same',
      kernelInitializer: last && spec.zeroInit !== false ? 'zeros' : init(),
      kernelRegularizer: tf.regularizers.l1({ l1: UNIT_L1 }),
    });
  const gather = fixedMix(name('gather'), d);
  const scatter = fixedMix(name('scatter'), spec.channels);
  const apply = (layer: tf.layers.Layer, input: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor =>
    layer.apply(input) as tf.SymbolicTensor;
  const phi = apply(gather, x);
  let y = phi;
  const stages: [string, number][] = [
    ['in', 1],
    ['k1', spec.kernel],
    ['k2', spec.kernel],
  ];
  for (const [i, [part, kernel]] of stages.entries()) {
    y = apply(conv(part, kernel), y);
    y = apply(
      tf.layers.batchNormalization({
        name: name(`bn${i + 1}`),
        momentum: spec.bnMomentum ?? UNIT_BN_MOMENTUM,
      }),
      y,
    );
    y = apply(tf.layers.activation({ activation: 'relu', name: name(`relu${i + 1}`) }), y);
  }
  const residual = apply(conv('out', 1, true), y);
  const output = apply(tf.layers.add({ name: name('add') }), [x, apply(scatter, residual)]);
  return { output, gather, scatter };
}

/** Trainable parameters of one unit of width d with kxk inner convs (BN moving statistics excluded). */
export function unitParameters(d: number, kernel: number): number {
  const conv = (k: number): number => d * d * k * k + d;
  return 2 * conv(1) + 2 * conv(kernel) + 3 * 2 * d;
}
