import * as tf from '@tensorflow/tfjs';
import { summarize, type ConvLayerSummary } from '../models/summary.ts';
import { foldedBatchNorm, frozenBatchNorm, frozenCopy } from './clone.ts';
import { applyUnit, scatterKernel, selectionKernel, UNIT_PREFIX } from './unit.ts';
import { topological } from '../models/graph-order.ts';

/** Where a unit sits: on the conv's post-activation map (ranked on), or on its input to the activation. */
export type Placement = 'post-activation' | 'pre-activation';
export const PLACEMENTS: readonly Placement[] = ['post-activation', 'pre-activation'];

export interface PlanEntry {
  /** A conv layer of the base model. */
  layer: string;
  /** Filter indices to correct (e.g. the top beta of the ranking order); their order is the unit's. */
  filters: number[];
  /** The unit's kxk size; default 5 for the model's first conv layer, 3 elsewhere (docs/method.md §3). */
  kernel?: number;
}

export interface CorrectedBuildOptions {
  seed: number;
  placement?: Placement;
  /** Start every unit as the identity (its last conv zero; default true), so the model predicts as the base. */
  zeroInit?: boolean;
  bnMomentum?: number;
}

/** A plan entry with everything resolved against the base model. */
export interface ResolvedEntry extends PlanEntry {
  kernel: number;
  conv: ConvLayerSummary;
}

/** Checks the plan against the base model's conv layers and fills in the kernel sizes. */
export function resolvePlan(base: tf.LayersModel, plan: readonly PlanEntry[]): ResolvedEntry[] {
  const convs = summarize(base).convLayers.filter((c) => !c.name.startsWith(UNIT_PREFIX));
  if (plan.length === 0) throw new Error('the correction plan names no layer');
  const seen = new Set<string>();
  return plan.map((entry) => {
    const index = convs.findIndex((c) => c.name === entry.layer);
    const conv = convs[index];
    if (conv === undefined)
      throw new Error(
        `"${entry.layer}" is not a conv layer of the model; its conv layers are ${convs.map((c) => c.name).join(', ')}`,
      );
    if (seen.has(entry.layer)) throw new Error(`the plan names "${entry.layer}" twice`);
    seen.add(entry.layer);
    if (entry.filters.length === 0) throw new Error(`no filters to correct in "${entry.layer}"`);
    const distinct = new Set(entry.filters);
    const bad = entry.filters.find((f) => !Number.isInteger(f) || f < 0 || f >= conv.filters);
    if (bad !== undefined || distinct.size !== entry.filters.length)
      throw new Error(
        `filters of "${entry.layer}" must be distinct integers in 0..${conv.filters - 1}${bad === undefined ? '' : ` (got ${bad})`}`,
      );
    const kernel = entry.kernel ?? (index === 0 ? 5 : 3);
    if (!Number.isInteger(kernel) || kernel < 1)
      throw new Error(`kernel must be a positive integer, not ${kernel}`);
    return { ...entry, filters: [...entry.filters], kernel, conv };
  });
}

function onlyOutput(layer: tf.layers.Layer): tf.SymbolicTensor {
  const out = layer.output;
  if (Array.isArray(out) || layer.inboundNodes.length !== 1)
    throw new Error(
      `layer "${layer.name}" is used more than once or has several outputs; it cannot be corrected`,
    );
  return out;
}

/** An activation as tf.layers.activation takes it (a conv config holds the same identifiers). */
type ActivationName = NonNullable<Parameters<typeof tf.layers.activation>[0]>['activation'];

/** What the builder does at one base tensor. */
interface Insertion {
  entry: ResolvedEntry;
  /** For a pre-activation unit on a conv with a fused activation: that activation, applied after the unit. */
  activation?: ActivationName;
}

/** The base tensor each unit wraps, by tensor name. */
function insertionPoints(
  base: tf.LayersModel,
  entries: readonly ResolvedEntry[],
  placement: Placement,
): Map<string, Insertion> {
  const points = new Map<string, Insertion>();
  for (const entry of entries) {
    const conv = base.getLayer(entry.conv.name);
    const activationLayer = base.getLayer(entry.conv.activation);
    let tensor = onlyOutput(activationLayer);
    let insertion: Insertion = { entry };
    if (placement === 'pre-activation') {
      if (activationLayer !== conv) {
        // A separate activation layer (after batch norm or a block's add): wrap its input.
        const inputs = activationLayer.inboundNodes[0]?.inputTensors ?? [];
        if (inputs.length !== 1)
          throw new Error(
            `"${activationLayer.name}" has ${inputs.length} inputs; cannot place a unit before it`,
          );
        tensor = inputs[0] as tf.SymbolicTensor;
        const readers = base.layers.filter((l) =>
          l.inboundNodes.some((n) => n.inputTensors.some((t) => t.name === tensor.name)),
        );
        if (readers.length !== 1)
          throw new Error(
            `the pre-activation map of "${entry.layer}" is also read by ${readers.map((l) => l.name).join(', ')}; use post-activation`,
          );
      } else {
        const activation = (conv.getConfig().activation ?? 'linear') as ActivationName;
        if (activation !== 'linear') insertion = { entry, activation };
      }
    }
    points.set(tensor.name, insertion);
  }
  return points;
}

