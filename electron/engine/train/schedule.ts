/** How the learning rate changes from epoch to epoch (it is constant within an epoch). */
export type LearningRateSchedule =
  | { kind: 'constant' }
  /** Multiplied by `factor` after every `every` epochs: docs/method.md §4, "divided by 10 every 10 to 15 epochs". */
  | { kind: 'step'; every: number; factor: number }
  /** Half a cosine from the base rate at epoch 1 towards zero after the last epoch. */
  | { kind: 'cosine' };

/** The learning rate of `epoch` (1-based) in a run of `epochs` epochs starting at `base`. */
export function learningRateAt(
  schedule: LearningRateSchedule,
  base: number,
  epoch: number,
  epochs: number,
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
  }
}

/** Parses `constant`, `cosine` or `step:<every>:<factor>` (e.g. step:10:0.1). */
export function parseSchedule(text: string): LearningRateSchedule {
  const value = text.trim().toLowerCase();
  if (value === 'constant') return { kind: 'constant' };
  if (value === 'cosine') return { kind: 'cosine' };
  const match = /^step:(\d+):([0-9.eE+-]+)$/.exec(value);
  if (match !== null) {
    const every = Number(match[1]);
    const factor = Number(match[2]);
    if (every >= 1 && Number.isFinite(factor) && factor > 0 && factor <= 1)
      return { kind: 'step', every, factor };
  }
  throw new RangeError(
    `"${text}" is not a schedule: use constant, cosine, or step:<every epochs>:<factor in (0, 1]> (e.g. step:10:0.1)`,
  );
}

export function describeSchedule(schedule: LearningRateSchedule): string {
  return schedule.kind === 'step' ? `step:${schedule.every}:${schedule.factor}` : schedule.kind;
}
