import type * as tf from '@tensorflow/tfjs';
import { summarize } from '../models/summary.ts';
import type { LayerRanking } from '../rank/types.ts';

export type LayerOrder = Pick<LayerRanking, 'layer' | 'activation' | 'filters' | 'order'>;

/**
 * Filter orders given by name (an earlier ranking's, most important first), checked against the model: each
 * names one of its conv layers and lists each of that layer's filters exactly once.
 */
export function layerOrders(model: tf.LayersModel, orders: Record<string, readonly number[]>): LayerOrder[] {
  const convs = summarize(model).convLayers;
  return Object.entries(orders).map(([layer, order]) => {
    const conv = convs.find((c) => c.name === layer);
    if (conv === undefined)
      throw new Error(
        `"${layer}" is not a conv layer of the model; its conv layers are ${convs.map((c) => c.name).join(', ')}`,
      );
    if (
      order.length !== conv.filters ||
      new Set(order).size !== order.length ||
      order.some((f) => f >= conv.filters)
    )
      throw new Error(`the order for ${layer} must list each of its ${conv.filters} filters once`);
    return { layer, activation: conv.activation, filters: conv.filters, order: [...order] };
  });
}

/** A ranking's orders by layer name. */
export function ordersOf(ranking: {
  layers: readonly Pick<LayerRanking, 'layer' | 'order'>[];
}): Record<string, number[]> {
  return Object.fromEntries(ranking.layers.map((l) => [l.layer, [...l.order]]));
}
