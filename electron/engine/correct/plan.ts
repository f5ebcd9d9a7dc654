import { correctedCount as fractionCount } from '../rank/experiment.ts';
import type { LayerRanking } from '../rank/types.ts';
import type { PlanEntry } from './build.ts';

/** Filters corrected for a fraction beta of n, counted as the oracle experiment counts; beta must be in (0, 1]. */
export function correctedCount(beta: number, filters: number): number {
  if (!(beta > 0 && beta <= 1)) throw new RangeError(`beta must be within (0, 1], not ${beta}`);
  return fractionCount(beta, filters);
}

/**
 * The correction plan from a ranking: for each layer (in the given order, default every ranked layer) the
 * top beta of its `order`, most important first. The order follows the tau the ranking recorded (`tauKind`,
 * abs or signed; rank-layer.ts sorts by it): where the layer carries its tau, an order that does not descend
 * in it (a hand-edited file) is refused rather than followed.
 */
export function planFromRanking(
  ranking: {
    tauKind?: string;
    layers: readonly (Pick<LayerRanking, 'layer' | 'filters' | 'order'> & { tau?: readonly number[] })[];
  },
  beta: number,
  layers?: readonly string[],
): PlanEntry[] {
  const byName = new Map(ranking.layers.map((l) => [l.layer, l]));
  const names = layers ?? ranking.layers.map((l) => l.layer);
  return names.map((name) => {
    const ranked = byName.get(name);
    if (ranked === undefined)
      throw new Error(
        `the ranking has no layer "${name}"; it ranked ${ranking.layers.map((l) => l.layer).join(', ')}`,
      );
    if (ranked.order.length !== ranked.filters)
      throw new Error(
        `the ranking of "${name}" orders ${ranked.order.length} of its ${ranked.filters} filters`,
      );
    const tau = ranked.tau;
    if (
      tau !== undefined &&
      ranked.order.some(
        (f, k) => k > 0 && (tau[f] as number) > (tau[ranked.order[k - 1] as number] as number),
      )
    )
      throw new Error(
        `the ranking of "${name}" is not in the order of its ${ranking.tauKind ?? 'abs'} tau: rank it again`,
      );
    return { layer: name, filters: ranked.order.slice(0, correctedCount(beta, ranked.filters)) };
  });
}
