import * as tf from '@tensorflow/tfjs';
import type { DistortionSpec } from '../../../shared/distortions.ts';
import { readAll } from '../backend/read.ts';
import { UNIT_PREFIX } from '../correct/unit.ts';
import { distortBatch } from '../distort/apply.ts';
import { toUint8 } from '../distort/quantize.ts';
import { summarize, type ConvLayerSummary } from '../models/summary.ts';
import { runGraph } from '../rank/graph.ts';
import { modelInput, type ImageSet } from '../rank/images.ts';

export interface ActivationOptions {
  base: tf.LayersModel;
  /** A model from buildCorrectedModel (or one loaded from disk): its units are layers named dc_<layer>_*. */
  corrected?: tf.LayersModel;
  /** A conv layer of the base model. */
  layer: string;
  /** H*W*C pixel values on 0..255, HWC. */
  image: Float32Array | Uint8Array;
  imageShape: [number, number, number];
  spec: DistortionSpec;
  seed: number;
  /** The image's seed id (its index in its split), as distortBatch's `ids` and evaluate use it. */
  imageId: number;
  /** Filter indices to return, in this order (default all). */
  filters?: number[];
}

export interface Prediction {
  /** Index of the most probable class (the first one on a tie). */
  top: number;
  probability: number;
  probabilities: Float32Array;
}

export interface FilterStats {
  filter: number;
  /** Mean |distorted - clean| over the filter's map. */
  l1Distorted: number;
  /** Mean |corrected - clean| over the filter's map. */
  l1Corrected?: number;
  /** Largest |distorted - clean| or |corrected - clean| of the filter: a symmetric range for its difference maps. */
  maxAbs: number;
}

export interface ActivationMaps {
  layer: string;
  /** The layer whose output is the map (summarize's post-activation layer of the base model). */
  activation: string;
  height: number;
  width: number;
  /** The conv layer's filter count. */
  totalFilters: number;
  filters: number[];
  /** filters.length planes of height x width, plane i for filters[i] (filter-major). */
  clean: Float32Array;
  distorted: Float32Array;
  corrected?: Float32Array;
  diffDistorted: Float32Array;
  diffCorrected?: Float32Array;
  /** 'unit': the corrected model has a unit on this layer; 'none': its map is only the base layer's copy. */
  correctedSource?: 'unit' | 'none';
  /** The corrected model's layer whose output is `corrected`. */
  correctedLayer?: string;
  stats: FilterStats[];
  /** Shared colour range over clean, distorted and corrected (selected filters). */
  range: { min: number; max: number };
  /** Largest |difference| over every returned difference map: a shared symmetric range for them. */
  diffMaxAbs: number;
  /** The distorted image as bytes, HWC (rounded and clipped as written images are). */
  distortedImage: Uint8Array;
  predictions: { clean: Prediction; distorted: Prediction; corrected?: Prediction };
}

function singleOutput(model: tf.LayersModel, name: string): tf.SymbolicTensor {
  const layer = model.getLayer(name);
  // A layer applied twice has no single map to show (and `output` would throw an unhelpful error).
  if (layer.inboundNodes.length !== 1) throw new Error(`layer "${name}" is used more than once`);
  const out = layer.output;
  if (Array.isArray(out)) throw new Error(`layer "${name}" has several outputs`);
  return out;
}

function hasLayer(model: tf.LayersModel, name: string): boolean {
  return model.layers.some((l) => l.name === name);
}

function onlyIO(
  model: tf.LayersModel,
  role: string,
): { input: tf.SymbolicTensor; output: tf.SymbolicTensor } {
  const [input] = model.inputs;
  const [output] = model.outputs;
  if (model.inputs.length !== 1 || model.outputs.length !== 1 || input === undefined || output === undefined)
    throw new Error(`the ${role} model must have one input and one output`);
  return { input, output };
}

function findConv(base: tf.LayersModel, layer: string): ConvLayerSummary {
  // A corrected model passed as the base would list its unit convs too; they are not base layers.
  const convs = summarize(base).convLayers.filter((c) => !c.name.startsWith(UNIT_PREFIX));
  const conv = convs.find((c) => c.name === layer);
  if (conv === undefined)
    throw new Error(
      `"${layer}" is not a conv layer of the model; its conv layers are ${convs.map((c) => c.name).join(', ')}`,
    );
  return conv;
}

