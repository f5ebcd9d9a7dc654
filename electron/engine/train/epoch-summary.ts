/** One finished epoch of a training run. */
export interface EpochSummary {
  epoch: number;
  /** Mean training loss over the epoch's batches (each batch's loss before its update, image-weighted). */
  loss: number;
  /**
   * Running training accuracy over the whole epoch: the share of the epoch's (augmented) images that the
   * model, in training mode and with the weights before that image's batch update, classified correctly.
   */
  accuracy: number;
  /** Loss and accuracy on the validation images after the epoch (NaN when the run has no validation). */
  valLoss: number;
  valAccuracy: number;
  learningRate: number;
  /** Wall time of the epoch's training and validation (its checkpoint write excluded). */
  seconds: number;
  /** Training images per second of the epoch's training steps alone. */
  imagesPerSecond: number;
}

/**
 * Whether `candidate` beats the best so far for model selection: higher validation accuracy, ties broken by
 * lower validation loss. Without validation (NaN) the latest epoch wins.
 */
export function isBetter(candidate: EpochSummary, best: EpochSummary | undefined): boolean {
  if (best === undefined) return true;
  if (Number.isNaN(candidate.valAccuracy) || Number.isNaN(best.valAccuracy)) return true;
  if (candidate.valAccuracy !== best.valAccuracy) return candidate.valAccuracy > best.valAccuracy;
  return candidate.valLoss < best.valLoss;
}
