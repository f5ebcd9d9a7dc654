/**
 * The ranking set's size, checked the same way by the engine, the command line and the app's form: at least one
 * image of every class (a class with none would drop out of every filter's tau), at most the whole split.
 */
import { RANK_DEFAULTS } from './bridge/defaults.ts';

/**
 * What is wrong with a ranking set of `images` from a split of `available` images in `classes` classes, in
 * words that name `option` (the flag or field that set it) and the valid range; undefined when it is fine.
 */
export function rankingSizeProblem(
  images: number,
  available: number,
  classes: number,
  option: string,
  split = 'train',
): string | undefined {
  if (Number.isInteger(images) && images >= classes && images <= available) return undefined;
  const range =
    available < classes
      ? `the ${split} split has ${available} images, fewer than its ${classes} classes`
      : `give ${classes} to ${available} (at least one image per class, at most the ${available} images of the ${split} split)`;
  return `${option} ${images} is out of range: ${range}`;
}

/** The ranking set's size when none is given: RANK_DEFAULTS.images, or the whole split when it is smaller. */
export function defaultRankingImages(available: number): number {
  return Math.min(RANK_DEFAULTS.images, available);
}
