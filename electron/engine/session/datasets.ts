import type { Images } from '../../../shared/bridge/schemas.ts';
import type { SplitName } from '../../../shared/datasets.ts';
import type { Dataset } from '../data/dataset.ts';
import { openDataset, type OpenOptions } from '../data/open-dataset.ts';
import { demoDatasetDir } from '../resources.ts';
import { fingerprint } from './fingerprint.ts';
import { HandleRegistry, type InUse } from './handle-registry.ts';

/**
 * Idle datasets kept open. The UI works on one dataset at a time; four leave room for a second window or
 * browser tab, and datasets that jobs use stay open past it. An open dataset holds its labels, file list (for
 * an image folder, every path) and open files.
 */
export const MAX_OPEN_DATASETS = 4;

/** The open options that change what a dataset reads, in a fixed order, for telling two opens apart. */
function optionsKey(options: OpenOptions): string {
  return JSON.stringify([
    options.size ?? null,
    options.channels ?? null,
    options.skipBad ?? false,
    options.labels ?? null,
  ]);
}

/**
 * The datasets the UI has open, by id, so requests name them without reopening files. The same path with the
 * same options and unchanged files gets the open dataset back; past MAX_OPEN_DATASETS the least recently used
 * one no job uses is closed, and its id then fails with a message that says to open it again.
 */
export class DatasetRegistry {
  private readonly handles: HandleRegistry<Dataset>;

  constructor(limit = MAX_OPEN_DATASETS) {
    this.handles = new HandleRegistry({ noun: 'dataset', prefix: 'ds', limit, close: (d) => d.close() });
  }

  /** Opens a dataset (the bundled demo without a path); `inUse` names the datasets jobs hold. */
  async add(
    path: string | undefined,
    options: OpenOptions,
    inUse?: InUse,
  ): Promise<{ datasetId: string; dataset: Dataset }> {
    const given = path ?? demoDatasetDir();
    const files = await fingerprint(given);
    const key = files === undefined ? undefined : `${files}\n${optionsKey(options)}`;
    const { id, value } = await this.handles.add(key, () => openDataset(given, options), inUse);
    return { datasetId: id, dataset: value };
  }

  get(datasetId: string): Dataset {
    return this.handles.get(datasetId);
  }

  /** Runs `work` with the dataset (if any) kept open: a concurrent open cannot close it under the reads. */
  holding<R>(datasetId: string | undefined, work: () => Promise<R>): Promise<R> {
    return this.handles.holding([datasetId], work);
  }

  async closeAll(): Promise<void> {
    await this.handles.closeAll();
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
