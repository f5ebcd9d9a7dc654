import type { SplitName } from '../../../shared/datasets.ts';
import type { Batch, BatchOptions } from './dataset.ts';

/** The indices a batch iteration reads, checked against the split: a copy of the caller's, or 0..count-1. */
export function batchOrder(split: SplitName, count: number, options: BatchOptions): Uint32Array {
  const { batchSize } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batch size must be a positive integer, not ${batchSize}`);
  const given = options.indices;
  if (given === undefined) {
    const all = new Uint32Array(count);
    for (let i = 0; i < count; i++) all[i] = i;
    return all;
  }
  const order = new Uint32Array(given.length);
  for (let i = 0; i < given.length; i++) {
    const index = given[i] as number;
    if (!Number.isInteger(index) || index < 0 || index >= count)
      throw new RangeError(
        `index ${index} (position ${i}) is outside the ${split} split, which has ${count} images`,
      );
    order[i] = index;
  }
  return order;
}

/** Positions 0..n-1 of `indices`, sorted by index (stable), so files can be read front to back. */
export function ascendingPositions(indices: Uint32Array): Uint32Array {
  const positions = new Uint32Array(indices.length);
  let sorted = true;
  for (let i = 0; i < indices.length; i++) {
    positions[i] = i;
    if (i > 0 && (indices[i] as number) < (indices[i - 1] as number)) sorted = false;
  }
  if (sorted) return positions;
  return Uint32Array.from(
    Array.from(positions).sort((a, b) => (indices[a] as number) - (indices[b] as number) || a - b),
  );
}

const ignore = (): void => undefined;

/**
 * Yields the batches of `order`, loading one batch ahead: while the caller works on a batch the next one is
 * read (and, for image folders, decoded on libuv's threads). At most two batches are held at once. A caller that
 * stops early waits for the batch read ahead, so no read outlives the iteration.
 */
export async function* readAhead(
  order: Uint32Array,
  batchSize: number,
  signal: AbortSignal | undefined,
  load: (indices: Uint32Array) => Promise<Batch>,
): AsyncGenerator<Batch, void, undefined> {
  const count = Math.ceil(order.length / batchSize);
  const start = (b: number): Promise<Batch> => {
    signal?.throwIfAborted();
    const pending = load(order.subarray(b * batchSize, Math.min(order.length, (b + 1) * batchSize)));
    // Handled here so a read-ahead that fails while the caller is busy is not an unhandled rejection;
    // awaiting `pending` below still throws its error.
    pending.catch(ignore);
    return pending;
  };
  let pending = count > 0 ? start(0) : undefined;
  try {
    for (let b = 0; b < count && pending !== undefined; b++) {
      const batch = await pending;
      pending = undefined;
      signal?.throwIfAborted();
      if (b + 1 < count) pending = start(b + 1);
      yield batch;
    }
  } finally {
    if (pending !== undefined) await pending.catch(ignore);
  }
}