function checkImage(o: ActivationOptions, input: tf.SymbolicTensor): void {
  const shape = o.imageShape;
  const expected = input.shape.slice(1);
  const fits = shape.length === 3 && expected.every((d, i) => d === null || d === shape[i]);
  if (!fits)
    throw new Error(
      `the image is ${shape.join('x')} but the model takes ${expected.map((d) => d ?? '?').join('x')} images`,
    );
  const size = shape[0] * shape[1] * shape[2];
  if (o.image.length !== size)
    throw new Error(`the image has ${o.image.length} values; ${shape.join('x')} needs ${size}`);
}

function checkFilters(filters: readonly number[], conv: ConvLayerSummary): void {
  if (filters.length === 0) throw new Error('no filters asked for');
  const bad = filters.find((f) => !Number.isInteger(f) || f < 0 || f >= conv.filters);
  if (bad !== undefined)
    throw new Error(
      `filter ${bad} is not in 0..${conv.filters - 1} (layer "${conv.name}" has ${conv.filters})`,
    );
}

/**
 * Which corrected-model layer holds this conv's post-activation map. A pre-activation unit on a fused
 * activation ends in dc_<layer>_act; a post-activation unit's add reads the activation copy and replaces it;
 * otherwise (no unit, or a pre-activation unit before a separate ReLU) the activation copy itself is the map,
 * which also carries the effect of any units on earlier layers.
 */
function correctedMapLayer(
  corrected: tf.LayersModel,
  conv: ConvLayerSummary,
): { name: string; unit: boolean } {
  const act = `${UNIT_PREFIX}${conv.name}_act`;
  const add = `${UNIT_PREFIX}${conv.name}_add`;
  const unit = hasLayer(corrected, add);
  if (hasLayer(corrected, act)) return { name: act, unit };
  if (!hasLayer(corrected, conv.activation))
    throw new Error(
      `the corrected model has no layer "${conv.activation}": it was not built from this base model`,
    );
  if (unit) {
    const copy = singleOutput(corrected, conv.activation).name;
    const readsCopy = singleOutput(corrected, add).inputs.some((t) => t.name === copy);
    if (readsCopy) return { name: add, unit };
  }
  return { name: conv.activation, unit };
}

/** The map and the prediction of one model for one input batch of one image; tensors freed here. */
async function mapAndPrediction(
  model: tf.LayersModel,
  mapLayer: string,
  x: tf.Tensor,
): Promise<{ map: Float32Array; shape: number[]; prediction: Prediction }> {
  const { input, output } = onlyIO(model, 'given');
  const fetch = singleOutput(model, mapLayer);
  const outputs = runGraph([fetch, output], new Map([[input.name, x]]));
  try {
    const [map, probs] = outputs as [tf.Tensor, tf.Tensor];
    const [values, read] = (await readAll([map, probs])) as [Float32Array, Float32Array];
    const probabilities = Float32Array.from(read);
    let top = 0;
    for (let i = 1; i < probabilities.length; i++)
      if ((probabilities[i] as number) > (probabilities[top] as number)) top = i;
    return {
      map: values,
      shape: map.shape.slice(1),
      prediction: { top, probability: probabilities[top] as number, probabilities },
    };
  } finally {
    tf.dispose(outputs);
  }
}

/** HWC map of N channels to filter-major planes of the chosen filters. */
function planes(map: Float32Array, hw: number, channels: number, filters: readonly number[]): Float32Array {
  const out = new Float32Array(filters.length * hw);
  filters.forEach((f, i) => {
    for (let p = 0; p < hw; p++) out[i * hw + p] = map[p * channels + f] as number;
  });
  return out;
}

function difference(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) - (b[i] as number);
  return out;
}

function extent(arrays: readonly Float32Array[]): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const a of arrays)
    for (const v of a) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  return { min, max };
}

/** Mean and largest |v| of plane i (float64 sums: a 32x32 plane is summed exactly enough either way). */
function planeStats(diff: Float32Array, i: number, hw: number): { l1: number; maxAbs: number } {
  let sum = 0;
  let maxAbs = 0;
  for (let p = i * hw; p < (i + 1) * hw; p++) {
    const v = Math.abs(diff[p] as number);
    sum += v;
    if (v > maxAbs) maxAbs = v;
  }
  return { l1: sum / hw, maxAbs };
}

/**
 * Per-filter activation maps of one conv layer for one image: clean, distorted (distortBatch with the same
 * seed and image id as evaluate and the ranking, so the pixels match what the other tools see), and, with a
 * corrected model, that model's map of the layer on the distorted image; plus their differences from clean,
 * per-filter L1 statistics, shared colour ranges and the three predictions. Leaves no tensors behind.
 */
