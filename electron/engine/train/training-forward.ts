import * as tf from '@tensorflow/tfjs';
import { topological } from '../models/graph-order.ts';
import { fusedRunner, fusedTrainingActive, weightNamed, yieldsLogits } from './fused-layers.ts';

/*
 * The forward pass of a training step, arranged so that the backward pass does only the work the trained
 * weights need. For a model with frozen layers (a corrected model, a partly frozen fine-tuning copy) or with
 * trained batch norms, plain model.apply(x, { training: true }) wastes work in three ways (profiled on the
 * demo's units and on resnet20, wasm; docs/correction.md has the figures):
 *
 * - Layers that depend on no trained weight (the frozen layers before the first unit) are recorded on the
 *   gradient tape. Here they run before the tape starts, and their output enters it as a constant, so the
 *   backward pass stops at the first layer that is trained.
 * - tfjs runs a conv or dense layer with a linear activation as one fused kernel whose gradient computes the
 *   kernel's and the bias's gradients eagerly, frozen or not (a custom gradient returns every input's
 *   gradient). A corrected model's gather and scatter convs, a pre-activation copy and every conv of a ResNet
 *   are such layers. Here frozen ones run as separate ops (conv, bias add, activation), whose gradients tfjs
 *   computes per input and only for inputs on a path from the trained weights: the input's, not the kernel's.
 *   A frozen 1x1 depthwise conv (a corrected model's frozen batch norm) becomes a per-channel scale and shift,
 *   whose input gradient wasm has (it has none for a depthwise conv, so the plain step could not train a
 *   corrected ResNet there).
 * - A trained batch norm's gradient in tfjs tiles 1/sqrt(variance) to the whole map before multiplying (a
 *   scalar loop on wasm: half of the units' step, and of a ResNet's). Here it has a closed-form gradient.
 *
 * - On webgpu (fused-layers.ts), conv and dense layers with a linear or ReLU activation run as one taped
 *   kernel each, and a softmax output layer yields its logits for a loss computed in one kernel.
 *
 * Every other layer runs as model.apply would run it (layer.apply in training mode), so the result is the
 * same function of the same weights: equal to model.apply's up to float rounding (tests compare a few
 * training steps with the plain path), and the model, its saved form and its inference are untouched.
 */

/** The forward pass of one training step: constants computed, the taped part still to run. */
export interface PreparedForward {
  /** Runs the rest of the model; call it inside the gradient closure. Returns the model's output. */
  apply: () => tf.Tensor;
  /** Frees the constants computed before the tape. */
  dispose: () => void;
  /** apply returns the output layer's logits (its softmax left to the loss), not probabilities. */
  logits: boolean;
}

type Run = (inputs: tf.Tensor[]) => tf.Tensor;

interface Step {
  output: string;
  inputs: string[];
  run: Run;
  /** Depends on no trained weight: computed before the gradient tape. */
  constant: boolean;
}

interface Plan {
  input: string;
  output: string;
  steps: Step[];
  /** Constant tensors the taped steps (or the output) read. */
  boundary: Set<string>;
  /** The output step yields logits (see PreparedForward.logits). */
  logits: boolean;
}

/** Each model's plan, with the trainable flags it was made for (a layer frozen later needs a new one). */
const plans = new WeakMap<tf.LayersModel, { flags: string; plan: Plan | null }>();

/**
 * The model's training-mode forward pass for one step on `x` (outside any gradient closure): the constant
 * part is computed now, `apply` runs the rest inside the tape. Models with neither frozen layers nor trained
 * batch norms (off webgpu), or with a graph the planner does not handle (several inputs or outputs, nested
 * models), run model.apply unchanged.
 */
export function prepareForward(model: tf.LayersModel, x: tf.Tensor): PreparedForward {
  const fused = fusedTrainingActive();
  const flags = `${model.layers.map((l) => (l.trainable ? 1 : 0)).join('')}:${fused}`;
  let cached = plans.get(model);
  if (cached?.flags !== flags) {
    cached = { flags, plan: planOf(model, fused) };
    plans.set(model, cached);
  }
  const { plan } = cached;
  if (plan === null)
    return {
      apply: () => model.apply(x, { training: true }) as tf.Tensor,
      dispose: () => {},
      logits: false,
    };
  const { steps, boundary, input, output } = plan;
  const constants = new Map<string, tf.Tensor>([[input, x]]);
  tf.tidy(() => {
    const values = new Map<string, tf.Tensor>([[input, x]]);
    for (const step of steps) {
      if (!step.constant) continue;
      values.set(step.output, step.run(step.inputs.map((k) => values.get(k) as tf.Tensor)));
    }
    for (const key of boundary) if (key !== input) constants.set(key, tf.keep(values.get(key) as tf.Tensor));
  });
  return {
    apply: () => {
      const values = new Map(constants);
      for (const step of steps) {
        if (step.constant) continue;
        values.set(step.output, step.run(step.inputs.map((k) => values.get(k) as tf.Tensor)));
      }
      return values.get(output) as tf.Tensor;
    },
    dispose: () => {
      for (const [key, t] of constants) if (key !== input) t.dispose();
    },
    logits: plan.logits,
  };
}

