import type { SplitName } from '../../../shared/datasets.ts';
import { rankingSizeProblem } from '../../../shared/ranking-size.ts';
import { imageSeed, mulberry32 } from '../../../shared/random.ts';
import type { Dataset } from '../data/dataset.ts';
import { loadImages } from '../data/load-images.ts';
import { stratifiedSubset } from '../data/subset.ts';
import { checkEveryClass, imageSet, type ImageSet } from './images.ts';

/** How big the ranking set is: a number of images spread evenly over the classes, or a number per class. */
export type RankingSetSize = { images: number } | { perClass: number };

/** Stream of the halves' draw in imageSeed, apart from the subset's and the distortions'. */
const HALVES_STREAM = 0x4a1f;

/** A ranking set, and for the stability measure which of two disjoint stratified halves each image is in. */
export interface RankingSet extends ImageSet {
  /** 0 or 1 per image (row order); absent when the set was not split. */
  halves?: Uint8Array;
}

/**
 * `images` spread evenly over the classes, as the authors drew theirs (10 per class on CIFAR-100, 5 on
 * ImageNet): a class with too few images gives all it has and the others share the rest; what does not
 * divide evenly goes one image each to the classes with the lowest indices. Needs images <= the counts' sum.
 */
export function balancedQuotas(counts: ArrayLike<number>, images: number): number[] {
  const quotas = Array.from({ length: counts.length }, () => 0);
  let left = images;
  let open = Array.from(quotas.keys()).filter((k) => (counts[k] as number) > 0);
  while (left > 0 && open.length > 0) {
    const share = Math.floor(left / open.length);
    // Fewer images left than classes to take them: one each for the first ones.
    const extra = share > 0 ? 0 : left;
    for (const [i, k] of open.entries()) {
      const room = (counts[k] as number) - (quotas[k] as number);
      const give = Math.min(room, share > 0 ? share : i < extra ? 1 : 0);
      quotas[k] = (quotas[k] as number) + give;
      left -= give;
      if (left === 0) break;
    }
    open = open.filter((k) => (quotas[k] as number) < (counts[k] as number));
  }
  return quotas;
}

/**
 * Splits a set into two disjoint halves stratified by class: each class's images are shuffled (seeded) and
 * halved; a class with an odd count gives its extra image to the halves in turn, so the halves differ by at
 * most one image.
 */
export function stratifiedHalves(labels: Int32Array, seed: number): Uint8Array {
  const byClass = new Map<number, number[]>();
  labels.forEach((label, row) => {
    const rows = byClass.get(label);
    if (rows === undefined) byClass.set(label, [row]);
    else rows.push(row);
  });
  const halves = new Uint8Array(labels.length);
  let extraToFirst = true;
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = byClass.get(label) as number[];
    const random = mulberry32(imageSeed(seed, label, HALVES_STREAM));
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [rows[i], rows[j]] = [rows[j] as number, rows[i] as number];
    }
    let first = Math.floor(rows.length / 2);
    if (rows.length % 2 === 1) {
      if (extraToFirst) first++;
      extraToFirst = !extraToFirst;
    }
    rows.forEach((row, i) => (halves[row] = i < first ? 0 : 1));
  }
  return halves;
}

/**
 * The ranking set: a seeded stratified subset of a split, read into memory, optionally split into halves.
 * Refuses a size out of range (naming `option`) before reading any image. The caller disposes `pixels`.
 */
export async function loadRankingSet(
  dataset: Dataset,
  split: SplitName,
  size: RankingSetSize,
  options: { seed: number; halves: boolean; option: string; signal?: AbortSignal | undefined },
): Promise<RankingSet> {
  const labels = await checkEveryClass(dataset, split);
  const classes = dataset.summary.classes.length;
  let quotas: number | number[];
  if ('images' in size) {
    const problem = rankingSizeProblem(size.images, labels.length, classes, options.option, split);
    if (problem !== undefined) throw new RangeError(problem);
    const counts = new Array<number>(classes).fill(0);
    for (const label of labels) counts[label] = (counts[label] as number) + 1;
    quotas = balancedQuotas(counts, size.images);
  } else quotas = size.perClass;
  const indices = stratifiedSubset(labels, quotas, options.seed, classes);
  const set: RankingSet = imageSet(await loadImages(dataset, split, indices, options.signal));
  if (options.halves) set.halves = stratifiedHalves(set.labels, options.seed);
  return set;
}
