/**
 * The correction priority tau from the oracle's error counts, in the authors' form or signed, and the counts
 * that say how much to trust an order built on it: cells made worse by a clean map, and ties.
 */

/**
 * abs: tau_i = sum_j |e_ij - e_j| / e_j, the authors' definition (a swap that adds errors raises it too);
 * signed: tau_i = sum_j (e_j - e_ij) / e_j, positive when filter i's clean map removes errors.
 */
export type TauKind = 'abs' | 'signed';
export const TAU_KINDS: readonly TauKind[] = ['abs', 'signed'];

/**
 * Significant digits tau is rounded to: sums of the same ratios in another order (1/3 + 1/6 and 1/2) differ in
 * the last bits, and rounded they compare equal, so ties are ties for the order, its tie-breaker and the count.
 */
const TAU_DIGITS = 12;

/**
 * tau per filter from error counts (the ratio is the same for counts and rates), rounded to TAU_DIGITS
 * significant digits. Levels with e_j = 0 are skipped: nothing is misclassified there, so no filter can be
 * credited with a correction.
 */
export function correctionPriority(
  baseline: readonly number[],
  perFilter: readonly (readonly number[])[],
  kind: TauKind = 'abs',
): { tau: number[]; skipped: number[] } {
  const skipped = baseline.flatMap((e, j) => (e === 0 ? [j] : []));
  const term =
    kind === 'abs' ? (eij: number, e: number) => Math.abs(eij - e) : (eij: number, e: number) => e - eij;
  const tau = perFilter.map((row) => {
    const sum = baseline.reduce((s, e, j) => (e === 0 ? s : s + term(row[j] as number, e) / e), 0);
    return Number(sum.toPrecision(TAU_DIGITS)) + 0; // + 0: no -0 in the JSON
  });
  return { tau, skipped };
}

/**
 * Filter-level cells (filter x level, every level, those left out of tau too) where the filter's clean map
 * added errors (e_ij > e_j) or removed some (e_ij < e_j).
 */
export function cellChanges(
  baseline: readonly number[],
  perFilter: readonly (readonly number[])[],
): { worse: number; better: number } {
  let worse = 0;
  let better = 0;
  for (const row of perFilter)
    baseline.forEach((e, j) => {
      const eij = row[j] as number;
      if (eij > e) worse++;
      else if (eij < e) better++;
    });
  return { worse, better };
}

/**
 * Ties among scores (equal values, as the order sees them): `filters` share their score with at least one other
 * filter, in `groups` groups of equal scores, the largest of `largest` filters (all 0 when every score differs).
 */
export function countTies(scores: readonly number[]): { filters: number; groups: number; largest: number } {
  const sorted = [...scores].sort((a, b) => a - b);
  let filters = 0;
  let groups = 0;
  let largest = 0;
  let start = 0;
  while (start < sorted.length) {
    let end = start + 1;
    while (end < sorted.length && sorted[end] === sorted[start]) end++;
    if (end - start > 1) {
      filters += end - start;
      groups++;
      largest = Math.max(largest, end - start);
    }
    start = end;
  }
  return { filters, groups, largest };
}
