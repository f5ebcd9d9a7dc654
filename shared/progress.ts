/** A long job's progress, as the engine reports it to the CLI, the bridge and the UI. */
export interface Progress {
  /** What the job is doing now, e.g. "epoch 2/5". */
  stage: string;
  /** Fraction of the whole job done, 0..1. */
  fraction: number;
  /** Estimated seconds left, once enough work has been timed. */
  etaSeconds?: number;
  /** Figures of the moment (loss, accuracy, images/s). */
  metrics?: Record<string, number>;
}

export type ProgressListener = (progress: Progress) => void;

/** Estimates the time left from the time spent so far, assuming a steady rate. */
export function etaSeconds(fraction: number, elapsedSeconds: number): number | undefined {
  if (fraction <= 0 || fraction >= 1 || elapsedSeconds <= 0) return fraction >= 1 ? 0 : undefined;
  return (elapsedSeconds * (1 - fraction)) / fraction;
}
