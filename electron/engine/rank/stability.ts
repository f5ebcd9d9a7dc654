import { correctedCount } from './experiment.ts';
import { rankOrder, spearman } from './spearman.ts';

/** How far one layer's order holds when the ranking images change (docs/ranking.md, "Stability"). */
export interface OrderStability {
  /** Spearman of the two sets' scores (average ranks for ties); null when either is constant. */
  spearman: number | null;
  /** The share of the filters: top round(beta * filters), at least one. */
  beta: number;
  /** |A ∩ B| / |A| for A, B the top-beta filters of the two orders (same size, so symmetric). */
  topOverlap: number;
}

/**
 * The agreement of two rankings of one layer made on disjoint image sets: Spearman of their scores and the
 * overlap of their top-beta filters. Each order breaks its ties as a ranking does (by the tie-breaker scores
 * when given, then by index).
 */
export function rankingStability(
  a: { score: readonly number[]; tieBreak?: readonly number[] },
  b: { score: readonly number[]; tieBreak?: readonly number[] },
  beta: number,
): OrderStability {
  if (!(beta > 0 && beta <= 1))
    throw new RangeError(`the stability's beta must be within (0, 1], not ${beta}`);
  if (a.score.length !== b.score.length || a.score.length === 0)
    throw new RangeError(`stability of ${a.score.length} scores against ${b.score.length}`);
  const top = correctedCount(beta, a.score.length);
  const topA = new Set(rankOrder(a.score, a.tieBreak).slice(0, top));
  const shared = rankOrder(b.score, b.tieBreak)
    .slice(0, top)
    .filter((f) => topA.has(f)).length;
  const rho = spearman(a.score, b.score);
  return { spearman: Number.isNaN(rho) ? null : rho, beta, topOverlap: shared / top };
}
