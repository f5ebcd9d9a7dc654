import type { Channels, DatasetSummary, SplitName } from '../../../shared/datasets.ts';

/** A run of images of one split, decoded to bytes. */
export interface Batch {
  split: SplitName;
  /** Images in this batch. Less than the batch size for the last batch, and also when a folder dataset was
   * opened with `skipBad` and an image of this batch failed to decode: it is then left out (and added to
   * `summary.skipped`), and `indices` says which images the batch holds. */
  n: number;
  height: number;
  width: number;
  channels: Channels;
  /** Index of each image within its split. */
  indices: Uint32Array;
  /** Class index of each image. */
  labels: Int32Array;
  /** n*height*width*channels bytes, NHWC, 0..255. */
  images: Uint8Array;
}

export interface BatchOptions {
  batchSize: number;
  /**
   * Images to read, as indices within the split (any order, repeats allowed); all images in index order when
   * absent. Batches follow this order. Gzipped IDX files are read as a stream: indices that go backwards
   * restart the decompression, so shuffled indices over a .gz file are correct but slow (sorted ones, as
   * stratified subsets give, read the file once).
   */
  indices?: ArrayLike<number>;
  /** Aborting stops the iteration with the signal's reason (an AbortError) before the next batch. */
  signal?: AbortSignal;
}

/**
 * A dataset on disk, read batch by batch: only the labels (and, for folders, the file list) are held in memory;
 * images are read when their batch is asked for. Several iterations may run at once.
 */
export interface Dataset {
  readonly summary: DatasetSummary;
  /** All labels of a split, in index order (a copy). */
  labels(split: SplitName): Promise<Int32Array>;
  /** The split's images in index order, or in the order of `options.indices`. */
  batches(split: SplitName, options: BatchOptions): AsyncIterableIterator<Batch>;
  /** Releases open files; iterations still running fail afterwards. */
  close(): Promise<void>;
}
