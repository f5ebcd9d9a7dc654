import { imageSeed, mulberry32 } from '../../../shared/random.ts';

/** Stream number of subset draws in imageSeed, apart from the distortion streams. */
const SUBSET_STREAM = 0x5eed;

/**
 * A seeded, stratified subset: up to `perClass` images of each class (one number for every class, or one per
 * class), drawn uniformly without replacement, returned as sorted indices (so streaming readers pass each file
 * once). A class with fewer images than its quota gives all it has: the subset is then smaller than the quotas'
 * sum (compare its per-class counts with the dataset's when exact balance matters). Each class draws from its
 * own generator, seeded by (seed, class), so a class's choice does not depend on the other classes' sizes, and
 * a quota of q draws the same first q images whichever way it was given.
 */
export function stratifiedSubset(
  labels: Int32Array,
  perClass: number | readonly number[],
  seed: number,
  classes: number,
): Uint32Array {
  if (!Number.isInteger(classes) || classes < 1)
    throw new RangeError(`classes must be a positive integer, not ${classes}`);
  const quotas = typeof perClass === 'number' ? new Array<number>(classes).fill(perClass) : perClass;
  for (const quota of quotas)
    if (!Number.isInteger(quota) || quota < 0)
      throw new RangeError(`images per class must be a non-negative integer, not ${quota}`);
  if (quotas.length !== classes)
    throw new RangeError(`${quotas.length} per-class quotas for ${classes} classes`);
  const counts = new Uint32Array(classes);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    if (!Number.isInteger(label) || label < 0 || label >= classes)
      throw new RangeError(`label ${label} of image ${i} is outside 0..${classes - 1}`);
    counts[label] = (counts[label] as number) + 1;
  }
  // Indices of each class, grouped: class k's are members[starts[k] .. starts[k] + counts[k]).
  const starts = new Uint32Array(classes + 1);
  for (let k = 0; k < classes; k++) starts[k + 1] = (starts[k] as number) + (counts[k] as number);
  const fill = starts.slice(0, classes);
  const members = new Uint32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    members[fill[label] as number] = i;
    fill[label] = (fill[label] as number) + 1;
  }
  const chosen: number[] = [];
  for (let k = 0; k < classes; k++) {
    const group = members.subarray(starts[k], starts[k + 1]);
    const take = Math.min(quotas[k] as number, group.length);
    const random = mulberry32(imageSeed(seed, k, SUBSET_STREAM));
    // Partial Fisher-Yates: the first `take` places get a uniform sample of the group.
    for (let i = 0; i < take; i++) {
      const j = i + Math.floor(random() * (group.length - i));
      const t = group[i] as number;
      group[i] = group[j] as number;
      group[j] = t;
      chosen.push(group[i] as number);
    }
  }
  return Uint32Array.from(chosen).sort();
}
