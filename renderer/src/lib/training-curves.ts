/**
 * Live training curves of a correct.train or finetune.train job from its progress points
 * (electron/engine/correct/train-loop.ts onProgress: epoch, batch, batches, loss, accuracy, imagesPerSecond,
 * learningRate, and valAccuracy = the latest finished epoch's validation mean).
 */

export interface CurvePoint {
  fraction: number;
  metrics: Record<string, number>;
}

export interface EpochRecord {
  epoch: number;
  valMean: number;
  loss?: number;
  accuracy?: number;
}

export interface TrainingCurves {
  /** [progress %, value] per progress report. */
  loss: [number, number][];
  accuracy: [number, number][];
  /** [epoch, validation mean] per finished epoch. */
  valMean: [number, number][];
  imagesPerSecond?: number;
}

/**
 * The curves of one job; a finished job's history (exact per-epoch validation means, the last epoch's
 * included) replaces what the progress reports imply.
 */
export function trainingCurves(
  points: readonly CurvePoint[],
  history?: readonly EpochRecord[],
  epochs?: number,
): TrainingCurves {
  const loss: [number, number][] = [];
  const accuracy: [number, number][] = [];
  const val = new Map<number, number>();
  let imagesPerSecond: number | undefined;
  for (const p of points) {
    const m = p.metrics;
    const x = p.fraction * 100;
    if (m['loss'] !== undefined && Number.isFinite(m['loss'])) loss.push([x, m['loss']]);
    if (m['accuracy'] !== undefined && Number.isFinite(m['accuracy'])) accuracy.push([x, m['accuracy']]);
    // valAccuracy during epoch e is the validation mean of epoch e - 1.
    if (m['valAccuracy'] !== undefined && m['epoch'] !== undefined && m['epoch'] > 1)
      val.set(m['epoch'] - 1, m['valAccuracy']);
    if (m['imagesPerSecond'] !== undefined) imagesPerSecond = m['imagesPerSecond'];
  }
  if (history !== undefined) for (const h of history) val.set(h.epoch, h.valMean);
  // No live reports (the page was reloaded after the job): each epoch's mean loss and accuracy at its end.
  if (points.length === 0 && history !== undefined && epochs !== undefined && epochs > 0)
    for (const h of history) {
      const x = (h.epoch / epochs) * 100;
      if (h.loss !== undefined) loss.push([x, h.loss]);
      if (h.accuracy !== undefined) accuracy.push([x, h.accuracy]);
    }
  const valMean = [...val.entries()].sort((a, b) => a[0] - b[0]);
  return { loss, accuracy, valMean, ...(imagesPerSecond === undefined ? {} : { imagesPerSecond }) };
}
