import type { DatasetSummary, SplitName } from '../../../shared/datasets.ts';
import { batchOrder } from './batching.ts';
import type { Batch, BatchOptions, Dataset } from './dataset.ts';

/**
 * What every dataset format shares: splits held by name with all their labels in memory, the checks made
 * before a batch is read (closed dataset, unknown split, bad options), and the closed flag. A format supplies
 * how a batch order is read.
 */
export abstract class SplitDataset<S extends { labels: Int32Array }> implements Dataset {
  protected closed = false;

  protected constructor(
    readonly summary: DatasetSummary,
    protected readonly splits: Map<SplitName, S>,
  ) {}

  protected split(name: SplitName): S {
    const split = this.splits.get(name);
    if (split === undefined)
      throw new RangeError(
        `${this.summary.path} has no ${name} split (it has ${[...this.splits.keys()].join(', ')})`,
      );
    return split;
  }

  labels(name: SplitName): Promise<Int32Array> {
    return Promise.resolve().then(() => this.split(name).labels.slice());
  }

  /** Checks everything before the first read, so a bad call fails here rather than mid-iteration. */
  batches(name: SplitName, options: BatchOptions): AsyncIterableIterator<Batch> {
    this.checkOpen();
    const split = this.split(name);
    return this.iterate(name, split, batchOrder(name, split.labels.length, options), options);
  }

  protected checkOpen(): void {
    if (this.closed) throw new Error(`${this.summary.path}: the dataset is closed`);
  }

  protected abstract iterate(
    name: SplitName,
    split: S,
    order: Uint32Array,
    options: BatchOptions,
  ): AsyncIterableIterator<Batch>;

  abstract close(): Promise<void>;
}
