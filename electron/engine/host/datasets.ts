import type { Images } from '../../../shared/bridge/schemas.ts';
import type { SplitName } from '../../../shared/datasets.ts';
import type { Dataset } from '../data/dataset.ts';
import { openDataset, type OpenOptions } from '../data/open-dataset.ts';
import { demoDatasetDir } from '../resources.ts';

/** The datasets the UI has open, by id, so requests name them without reopening files. */
export class DatasetRegistry {
  private readonly open = new Map<string, Dataset>();
  private nextId = 1;

  async add(
    path: string | undefined,
    options: OpenOptions,
  ): Promise<{ datasetId: string; dataset: Dataset }> {
    const dataset = await openDataset(path ?? demoDatasetDir(), options);
    const datasetId = `ds-${this.nextId++}`;
    this.open.set(datasetId, dataset);
    return { datasetId, dataset };
  }

  get(datasetId: string): Dataset {
    const dataset = this.open.get(datasetId);
    if (dataset === undefined) throw new Error(`dataset ${datasetId} is not open (open it again)`);
    return dataset;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open.values()].map((d) => d.close()));
    this.open.clear();
  }
}

/** The given images of a split as one bytes payload (a folder opened with skipBad may return fewer). */
export async function readImages(dataset: Dataset, split: SplitName, indices: number[]): Promise<Images> {
  const { height, width, channels } = dataset.summary;
  const size = height * width * channels;
  for (const i of indices) {
    const count = dataset.summary.splits.find((s) => s.name === split)?.count ?? 0;
    if (i >= count) throw new Error(`image ${i} is outside the ${split} split (${count} images)`);
  }
  const pixels = new Uint8Array(indices.length * size);
  const got: number[] = [];
  const labels: number[] = [];
  for await (const batch of dataset.batches(split, { batchSize: indices.length, indices })) {
    pixels.set(batch.images, got.length * size);
    got.push(...batch.indices);
    labels.push(...batch.labels);
  }
  return {
    n: got.length,
    height,
    width,
    channels,
    indices: got,
    labels,
    pixels: got.length === indices.length ? pixels : pixels.slice(0, got.length * size),
  };
}
