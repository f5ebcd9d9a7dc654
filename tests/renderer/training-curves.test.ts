import { describe, expect, it } from 'vitest';
import { trainingCurves } from '../../renderer/src/lib/training-curves.ts';

const point = (fraction: number, metrics: Record<string, number>) => ({ fraction, metrics });

describe('live training curves', () => {
  it('plots loss and accuracy against progress and the previous epoch’s validation mean', () => {
    const curves = trainingCurves([
      point(0.25, { epoch: 1, batch: 1, batches: 2, loss: 2, accuracy: 0.1, imagesPerSecond: 100 }),
      point(0.5, { epoch: 1, batch: 2, batches: 2, loss: 1.5, accuracy: 0.3, imagesPerSecond: 110 }),
      point(0.75, {
        epoch: 2,
        batch: 1,
        batches: 2,
        loss: 1,
        accuracy: 0.5,
        valAccuracy: 0.4,
        imagesPerSecond: 120,
      }),
    ]);
    expect(curves.loss).toEqual([
      [25, 2],
      [50, 1.5],
      [75, 1],
    ]);
    expect(curves.accuracy.map((p) => p[1])).toEqual([0.1, 0.3, 0.5]);
    expect(curves.valMean).toEqual([[1, 0.4]]);
    expect(curves.imagesPerSecond).toBe(120);
  });

  it('takes a finished job’s history as the exact validation means', () => {
    const curves = trainingCurves(
      [point(0.9, { epoch: 2, loss: 1, accuracy: 0.5, valAccuracy: 0.4 })],
      [
        { epoch: 1, valMean: 0.41 },
        { epoch: 2, valMean: 0.45 },
      ],
    );
    expect(curves.valMean).toEqual([
      [1, 0.41],
      [2, 0.45],
    ]);
  });

  it('falls back to the per-epoch history when no live reports are left', () => {
    const curves = trainingCurves([], [{ epoch: 1, valMean: 0.4, loss: 1.2, accuracy: 0.6 }], 2);
    expect(curves.loss).toEqual([[50, 1.2]]);
    expect(curves.accuracy).toEqual([[50, 0.6]]);
  });

  it('is empty without points', () => {
    expect(trainingCurves([])).toEqual({ loss: [], accuracy: [], valMean: [] });
  });
});
