/**
 * What a training run records about how it selected and stopped (the baseline's, the units' and fine-tuning's):
 * pure data, kept in a model's deepcorrect.json, a study's report and the bridge's replies.
 */

/** The most epochs without improvement a run may wait (the bridge's and the command line's bound). */
export const MAX_PATIENCE = 500;

/** Why a run ended: its epoch budget ran out, or `patience` epochs in a row did not improve on the best. */
export interface TrainingStop {
  reason: 'budget' | 'early stop';
  /** The last epoch trained. */
  epoch: number;
  /** The budget: the most epochs the run could train. */
  epochs: number;
  /** Epochs without improvement that stop a run (0: never stops early). */
  patience: number;
  /** The selected epoch, whose weights the run kept. */
  bestEpoch: number;
}

/**
 * The images unit training and fine-tuning validate (and select epochs) on: the base model's own held-out
 * images as its deepcorrect.json records them, a hold-out seeded by the run's seed (models that record none),
 * or the dataset's own val split.
 */
export const VALIDATION_SOURCES = ['base held-out', 'seeded split', 'dataset val split'] as const;
export type ValidationSource = (typeof VALIDATION_SOURCES)[number];

/** "early stop at epoch 12 (patience 5, best epoch 7)" or "budget of 30 epochs (best epoch 28)". */
export function describeStop(stop: TrainingStop): string {
  return stop.reason === 'early stop'
    ? `early stop at epoch ${stop.epoch} of ${stop.epochs} (patience ${stop.patience}, best epoch ${stop.bestEpoch})`
    : `budget of ${stop.epochs} epochs used (best epoch ${stop.bestEpoch})`;
}
