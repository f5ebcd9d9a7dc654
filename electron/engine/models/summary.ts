import type * as tf from '@tensorflow/tfjs';

export interface ConvLayerSummary {
  name: string;
  filters: number;
  /** Kernel height (every architecture here uses square kernels). */
  kernel: number;
  /** Vertical stride. */
  stride: number;
  /** [height, width, filters] of the layer's output. */
  outputShape: number[];
  /**
   * The layer whose output is this conv's post-activation map, the one the method ranks filters on:
   * relu<k> for conv<k> where such a layer exists (after batch norm, or after a ResNet block's add),
   * else the conv itself (its activation is fused, as in cnn4, or it is linear).
   */
  activation: string;
}

export interface ModelSummary {
  /** Every weight, batch-norm moving statistics included (model.countParams()). */
  parameters: number;
  trainableParameters: number;
  /** Conv2D layers in forward order (the model's topological layer order). */
  convLayers: ConvLayerSummary[];
}

function firstOf(value: unknown): number {
  const v: unknown = Array.isArray(value) ? (value as unknown[])[0] : value;
  return typeof v === 'number' ? v : NaN;
}

export function summarize(model: tf.LayersModel): ModelSummary {
  const names = new Set(model.layers.map((l) => l.name));
  const convLayers = model.layers
    .filter((l) => l.getClassName() === 'Conv2D')
    .map((l): ConvLayerSummary => {
      const config = l.getConfig();
      const shape = (Array.isArray(l.outputShape[0]) ? l.outputShape[0] : l.outputShape) as (number | null)[];
      const relu = /^conv(\d+)$/.exec(l.name) ? `relu${l.name.slice(4)}` : undefined;
      return {
        name: l.name,
        filters: config.filters as number,
        kernel: firstOf(config.kernelSize),
        stride: firstOf(config.strides),
        outputShape: shape.slice(1).map((d) => d ?? -1),
        activation: relu !== undefined && names.has(relu) ? relu : l.name,
      };
    });
  const trainableParameters = model.trainableWeights.reduce((sum, w) => sum + w.read().size, 0);
  return { parameters: model.countParams(), trainableParameters, convLayers };
}
