import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGzip, gzip } from 'node:zlib';
import type { DatasetSummary, SplitName, SplitSummary } from '../../../shared/datasets.ts';
import { countPerClass } from './class-names.ts';
import type { Dataset } from './dataset.ts';
import { DatasetError, onFile } from './errors.ts';
import { IDX_FILE_NAME, IDX_IMAGES_3D, IDX_IMAGES_4D, IDX_LABELS } from './idx.ts';
import { stratifiedSubset } from './subset.ts';

const gzipAsync = promisify(gzip);

export interface WriteIdxOptions {
  /** Images per class to draw for each split (a seeded stratified subset); a split not named is written whole. */
  perClass?: { train?: number; test?: number; val?: number };
  seed: number;
  signal?: AbortSignal;
}

/** MNIST's file name prefix of each split. */
const PREFIX: Record<SplitName, string> = { train: 'train', test: 't10k', val: 'val' };
const BATCH_SIZE = 256;

export function idxFileNames(split: SplitName): { images: string; labels: string } {
  return {
    images: `${PREFIX[split]}-images-idx3-ubyte.gz`,
    labels: `${PREFIX[split]}-labels-idx1-ubyte.gz`,
  };
}

/** A temporary name beside `target`, hidden and not matching any dataset file name (as writeFileAtomic's). */
function tempName(target: string): string {
  return path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
}

/** Streams `chunks` through gzip into a new file `temp`, flushed to disk (fsync) before it is closed. */
async function writeGzipped(temp: string, chunks: AsyncIterable<Uint8Array>): Promise<void> {
  await pipeline(Readable.from(chunks), createGzip(), createWriteStream(temp, { flags: 'wx', flush: true }));
}

function imagesHeader(count: number, height: number, width: number, channels: number): Uint8Array {
  // Greyscale as MNIST's 3-D layout [n,h,w]; colour as 4-D [n,h,w,3].
  const dims = channels === 1 ? [count, height, width] : [count, height, width, channels];
  const header = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  header.setUint32(0, channels === 1 ? IDX_IMAGES_3D : IDX_IMAGES_4D);
  dims.forEach((d, i) => header.setUint32(4 + 4 * i, d));
  return new Uint8Array(header.buffer);
}

function labelsFile(labels: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + labels.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, IDX_LABELS);
  view.setUint32(4, labels.length);
  out.set(labels, 8);
  return out;
}

/**
 * Writes (a stratified subset of) a dataset as gzipped IDX files: <prefix>-images-idx3-ubyte.gz and
 * <prefix>-labels-idx1-ubyte.gz per split (prefix train, t10k for test, val), colour images as 4-D IDX
 * [n,h,w,3] under the same names, plus classes.txt; it reopens with openDataset. Images stream batch by batch
 * through gzip, so memory does not grow with the dataset.
 *
 * All files are first written to hidden temporary names in `outDir` and flushed; only when every one is complete
 * are they renamed to their names. A failure or an abort before then removes the temporary files and leaves
 * `outDir` as it was. Files of other IDX datasets already in `outDir` (which would mix with this one when it is
 * opened) are refused.
 *
 * Images a folder dataset opened with skipBad cannot decode are left out (the written counts say so).
 */