function planOf(model: tf.LayersModel, fused: boolean): Plan | null {
  const input = model.inputs[0];
  const output = model.outputs[0];
  if (model.inputs.length !== 1 || model.outputs.length !== 1 || input === undefined || output === undefined)
    return null;
  const frozen = model.layers.some((l) => !l.trainable && l.weights.length > 0);
  const norms = model.layers.some((l) => l.trainable && l.getClassName() === 'BatchNormalization');
  if (!(frozen || norms || fused) || model.layers.some((l) => l instanceof tf.LayersModel)) return null;
  const steps: Step[] = [];
  const constant = new Set<string>([input.name]);
  let logits = false;
  for (const t of topological(output)) {
    if (t.name === input.name) continue;
    const layer = t.sourceLayer;
    // A layer with several outputs would run once per output: left to model.apply.
    if (t.inputs.length === 0 || layer.inboundNodes.some((n) => n.outputTensors.length !== 1)) return null;
    const isConstant = layer.trainableWeights.length === 0 && t.inputs.every((i) => constant.has(i.name));
    if (isConstant) constant.add(t.name);
    const isOutput = t.name === output.name;
    // Logits only where the loss sees them: a constant output would be computed before the tape, as probabilities.
    const fusedRun = fused ? fusedRunner(layer, isOutput && !isConstant) : undefined;
    if (fusedRun !== undefined && isOutput && !isConstant && yieldsLogits(layer)) logits = true;
    steps.push({
      output: t.name,
      inputs: t.inputs.map((i) => i.name),
      run: fusedRun ?? runnerOf(layer),
      constant: isConstant,
    });
  }
  const boundary = new Set<string>();
  for (const step of steps)
    if (!step.constant) for (const k of step.inputs) if (constant.has(k)) boundary.add(k);
  if (constant.has(output.name)) boundary.add(output.name);
  return { input: input.name, output: output.name, steps, boundary, logits };
}

type Config = tf.serialization.ConfigDict;

function pair(value: unknown, fallback: number): [number, number] {
  if (Array.isArray(value)) return [Number(value[0] ?? fallback), Number(value[1] ?? value[0] ?? fallback)];
  return typeof value === 'number' ? [value, value] : [fallback, fallback];
}

/** The layer's activation as a function, built once (tf.layers.activation knows every registered name). */
function activationOf(config: Config): (x: tf.Tensor) => tf.Tensor {
  const name = typeof config.activation === 'string' ? config.activation : 'linear';
  if (name === 'linear') return (x) => x;
  type ActivationName = NonNullable<Parameters<typeof tf.layers.activation>[0]>['activation'];
  const layer = tf.layers.activation({ activation: name as ActivationName });
  return (x) => layer.apply(x) as tf.Tensor;
}

function channelsLast(config: Config): boolean {
  return config.dataFormat === undefined || config.dataFormat === 'channelsLast';
}

/** How one layer runs in the step: a specialised form where one applies, else layer.apply in training mode. */
function runnerOf(layer: tf.layers.Layer): Run {
  const config = layer.getConfig();
  const kind = layer.getClassName();
  const trained = layer.trainableWeights.length > 0;
  const special =
    (!trained && kind === 'Conv2D' && channelsLast(config) ? frozenConv(layer, config) : undefined) ??
    (!trained && kind === 'Dense' ? frozenDense(layer, config) : undefined) ??
    (!trained && kind === 'DepthwiseConv2D' ? frozenChannelScale(layer, config) : undefined) ??
    (trained && kind === 'BatchNormalization' ? trainedBatchNorm(layer, config) : undefined);
  if (special !== undefined) return special;
  return (inputs) =>
    layer.apply(inputs.length === 1 ? (inputs[0] as tf.Tensor) : inputs, { training: true }) as tf.Tensor;
}

/** A frozen conv as conv + bias + activation: tfjs' gradients of these ops skip the frozen kernel. */
function frozenConv(layer: tf.layers.Layer, config: Config): Run | undefined {
  const kernel = weightNamed(layer, 'kernel');
  if (kernel === undefined) return undefined;
  const bias = config.useBias === false ? undefined : weightNamed(layer, 'bias');
  const strides = pair(config.strides, 1);
  const dilations = pair(config.dilationRate, 1);
  const pad = config.padding === 'same' ? 'same' : 'valid';
  const activation = activationOf(config);
  return ([x]) => {
    let y: tf.Tensor = tf.conv2d(
      x as tf.Tensor4D,
      kernel.read() as tf.Tensor4D,
      strides,
      pad,
      'NHWC',
      dilations,
    );
    if (bias !== undefined) y = tf.add(y, bias.read());
    return activation(y);
  };
}