export async function activationMaps(o: ActivationOptions): Promise<ActivationMaps> {
  const conv = findConv(o.base, o.layer);
  const { input } = onlyIO(o.base, 'base');
  checkImage(o, input);
  const filters = o.filters === undefined ? [...Array(conv.filters).keys()] : [...o.filters];
  checkFilters(filters, conv);
  let correctedMap: { name: string; unit: boolean } | undefined;
  if (o.corrected !== undefined) {
    const shape = onlyIO(o.corrected, 'corrected').input.shape.slice(1);
    if (shape.join() !== input.shape.slice(1).join())
      throw new Error(
        `the corrected model takes ${shape.join('x')} inputs, the base ${input.shape.slice(1).join('x')}`,
      );
    correctedMap = correctedMapLayer(o.corrected, conv);
  }

  const [h, w, c] = o.imageShape;
  const tensors: tf.Tensor[] = [];
  try {
    const pixels = tf.tensor4d(Float32Array.from(o.image), [1, h, w, c]);
    tensors.push(pixels);
    const ids = Uint32Array.of(o.imageId);
    const clean: ImageSet = { pixels, labels: Int32Array.of(0), ids, n: 1 };
    const distortedPixels = distortBatch(pixels, o.spec, { seed: o.seed, ids });
    tensors.push(distortedPixels);
    const distortedImage = await toUint8(distortedPixels);
    // Distorted once above (its bytes are returned); modelInput on those pixels, level undefined, only scales
    // them as every other tool does, so the model sees exactly what evaluate and the ranking feed it.
    const cleanX = modelInput(clean, o.spec, undefined, o.seed);
    tensors.push(cleanX);
    const distortedX = modelInput({ ...clean, pixels: distortedPixels }, o.spec, undefined, o.seed);
    tensors.push(distortedX);

    // One image per pass for every model, so the base and corrected convs see identical batches and an
    // identity unit reproduces the distorted map bit for bit.
    const cleanRun = await mapAndPrediction(o.base, conv.activation, cleanX);
    const distortedRun = await mapAndPrediction(o.base, conv.activation, distortedX);
    const correctedRun =
      o.corrected === undefined || correctedMap === undefined
        ? undefined
        : await mapAndPrediction(o.corrected, correctedMap.name, distortedX);

    const [height, width, channels] = cleanRun.shape as [number, number, number];
    const hw = height * width;
    const cleanPlanes = planes(cleanRun.map, hw, channels, filters);
    const distortedPlanes = planes(distortedRun.map, hw, channels, filters);
    const correctedPlanes = correctedRun && planes(correctedRun.map, hw, channels, filters);
    const diffDistorted = difference(distortedPlanes, cleanPlanes);
    const diffCorrected = correctedPlanes && difference(correctedPlanes, cleanPlanes);

    const stats = filters.map((filter, i): FilterStats => {
      const d = planeStats(diffDistorted, i, hw);
      if (diffCorrected === undefined) return { filter, l1Distorted: d.l1, maxAbs: d.maxAbs };
      const k = planeStats(diffCorrected, i, hw);
      return { filter, l1Distorted: d.l1, l1Corrected: k.l1, maxAbs: Math.max(d.maxAbs, k.maxAbs) };
    });
    const shown = correctedPlanes
      ? [cleanPlanes, distortedPlanes, correctedPlanes]
      : [cleanPlanes, distortedPlanes];
    return {
      layer: conv.name,
      activation: conv.activation,
      height,
      width,
      totalFilters: channels,
      filters,
      clean: cleanPlanes,
      distorted: distortedPlanes,
      diffDistorted,
      ...(correctedPlanes && diffCorrected && correctedMap
        ? {
            corrected: correctedPlanes,
            diffCorrected,
            correctedSource: correctedMap.unit ? ('unit' as const) : ('none' as const),
            correctedLayer: correctedMap.name,
          }
        : {}),
      stats,
      range: extent(shown),
      diffMaxAbs: stats.reduce((m, s) => Math.max(m, s.maxAbs), 0),
      distortedImage,
      predictions: {
        clean: cleanRun.prediction,
        distorted: distortedRun.prediction,
        ...(correctedRun ? { corrected: correctedRun.prediction } : {}),
      },
    };
  } finally {
    tf.dispose(tensors);
  }
}
