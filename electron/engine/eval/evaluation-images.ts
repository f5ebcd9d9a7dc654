import type { SplitName } from '../../../shared/datasets.ts';
import { contiguousSplit, type Shard } from '../../../shared/shard.ts';
import type { Dataset } from '../data/dataset.ts';
import { stratifiedSubset } from '../data/subset.ts';

/**
 * The images an evaluation reads, as split indices in reading order: a seeded stratified subset of `perClass`
 * images per class, or (without `perClass`) undefined, meaning the whole split in index order.
 */
export async function evaluationImages(
  dataset: Dataset,
  split: SplitName,
  perClass: number | undefined,
  seed: number,
): Promise<Uint32Array | undefined> {
  if (perClass === undefined) return undefined;
  return stratifiedSubset(await dataset.labels(split), perClass, seed, dataset.summary.classes.length);
}

/** The evaluation's images as a list: the given ones, or the whole split (count images) in index order. */
export function imageList(indices: Uint32Array | undefined, count: number): Uint32Array {
  if (indices !== undefined) return indices;
  const all = new Uint32Array(count);
  for (let i = 0; i < count; i++) all[i] = i;
  return all;
}

/**
 * The positions [from, to) of a shard's images in the evaluation's list of `images`: a contiguous run of whole
 * batches, balanced over the shards. Whole batches, so every batch a shard predicts is one the whole
 * evaluation predicts too: on backends whose kernels change with the batch's size (oneDNN, WebGPU's split
 * matrix products) the predictions, and so the counts, are then the same to the bit. With fewer batches than
 * shards, the last shards hold none.
 */
export function shardImageRange(images: number, batchSize: number, shard: Shard): [number, number] {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batch size must be a positive integer, not ${batchSize}`);
  const batches = Math.ceil(images / batchSize);
  const costs = Array.from({ length: batches }, (_, b) => Math.min(batchSize, images - b * batchSize));
  const [from, to] = contiguousSplit(costs, shard.count)[shard.index] ?? [batches, batches];
  return [Math.min(images, from * batchSize), Math.min(images, to * batchSize)];
}