/** A frozen dense layer as matMul + bias + activation (rank-2 inputs, as Dense gets them after Flatten). */
function frozenDense(layer: tf.layers.Layer, config: Config): Run | undefined {
  const kernel = weightNamed(layer, 'kernel');
  if (kernel === undefined) return undefined;
  const bias = config.useBias === false ? undefined : weightNamed(layer, 'bias');
  const activation = activationOf(config);
  return (inputs) => {
    const x = inputs[0] as tf.Tensor;
    if (x.rank !== 2) return layer.apply(x, { training: true }) as tf.Tensor;
    let y: tf.Tensor = tf.matMul(x, kernel.read());
    if (bias !== undefined) y = tf.add(y, bias.read());
    return activation(y);
  };
}

/**
 * A frozen 1x1 depthwise conv of multiplier 1 (what a frozen batch norm becomes in a corrected model, see
 * correct/clone.ts) is a per-channel scale and shift: two broadcast ops, whose input gradient is one multiply.
 */
function frozenChannelScale(layer: tf.layers.Layer, config: Config): Run | undefined {
  const [kh, kw] = pair(config.kernelSize, 1);
  const [sh, sw] = pair(config.strides, 1);
  const [dh, dw] = pair(config.dilationRate, 1);
  const ones = kh === 1 && kw === 1 && sh === 1 && sw === 1 && dh === 1 && dw === 1;
  if (!ones || config.depthMultiplier !== 1 || !channelsLast(config)) return undefined;
  const kernel = weightNamed(layer, 'depthwise_kernel');
  const bias = config.useBias === false ? undefined : weightNamed(layer, 'bias');
  if (kernel === undefined) return undefined;
  const activation = activationOf(config);
  return ([x]) => {
    const k = kernel.read();
    let y = tf.mul(x as tf.Tensor, tf.reshape(k, [k.size]));
    if (bias !== undefined) y = tf.add(y, bias.read());
    return activation(y);
  };
}

/**
 * A trained batch norm on the last axis in training mode, as tfjs-layers computes it (batch mean and biased
 * variance, moving statistics updated with the layer's momentum), with the closed-form gradient
 *   dx = gamma * r * (dy - mean(dy) - xc * r^2 * mean(dy * xc)),  dgamma = r * sum(dy * xc),  dbeta = sum(dy)
 * where xc = x - mean and r = 1 / sqrt(var + eps). Means are sums divided by the count: wasm's Mean over the
 * leading axes transposes the whole map first, the project's Sum does not (backend/wasm/kernels/sum.ts).
 */
function trainedBatchNorm(layer: tf.layers.Layer, config: Config): Run | undefined {
  const axis = Array.isArray(config.axis) ? config.axis : [config.axis];
  const last = axis.length === 1 && (axis[0] === -1 || axis[0] === 3);
  const gamma = weightNamed(layer, 'gamma');
  const beta = weightNamed(layer, 'beta');
  const movingMean = weightNamed(layer, 'moving_mean');
  const movingVariance = weightNamed(layer, 'moving_variance');
  if (!last || gamma === undefined || beta === undefined || movingMean === undefined) return undefined;
  if (movingVariance === undefined) return undefined;
  const epsilon = Number(config.epsilon);
  const momentum = Number(config.momentum);
  const axes = [0, 1, 2];
  const norm = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, g, b, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const count = x.size / x.shape[3];
    const mean = tf.div(tf.sum(x, axes), count);
    const centred = tf.sub(x, mean);
    const variance = tf.div(tf.sum(tf.square(centred), axes), count);
    const r = tf.rsqrt(tf.add(variance, epsilon));
    const value = tf.add(tf.mul(centred, tf.mul(g, r)), b);
    // The moving statistics, exactly as tfjs-layers updates them: moving - (moving - batch) * (1 - momentum).
    for (const [moving, batch] of [
      [movingMean, mean],
      [movingVariance, variance],
    ] as const) {
      const old = moving.read();
      moving.write(tf.sub(old, tf.mul(tf.sub(old, batch), 1 - momentum)));
    }
    save([centred, r, g]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xc, sr, sg] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
        const dBeta = tf.sum(dy, axes);
        const dyXc = tf.sum(tf.mul(dy, xc), axes);
        const gr = tf.mul(sg, sr);
        // Per channel: dx = a * dy + k * xc + c, with a = gamma r, k = -gamma r^3 sum(dy xc) / n,
        // c = -gamma r sum(dy) / n.
        const k = tf.neg(tf.div(tf.mul(tf.mul(gr, tf.square(sr)), dyXc), count));
        const c = tf.neg(tf.div(tf.mul(gr, dBeta), count));
        const dx = tf.add(tf.add(tf.mul(dy, gr), tf.mul(xc, k)), c);
        return [dx, tf.mul(dyXc, sr), dBeta];
      },
    };
  });
  return ([x]) => norm(x as tf.Tensor, gamma.read(), beta.read());
}