export async function writeIdxDataset(
  dataset: Dataset,
  outDir: string,
  options: WriteIdxOptions,
): Promise<DatasetSummary> {
  const { summary } = dataset;
  const { height, width, channels, classes } = summary;
  if (classes.length > 256)
    throw new DatasetError(
      outDir,
      `IDX labels are bytes: ${classes.length} classes do not fit (at most 256)`,
    );
  options.signal?.throwIfAborted();

  const plans: { split: SplitName; indices: Uint32Array | undefined; count: number }[] = [];
  for (const s of summary.splits) {
    const perClass = options.perClass?.[s.name];
    const indices =
      perClass === undefined
        ? undefined
        : stratifiedSubset(await dataset.labels(s.name), perClass, options.seed, classes.length);
    const count = indices?.length ?? s.count;
    if (count > 0) plans.push({ split: s.name, indices, count });
  }

  await onFile(outDir, () => mkdir(outDir, { recursive: true }));
  const targets = new Set([...plans.flatMap((p) => Object.values(idxFileNames(p.split))), 'classes.txt']);
  const stale = (await onFile(outDir, () => readdir(outDir))).filter(
    (name) => IDX_FILE_NAME.test(name) && !targets.has(name),
  );
  if (stale.length > 0)
    throw new DatasetError(
      outDir,
      `already holds other IDX files (${stale.join(', ')}), which would mix with the written ones: write to an empty folder or remove them`,
    );

  const staged: { temp: string; target: string }[] = [];
  const stage = (name: string): string => {
    const target = path.join(outDir, name);
    const temp = tempName(target);
    staged.push({ temp, target });
    return temp;
  };
  const splits: SplitSummary[] = [];
  try {
    for (const plan of plans) {
      const names = idxFileNames(plan.split);
      let indices = plan.indices;
      let expected = plan.count;
      let written = await writeImages(
        dataset,
        plan.split,
        indices,
        expected,
        stage(names.images),
        options.signal,
      );
      if (written.count < expected) {
        // Images left out as undecodable (skipBad): the header's count was wrong; write again without them.
        await rm((staged.pop() as { temp: string }).temp, { force: true });
        indices = written.indices.slice(0, written.count);
        expected = written.count;
        written = await writeImages(
          dataset,
          plan.split,
          indices,
          expected,
          stage(names.images),
          options.signal,
        );
        if (written.count !== expected)
          throw new DatasetError(outDir, `the ${plan.split} split changed while it was written; write again`);
      }
      const labels = written.labels.subarray(0, written.count);
      const labelsTemp = stage(names.labels);
      await onFile(labelsTemp, async () => {
        const handle = await open(labelsTemp, 'wx');
        try {
          await handle.writeFile(await gzipAsync(labelsFile(labels)));
          await handle.sync();
        } finally {
          await handle.close();
        }
      });
      splits.push({
        name: plan.split,
        count: labels.length,
        perClass: countPerClass(Int32Array.from(labels), classes.length),
      });
    }
    const classesTemp = stage('classes.txt');
    await onFile(classesTemp, async () => {
      const handle = await open(classesTemp, 'wx');
      try {
        await handle.writeFile(`${classes.join('\n')}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
    options.signal?.throwIfAborted();
    for (const { temp, target } of staged) await onFile(target, () => rename(temp, target));
  } catch (error) {
    await Promise.all(staged.map(({ temp }) => rm(temp, { force: true })));
    throw error;
  }
  return {
    path: outDir,
    format: 'idx',
    name: path.basename(path.resolve(outDir)),
    classes: [...classes],
    height,
    width,
    channels,
    splits,
    skipped: [],
  };
}

/** Streams a split's images (all, or `indices`) into a gzipped IDX images file announcing `expected` images. */
async function writeImages(
  dataset: Dataset,
  split: SplitName,
  indices: Uint32Array | undefined,
  expected: number,
  temp: string,
  signal: AbortSignal | undefined,
): Promise<{ count: number; labels: Uint8Array; indices: Uint32Array }> {
  const { height, width, channels } = dataset.summary;
  const labels = new Uint8Array(expected);
  const written = new Uint32Array(expected);
  let count = 0;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    yield imagesHeader(expected, height, width, channels);
    const batches = dataset.batches(split, {
      batchSize: BATCH_SIZE,
      ...(indices === undefined ? {} : { indices }),
      ...(signal === undefined ? {} : { signal }),
    });
    for await (const batch of batches) {
      if (count + batch.n > expected)
        throw new Error(`the ${split} split gave more images than the ${expected} asked for`);
      labels.set(batch.labels, count);
      written.set(batch.indices, count);
      count += batch.n;
      yield batch.images;
    }
  }
  await onFile(temp, () => writeGzipped(temp, chunks()));
  return { count, labels, indices: written };
}
