import { AbortError } from '../train/fit.ts';

/** The learning rates a grid may hold: the bridge's bound on any optimiser's rate. */
export const TUNE_RATE_RANGE = { min: 0, max: 10 } as const;

/** What tuning needs of a trained run: its per-epoch validation mean, the kept epoch and the model to dispose. */
export interface Tunable {
  model: { dispose: () => void };
  history: readonly { epoch: number; valMean: number }[];
  bestEpoch: number;
}

/** One learning rate of the grid and the best validation mean (clean plus levels) its run reached. */
export interface TuneCandidate {
  learningRate: number;
  bestValMean: number;
  bestEpoch: number;
}

export interface TuneResult<T extends Tunable> {
  /** The winning run, model included (the caller disposes it); every other run's model is disposed. */
  best: T;
  learningRate: number;
  /** Every rate of the grid in grid order, the winner included, for the report. */
  candidates: TuneCandidate[];
}

export interface TuneOptions<T extends Tunable> {
  /** The learning rates to try, in order (refused when empty or when any is not within (0, 10]). */
  grid: readonly number[];
  /** Trains one run at this learning rate; the grid's other settings are the caller's. */
  train: (learningRate: number, index: number) => Promise<T>;
  /** The option the grid came from, for the refusal (default --tune-grid). */
  option?: string;
  /** After each run, with its candidate line. */
  onCandidate?: (candidate: TuneCandidate, index: number) => void;
  signal?: AbortSignal;
}

/** Refuses an empty grid or a rate outside (0, 10], naming the option and the range, before any training. */
export function checkGrid(grid: readonly number[], option = '--tune-grid'): void {
  if (grid.length === 0)
    throw new RangeError(
      `${option}: give at least one learning rate, each within (${TUNE_RATE_RANGE.min}, ${TUNE_RATE_RANGE.max}]`,
    );
  for (const rate of grid)
    if (!(Number.isFinite(rate) && rate > TUNE_RATE_RANGE.min && rate <= TUNE_RATE_RANGE.max))
      throw new RangeError(
        `${option}: learning rates must be within (${TUNE_RATE_RANGE.min}, ${TUNE_RATE_RANGE.max}], not ${rate}`,
      );
  if (new Set(grid).size !== grid.length)
    throw new RangeError(`${option}: each learning rate once (${grid.join(', ')} repeats one)`);
}

/** Parses a comma list of learning rates (e.g. 0.003,0.01,0.03) and checks it as checkGrid does. */
export function parseGrid(text: string, option = '--tune-grid'): number[] {
  const grid = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  checkGrid(grid, option);
  return grid;
}

const score = (c: TuneCandidate): number => (Number.isNaN(c.bestValMean) ? -Infinity : c.bestValMean);

function candidateOf(learningRate: number, run: Tunable): TuneCandidate {
  const best = run.history.find((h) => h.epoch === run.bestEpoch);
  if (best === undefined)
    throw new Error(`the run at learning rate ${learningRate} has no epoch ${run.bestEpoch}`);
  return { learningRate, bestValMean: best.valMean, bestEpoch: run.bestEpoch };
}

/**
 * Trains one run per learning rate of the grid and keeps the one whose selected epoch has the highest
 * validation mean (ties: the earlier rate of the grid). Only validation figures choose: the caller's runs
 * select their epochs on validation images, and no test image is seen here. Each losing model is disposed as
 * soon as it loses, so at most two are held at once; a run that fails or is cancelled disposes the winner so
 * far before the error goes on.
 */
export async function tuneLearningRate<T extends Tunable>(o: TuneOptions<T>): Promise<TuneResult<T>> {
  checkGrid(o.grid, o.option);
  const candidates: TuneCandidate[] = [];
  let best: { run: T; candidate: TuneCandidate } | undefined;
  try {
    for (const [index, learningRate] of o.grid.entries()) {
      if (o.signal?.aborted) throw new AbortError();
      const run = await o.train(learningRate, index);
      let candidate: TuneCandidate;
      try {
        candidate = candidateOf(learningRate, run);
      } catch (error) {
        run.model.dispose();
        throw error;
      }
      candidates.push(candidate);
      o.onCandidate?.(candidate, index);
      // A later rate must be strictly better; a diverged run (NaN) loses to any that is not.
      if (best === undefined || score(candidate) > score(best.candidate)) {
        best?.run.model.dispose();
        best = { run, candidate };
      } else run.model.dispose();
    }
  } catch (error) {
    best?.run.model.dispose();
    throw error;
  }
  if (best === undefined) throw new Error('no learning rate was tried');
  return { best: best.run, learningRate: best.candidate.learningRate, candidates };
}
