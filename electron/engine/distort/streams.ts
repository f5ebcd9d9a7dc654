import type { DistortionKind } from '../../../shared/distortions.ts';

/*
 * One random stream per distortion kind, so that (for example) the noise and the speckle of the same image
 * are independent draws. The numbers are written out rather than taken from the position of the kind in
 * DISTORTION_KINDS: reordering or extending that list must never change the bytes of a saved experiment.
 * Kinds without randomness have a stream too, so a future seeded variant of them needs no new table.
 */
const STREAMS: Record<DistortionKind, number> = {
  blur: 1,
  noise: 2,
  'motion-blur': 3,
  defocus: 4,
  jpeg: 5,
  contrast: 6,
  brightness: 7,
  'salt-pepper': 8,
  speckle: 9,
  pixelate: 10,
};

/** The stream number passed to imageSeed for a kind's random draws. */
export function streamOf(kind: DistortionKind): number {
  return STREAMS[kind];
}
