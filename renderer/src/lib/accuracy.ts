/**
 * The accuracy-versus-distortion summary of a baseline run, as the Models view charts and tabulates it:
 * points on the distortion's real parameter axis (clean sits at the identity level, where the image is
 * unchanged) and the two means the method reports, with and without the clean images.
 */
import { DISTORTIONS, type DistortionKind } from '../../../shared/distortions.ts';

/** One row of a run's result: `level` absent means the clean images. */
export interface LevelAccuracy {
  level?: number | undefined;
  accuracy: number;
}

export interface AccuracyPoint {
  /** The distortion parameter (the identity level for clean). */
  x: number;
  accuracy: number;
  clean: boolean;
}

export interface AccuracySummary {
  points: AccuracyPoint[];
  /** Mean accuracy over clean plus every level. */
  meanWithClean: number | undefined;
  /** Mean accuracy over the distortion levels alone. */
  meanLevels: number | undefined;
  clean: number | undefined;
}

const mean = (values: number[]): number | undefined =>
  values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;

export function summariseAccuracy(
  rows: readonly LevelAccuracy[],
  kind: DistortionKind | undefined,
): AccuracySummary {
  const identity = kind === undefined ? 0 : DISTORTIONS[kind].identity;
  const points = rows.map((r) =>
    r.level === undefined
      ? { x: identity, accuracy: r.accuracy, clean: true }
      : { x: r.level, accuracy: r.accuracy, clean: false },
  );
  const levels = points.filter((p) => !p.clean).map((p) => p.accuracy);
  const cleanPoint = points.find((p) => p.clean);
  return {
    points,
    meanWithClean: mean(points.map((p) => p.accuracy)),
    meanLevels: mean(levels),
    clean: cleanPoint?.accuracy,
  };
}
