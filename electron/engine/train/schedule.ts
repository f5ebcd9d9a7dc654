/** How the learning rate changes from epoch to epoch (it is constant within an epoch). */
export type LearningRateSchedule =
  | { kind: 'constant' }
  /** Multiplied by `factor` after every `every` epochs: docs/method.md §4, "divided by 10 every 10 to 15 epochs". */
  | { kind: 'step'; every: number; factor: number }
  /** Half a cosine from the base rate at epoch 1 towards zero after the last epoch. */
  | { kind: 'cosine' }
  /**
   * Reduce on plateau: multiplied by `factor` once `patience` epochs in a row have not improved on the best
   * validation score (then the count starts again), so the rate follows the run rather than a fixed calendar.
   */
  | { kind: 'plateau'; patience: number; factor: number };

/**
 * The learning rate of `epoch` (1-based) in a run of `epochs` epochs starting at `base`. `improved` says, for
 * each epoch before this one, whether it became the best so far (the trainer's selection rule): only the
 * plateau schedule reads it, and as it is a function of the history, a resumed run recomputes the same rates.
 */
export function learningRateAt(
  schedule: LearningRateSchedule,
  base: number,
  epoch: number,
  epochs: number,
  improved: readonly boolean[] = [],
): number {
  if (!Number.isInteger(epoch) || epoch < 1) throw new RangeError(`epoch must be 1 or more, not ${epoch}`);
  switch (schedule.kind) {
    case 'constant':
      return base;
    case 'step':
      return base * schedule.factor ** Math.floor((epoch - 1) / schedule.every);
    case 'cosine':
      // Epoch E gets a small positive rate rather than zero, so the last epoch still trains.
      return base * 0.5 * (1 + Math.cos((Math.PI * (epoch - 1)) / Math.max(1, epochs)));
    case 'plateau': {
      if (improved.length < epoch - 1)
        throw new RangeError(`the plateau schedule needs epochs 1..${epoch - 1}'s improvements`);
      let reductions = 0;
      let waited = 0;
      for (const better of improved.slice(0, epoch - 1)) {
        waited = better ? 0 : waited + 1;
        if (waited >= schedule.patience) {
          reductions++;
          waited = 0;
        }
      }
      return base * schedule.factor ** reductions;
    }
  }
}

const SCHEDULE_FORMS =
  'constant, cosine, step:<every epochs>:<factor in (0, 1]> (e.g. step:10:0.1) or plateau:<patience epochs>:<factor in (0, 1)> (e.g. plateau:3:0.1)';

/** Parses `constant`, `cosine`, `step:<every>:<factor>` (e.g. step:10:0.1) or `plateau:<patience>:<factor>`. */
export function parseSchedule(text: string): LearningRateSchedule {
  const value = text.trim().toLowerCase();
  if (value === 'constant') return { kind: 'constant' };
  if (value === 'cosine') return { kind: 'cosine' };
  const match = /^(step|plateau):(\d+):([0-9.eE+-]+)$/.exec(value);
  if (match !== null) {
    const count = Number(match[2]);
    const factor = Number(match[3]);
    if (match[1] === 'step' && count >= 1 && Number.isFinite(factor) && factor > 0 && factor <= 1)
      return { kind: 'step', every: count, factor };
    // A factor of 1 would never reduce: refused, as it is surely a mistake.
    if (match[1] === 'plateau' && count >= 1 && Number.isFinite(factor) && factor > 0 && factor < 1)
      return { kind: 'plateau', patience: count, factor };
  }
  throw new RangeError(`"${text}" is not a schedule: use ${SCHEDULE_FORMS}`);
}

export function describeSchedule(schedule: LearningRateSchedule): string {
  switch (schedule.kind) {
    case 'step':
      return `step:${schedule.every}:${schedule.factor}`;
    case 'plateau':
      return `plateau:${schedule.patience}:${schedule.factor}`;
    default:
      return schedule.kind;
  }
}
