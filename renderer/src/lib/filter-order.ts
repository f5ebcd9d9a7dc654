/**
 * Stepping through a layer's filters: the order they are stepped in (a ranking's, else index order) and where
 * a navigation key moves the position in it. Pure.
 */

/**
 * The order filters are stepped through: a ranking's order (most important first) when one is given and
 * holds exactly the filters 0..count-1, else index order.
 */
export function filterOrder(
  count: number,
  ranking: readonly number[] | undefined,
): { order: number[]; ranked: boolean } {
  if (ranking !== undefined && ranking.length === count) {
    const seen = new Set(ranking);
    if (seen.size === count && ranking.every((f) => Number.isInteger(f) && f >= 0 && f < count)) {
      return { order: [...ranking], ranked: true };
    }
  }
  return { order: Array.from({ length: count }, (_, i) => i), ranked: false };
}

/**
 * The next position in a filter order for a navigation key, or undefined for keys that do not move:
 * ArrowRight/ArrowDown next, ArrowLeft/ArrowUp previous (both stop at the ends), Home first, End last.
 */
export function stepPosition(key: string, position: number, length: number): number | undefined {
  if (length <= 0) return undefined;
  switch (key) {
    case 'ArrowRight':
    case 'ArrowDown':
      return Math.min(length - 1, position + 1);
    case 'ArrowLeft':
    case 'ArrowUp':
      return Math.max(0, position - 1);
    case 'Home':
      return 0;
    case 'End':
      return length - 1;
    default:
      return undefined;
  }
}
