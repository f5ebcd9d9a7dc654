import type { SplitName } from '../../../shared/datasets.ts';
import type { Dataset } from './dataset.ts';

/** Images of one split held in memory as bytes: for sets small enough to train on in one process. */
export interface LoadedImages {
  /** n*h*w*c bytes, NHWC. */
  images: Uint8Array;
  labels: Int32Array;
  /** Each image's index in its split: its seed id for distortions. */
  ids: Uint32Array;
  n: number;
  imageShape: [number, number, number];
}

/**
 * Reads the given images of a split (all when `indices` is absent) into one byte buffer, a quarter of the
 * float32 size. For the bundled demo and ranking sets; full datasets are streamed batch by batch instead.
 */
export async function loadImages(
  dataset: Dataset,
  split: SplitName,
  indices?: ArrayLike<number>,
  signal?: AbortSignal,
): Promise<LoadedImages> {
  const { height, width, channels } = dataset.summary;
  const size = height * width * channels;
  const total = indices?.length ?? dataset.summary.splits.find((s) => s.name === split)?.count ?? 0;
  const images = new Uint8Array(total * size);
  const labels = new Int32Array(total);
  const ids = new Uint32Array(total);
  let n = 0;
  const options = { batchSize: 1024, ...(indices ? { indices } : {}), ...(signal ? { signal } : {}) };
  for await (const batch of dataset.batches(split, options)) {
    images.set(batch.images, n * size);
    labels.set(batch.labels, n);
    ids.set(batch.indices, n);
    n += batch.n;
  }
  // A folder opened with skipBad may have left images out.
  return {
    images: n === total ? images : images.slice(0, n * size),
    labels: n === total ? labels : labels.slice(0, n),
    ids: n === total ? ids : ids.slice(0, n),
    n,
    imageShape: [height, width, channels],
  };
}

/** Bytes to float32 on 0..1, the scale the project's models take. */
export function toUnitFloat(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = (bytes[i] as number) / 255;
  return out;
}
