import { openDataset } from '../electron/engine/data/open-dataset.ts';
import type { SplitName } from '../shared/datasets.ts';
import { round } from './train-bench.ts';

export interface ReadBenchResult {
  bench: 'read';
  dataset: string;
  split: SplitName;
  images: number;
  batch: number;
  seconds: number;
  img_s: number;
  /** Largest growth of memory outside the JS heap (Buffers, typed arrays) while streaming, MB. */
  peak_array_buffers_mb: number;
  /** The split's pixels if held at once, MB, for comparison. */
  dataset_mb: number;
}

/** Streams a whole split once, as training would, and reports the time and the memory it held. */
export async function benchRead(path: string, split: SplitName, batch = 256): Promise<ReadBenchResult> {
  const dataset = await openDataset(path);
  try {
    const { height, width, channels } = dataset.summary;
    const base = process.memoryUsage().arrayBuffers;
    let peak = 0;
    let images = 0;
    const start = performance.now();
    for await (const b of dataset.batches(split, { batchSize: batch })) {
      images += b.n;
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
    }
    const seconds = (performance.now() - start) / 1000;
    return {
      bench: 'read',
      dataset: dataset.summary.name,
      split,
      images,
      batch,
      seconds: round(seconds, 3),
      img_s: round(images / seconds, 0),
      peak_array_buffers_mb: round(peak / 2 ** 20, 1),
      dataset_mb: round((images * height * width * channels) / 2 ** 20, 1),
    };
  } finally {
    await dataset.close();
  }
}
