/** Spearman's rho lives in shared/ (the Ranking view pairs two rankings with it too); the engine's ranking order is here. */
export { averageRanks, spearman } from '../../../shared/stats/spearman.ts';

/**
 * Filter indices by descending primary score, ties broken by the descending secondary score (when given),
 * then by ascending index, so the order is fully determined.
 */
export function rankOrder(primary: readonly number[], secondary?: readonly number[]): number[] {
  return primary
    .map((_, i) => i)
    .sort((x, y) => {
      const d = (primary[y] as number) - (primary[x] as number);
      if (d !== 0) return d;
      const s = secondary === undefined ? 0 : (secondary[y] as number) - (secondary[x] as number);
      return s !== 0 ? s : x - y;
    });
}
