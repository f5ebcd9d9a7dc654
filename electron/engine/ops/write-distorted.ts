import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { DatasetSummary, SplitName } from '../../../shared/datasets.ts';
import type { DistortionSpec } from '../../../shared/distortions.ts';
import { etaSeconds, type ProgressListener } from '../../../shared/progress.ts';
import type { Dataset } from '../data/dataset.ts';
import { distortBatch } from '../distort/apply.ts';
import { toUint8 } from '../distort/quantize.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { writePng } from '../io/png.ts';
import { recordPath } from '../io/recorded-path.ts';

export interface WriteDistortedOptions {
  spec: DistortionSpec;
  seed: number;
  /** Splits to write, each with the image indices to take (all when absent). */
  splits: { name: SplitName; indices?: Uint32Array }[];
  outDir: string;
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export interface WriteDistortedResult {
  outDir: string;
  written: number;
}

/** A class name as a folder name: path separators and other unsafe characters become '-'. */
export function classFolderName(name: string): string {
  const safe = Array.from(name, (ch) => (ch.charCodeAt(0) < 32 || '/\\:*?"<>|'.includes(ch) ? '-' : ch))
    .join('')
    .trim();
  return safe === '' || safe === '.' || safe === '..' ? 'class' : safe;
}

/**
 * Distorts images of a dataset and writes them as 8-bit PNG files laid out as an image-folder dataset
 * (<out>/<split>/<class>/<index>.png), so the result opens again as a dataset. The index in the file name is the
 * image's index in its split, which is also its seed id: any file can be regenerated alone. A manifest
 * (distortion.json) records the source, the spec and the seed. Every file is written atomically.
 */
export async function writeDistortedDataset(
  dataset: Dataset,
  options: WriteDistortedOptions,
): Promise<WriteDistortedResult> {
  const { summary } = dataset;
  const batchSize = options.batchSize ?? 256;
  const folders = summary.classes.map(classFolderName);
  const total = options.splits.reduce(
    (sum, s) => sum + (s.indices?.length ?? splitCount(summary, s.name)),
    0,
  );
  const digits = String(Math.max(...summary.splits.map((s) => s.count), 1) - 1).length;
  // Class folders are made when their first image arrives: an empty one would not reopen as a dataset.
  const made = new Set<string>();
  const folderFor = async (split: SplitName, label: number): Promise<string> => {
    const dir = path.join(options.outDir, split, folders[label] as string);
    if (!made.has(dir)) {
      await mkdir(dir, { recursive: true });
      made.add(dir);
    }
    return dir;
  };
  const started = performance.now();
  let written = 0;
  for (const split of options.splits) {
    const batches = dataset.batches(split.name, {
      batchSize,
      ...(split.indices === undefined ? {} : { indices: split.indices }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    for await (const batch of batches) {
      options.signal?.throwIfAborted();
      const { n, height, width, channels } = batch;
      const clean = tf.tensor4d(Float32Array.from(batch.images), [n, height, width, channels]);
      const distorted = distortBatch(clean, options.spec, { seed: options.seed, ids: batch.indices });
      clean.dispose();
      let bytes: Uint8Array;
      try {
        bytes = await toUint8(distorted);
      } finally {
        distorted.dispose();
      }
      const size = height * width * channels;
      await Promise.all(
        Array.from(batch.indices, async (index, i) =>
          writePng(
            path.join(
              await folderFor(split.name, batch.labels[i] as number),
              `${String(index).padStart(digits, '0')}.png`,
            ),
            { data: bytes.subarray(i * size, (i + 1) * size), height, width, channels },
          ),
        ),
      );
      written += n;
      const fraction = written / total;
      const seconds = (performance.now() - started) / 1000;
      options.onProgress?.({
        stage: `distorting ${split.name}`,
        fraction,
        etaSeconds: etaSeconds(fraction, seconds),
        metrics: { imagesPerSecond: written / seconds },
      });
    }
  }
  await writeFileAtomic(
    path.join(options.outDir, 'distortion.json'),
    `${JSON.stringify(
      {
        // Recorded portably (resources/..., or the folder's name): the file names no folder of this machine.
        source: { path: recordPath(summary.path), format: summary.format, classes: summary.classes },
        spec: options.spec,
        seed: options.seed,
        splits: options.splits.map((s) => ({
          name: s.name,
          images: s.indices?.length ?? splitCount(summary, s.name),
        })),
        written,
      },
      null,
      2,
    )}\n`,
  );
  return { outDir: options.outDir, written };
}

function splitCount(summary: DatasetSummary, split: SplitName): number {
  const found = summary.splits.find((s) => s.name === split);
  if (found === undefined) throw new Error(`${summary.path} has no ${split} split`);
  return found.count;
}
