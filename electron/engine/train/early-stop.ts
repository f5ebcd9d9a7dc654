/** For each record in order, whether it became the best so far under `isBetter` (the trainer's selection rule). */
export function improvements<R>(
  history: readonly R[],
  isBetter: (candidate: R, best: R | undefined) => boolean,
): boolean[] {
  let best: R | undefined;
  return history.map((record) => {
    const better = isBetter(record, best);
    if (better) best = record;
    return better;
  });
}

/**
 * The first epoch (1-based) after which a run with this patience stops: the end of `patience` epochs in a row
 * without a new best. Undefined when it never does, or when patience is 0 (early stopping off).
 */
export function earlyStopEpoch(improved: readonly boolean[], patience: number): number | undefined {
  if (patience === 0) return undefined;
  let waited = 0;
  for (let i = 0; i < improved.length; i++) {
    waited = improved[i] === true ? 0 : waited + 1;
    if (waited >= patience) return i + 1;
  }
  return undefined;
}

/** The check every trainer makes of its patience before it opens anything. */
export function checkPatience(patience: number): void {
  if (!Number.isInteger(patience) || patience < 0)
    throw new RangeError(
      `patience must be a whole number of epochs, 0 (never stop early) or more, not ${patience}`,
    );
}
