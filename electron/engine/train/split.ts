import { imageSeed, mulberry32 } from '../../../shared/random.ts';

/** Stream number of validation draws in imageSeed, apart from the subset and augmentation streams. */
const VALIDATION_STREAM = 0x7a1;

export interface TrainValidationSplit {
  /** Sorted indices into the split the labels came from (sorted so streaming readers pass each file once). */
  train: Uint32Array;
  val: Uint32Array;
}

/**
 * A seeded, stratified hold-out: each class's images are shuffled by a generator seeded with (seed, class), and
 * round(fraction x its count) of them go to validation, the rest to training. With `trainPerClass`, training
 * keeps at most that many of each class and validation takes the same share of the images used, i.e.
 * round(trainPerClass x fraction / (1 - fraction)) per class, so the ratio of the two is the same either way.
 */
export function stratifiedValidationSplit(
  labels: Int32Array,
  classes: number,
  fraction: number,
  seed: number,
  trainPerClass?: number,
): TrainValidationSplit {
  if (!(fraction >= 0 && fraction <= 0.5))
    throw new RangeError(`validation fraction must be within 0..0.5, not ${fraction}`);
  if (trainPerClass !== undefined && (!Number.isInteger(trainPerClass) || trainPerClass < 1))
    throw new RangeError(`training images per class must be a positive integer, not ${trainPerClass}`);
  const members: number[][] = Array.from({ length: classes }, () => []);
  labels.forEach((label, i) => {
    const group = members[label];
    if (group === undefined)
      throw new RangeError(`label ${label} of image ${i} is outside 0..${classes - 1}`);
    group.push(i);
  });
  const train: number[] = [];
  const val: number[] = [];
  members.forEach((group, k) => {
    const random = mulberry32(imageSeed(seed, k, VALIDATION_STREAM));
    for (let i = group.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [group[i], group[j]] = [group[j] as number, group[i] as number];
    }
    const held =
      trainPerClass === undefined
        ? Math.round(group.length * fraction)
        : Math.min(
            Math.round((trainPerClass * fraction) / (1 - fraction)),
            Math.round(group.length * fraction),
          );
    val.push(...group.slice(0, held));
    const rest = group.slice(held);
    train.push(...(trainPerClass === undefined ? rest : rest.slice(0, trainPerClass)));
  });
  return { train: Uint32Array.from(train).sort(), val: Uint32Array.from(val).sort() };
}
