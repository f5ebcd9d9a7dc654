import type { DatasetSummary, SplitName } from '../../../shared/datasets.ts';
import { readAhead } from './batching.ts';
import type { Batch, BatchOptions } from './dataset.ts';
import type { PixelLayout } from './pixels.ts';
import { convertImage } from './pixels.ts';
import type { RecordSource } from './record-source.ts';
import { SplitDataset } from './split-dataset.ts';

/** One split of a fixed-size-record dataset (IDX, CIFAR): where its records are and all its labels. */
export interface RecordSplit {
  source: RecordSource;
  labels: Int32Array;
  /** Bytes before the pixels within a record (CIFAR's label bytes). */
  pixelOffset: number;
}

/**
 * A dataset whose images are fixed-size records in files (IDX, CIFAR binary). Labels are held in memory (read at
 * open); a batch reads just its records, into one buffer of batch size.
 */
export class RecordDataset extends SplitDataset<RecordSplit> {
  constructor(
    summary: DatasetSummary,
    splits: Map<SplitName, RecordSplit>,
    /** How the records store pixels; the summary says what the batches hold. */
    private readonly stored: PixelLayout,
  ) {
    super(summary, splits);
  }

  protected async *iterate(
    name: SplitName,
    split: RecordSplit,
    order: Uint32Array,
    options: BatchOptions,
  ): AsyncGenerator<Batch, void, undefined> {
    const { height, width, channels } = this.summary;
    const session = split.source.session();
    const recordBytes = split.source.recordBytes;
    const imageBytes = height * width * channels;
    // Records that are exactly the wanted pixels are read straight into the batch.
    const direct =
      split.pixelOffset === 0 &&
      !this.stored.planar &&
      this.stored.channels === channels &&
      recordBytes === imageBytes;
    const load = async (indices: Uint32Array): Promise<Batch> => {
      const n = indices.length;
      const images = new Uint8Array(n * imageBytes);
      const labels = new Int32Array(n);
      for (let i = 0; i < n; i++) labels[i] = split.labels[indices[i] as number] as number;
      if (direct) {
        await session.read(indices, images, options.signal);
      } else {
        const records = new Uint8Array(n * recordBytes);
        await session.read(indices, records, options.signal);
        for (let i = 0; i < n; i++)
          convertImage(
            records,
            i * recordBytes + split.pixelOffset,
            this.stored,
            images,
            i * imageBytes,
            channels,
          );
      }
      return { split: name, n, height, width, channels, indices: indices.slice(), labels, images };
    };
    try {
      yield* readAhead(order, options.batchSize, options.signal, load);
    } finally {
      session.close();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.splits.values()].map((s) => s.source.close()));
  }
}