/**
 * The base model with a correction unit (unit.ts) at each planned layer, as one ordinary functional LayersModel
 * of standard layers: it serialises, reloads with tf.loadLayersModel and trains in the data-parallel workers.
 * Every base layer is a frozen copy holding the base weights (frozen batch norms become their inference-mode
 * affine map, clone.ts says why); only the units' layers, named dc_<layer>_..., are trainable. The base model
 * is not modified and shares nothing with the result.
 *
 * Placement 'post-activation' (default) wraps the map the ranking was computed on; 'pre-activation' (the
 * authors' choice) wraps the input of the conv's activation: the batch-norm or add output before a separate
 * ReLU layer, or, for a conv with a fused activation, the linear conv output (the copy is made linear and the
 * activation follows the unit as its own layer, dc_<layer>_act).
 */
export async function buildCorrectedModel(
  base: tf.LayersModel,
  plan: readonly PlanEntry[],
  options: CorrectedBuildOptions,
): Promise<tf.LayersModel> {
  const input = base.inputs[0];
  const output = base.outputs[0];
  if (base.inputs.length !== 1 || base.outputs.length !== 1 || input === undefined || output === undefined)
    throw new Error('only models with one input and one output can be corrected');
  const entries = resolvePlan(base, plan);
  const points = insertionPoints(base, entries, options.placement ?? 'post-activation');
  const copies = new Map<string, tf.layers.Layer>();
  const fixed: { layer: tf.layers.Layer; kernel: tf.Tensor }[] = [];
  const copyOf = (layer: tf.layers.Layer, linear: boolean): tf.layers.Layer => {
    let copy = copies.get(layer.name);
    if (copy === undefined) {
      const kind = layer.getClassName();
      copy =
        kind === 'BatchNormalization'
          ? frozenBatchNorm(layer)
          : frozenCopy(layer, linear ? { activation: 'linear' } : {});
      copies.set(layer.name, copy);
    }
    return copy;
  };
  const newInput = tf.input({ shape: input.shape.slice(1), name: input.sourceLayer.name });
  const mapped = new Map<string, tf.SymbolicTensor>([[input.name, newInput]]);
  try {
    for (const t of topological(output)) {
      if (mapped.has(t.name)) continue;
      if (t.inputs.length === 0) throw new Error(`"${t.name}" is a second model input`);
      const insertion = points.get(t.name);
      const inputs = t.inputs.map((i) => mapped.get(i.name) as tf.SymbolicTensor);
      const copy = copyOf(t.sourceLayer, insertion?.activation !== undefined);
      let value = copy.apply(
        inputs.length === 1 ? (inputs[0] as tf.SymbolicTensor) : inputs,
      ) as tf.SymbolicTensor;
      if (insertion !== undefined) {
        const { entry } = insertion;
        const channels = value.shape.at(-1) as number;
        const unit = applyUnit(value, {
          layer: entry.layer,
          channels,
          filters: entry.filters,
          kernel: entry.kernel,
          seed: options.seed + entries.indexOf(entry),
          ...(options.zeroInit === undefined ? {} : { zeroInit: options.zeroInit }),
          ...(options.bnMomentum === undefined ? {} : { bnMomentum: options.bnMomentum }),
        });
        fixed.push({ layer: unit.gather, kernel: selectionKernel(channels, entry.filters) });
        fixed.push({ layer: unit.scatter, kernel: scatterKernel(channels, entry.filters) });
        value = unit.output;
        if (insertion.activation !== undefined)
          value = tf.layers
            .activation({ activation: insertion.activation, name: `${UNIT_PREFIX}${entry.layer}_act` })
            .apply(value) as tf.SymbolicTensor;
      }
      mapped.set(t.name, value);
    }
    const model = tf.model({
      inputs: newInput,
      outputs: mapped.get(output.name) as tf.SymbolicTensor,
      name: `${base.name}_deepcorrect`,
    });
    for (const [name, copy] of copies) {
      const original = base.getLayer(name);
      const values =
        copy.getClassName() === 'DepthwiseConv2D' && original.getClassName() === 'BatchNormalization'
          ? await foldedBatchNorm(original)
          : original.getWeights();
      copy.setWeights(values);
      if (values !== undefined && copy.getClassName() === 'DepthwiseConv2D') tf.dispose(values);
    }
    for (const { layer, kernel } of fixed) layer.setWeights([kernel]);
    return model;
  } finally {
    tf.dispose(fixed.map((f) => f.kernel));
  }
}

/** Names of the layers a correction added (trainable units and their frozen gather/scatter convs). */
export function unitLayerNames(model: tf.LayersModel): string[] {
  return model.layers.filter((l) => l.name.startsWith(UNIT_PREFIX)).map((l) => l.name);
}
