/** Builders of small dataset files for the dataset tests: written at test time into a temporary folder. */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { mulberry32 } from '../../shared/random.ts';
import type { Batch, Dataset } from '../../electron/engine/data/dataset.ts';
import type { SplitName } from '../../shared/datasets.ts';

export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), `dc-${prefix}-`));
}

/** Seeded bytes 0..255 (or 0..max-1). */
export function seededBytes(n: number, seed: number, max = 256): Uint8Array {
  const random = mulberry32(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(random() * max);
  return out;
}

/** An IDX file: magic 0x08 0x0N, big-endian dims, then the data. */
export function idxBytes(dims: number[], data: Uint8Array, magic = 0x0800 + dims.length): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

export async function writeIdx(
  file: string,
  dims: number[],
  data: Uint8Array,
  gz = false,
  magic?: number,
): Promise<void> {
  const bytes = idxBytes(dims, data, magic);
  await writeFile(file, gz ? gzipSync(bytes) : bytes);
}

export interface SplitData {
  images: Uint8Array;
  labels: Int32Array;
  n: number;
}

/** A split of n seeded h*w*c images and labels 0..classes-1. */
export function splitData(n: number, h: number, w: number, c: number, seed: number, classes = 10): SplitData {
  return {
    images: seededBytes(n * h * w * c, seed),
    labels: Int32Array.from(seededBytes(n, seed + 1, classes)),
    n,
  };
}

/** Writes an MNIST-layout pair (train / t10k / val prefix); 4-D files when c > 1 or fourD is set. */
export async function writeIdxSplit(
  dir: string,
  prefix: string,
  data: SplitData,
  shape: { h: number; w: number; c: number },
  options: { gz?: boolean; fourD?: boolean; sep?: '-' | '.' } = {},
): Promise<void> {
  const { h, w, c } = shape;
  const sep = options.sep ?? '-';
  const gz = options.gz === true ? '.gz' : '';
  const fourD = c > 1 || options.fourD === true;
  await writeIdx(
    path.join(dir, `${prefix}-images${sep}idx3-ubyte${gz}`),
    fourD ? [data.n, h, w, c] : [data.n, h, w],
    data.images,
    options.gz,
  );
  await writeIdx(
    path.join(dir, `${prefix}-labels${sep}idx1-ubyte${gz}`),
    [data.n],
    Uint8Array.from(data.labels),
    options.gz,
  );
}

/** Images `indices` of an NHWC array, concatenated. */
export function pick(images: Uint8Array, indices: ArrayLike<number>, imageBytes: number): Uint8Array {
  const out = new Uint8Array(indices.length * imageBytes);
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i] as number;
    out.set(images.subarray(k * imageBytes, (k + 1) * imageBytes), i * imageBytes);
  }
  return out;
}

/** Every batch of an iteration. */
export async function collect(iterator: AsyncIterableIterator<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const batch of iterator) out.push(batch);
  return out;
}

/** All batches of a split (or of `indices`) joined into one. */
export async function readAll(
  dataset: Dataset,
  split: SplitName,
  batchSize = 64,
  indices?: ArrayLike<number>,
): Promise<{ images: Uint8Array; labels: Int32Array; indices: Uint32Array; sizes: number[] }> {
  const batches = await collect(
    dataset.batches(split, { batchSize, ...(indices === undefined ? {} : { indices }) }),
  );
  const total = batches.reduce((n, b) => n + b.n, 0);
  const bytes = batches[0] === undefined ? 0 : batches[0].images.length / Math.max(1, batches[0].n);
  const out = {
    images: new Uint8Array(total * bytes),
    labels: new Int32Array(total),
    indices: new Uint32Array(total),
    sizes: batches.map((b) => b.n),
  };
  let at = 0;
  for (const b of batches) {
    out.images.set(b.images, at * bytes);
    out.labels.set(b.labels, at);
    out.indices.set(b.indices, at);
    at += b.n;
  }
  return out;
}

/** CIFAR records: label byte(s) then 3072 bytes of planar RGB. Returns the file and the NHWC pixels it holds. */
export function cifarRecords(
  n: number,
  seed: number,
  labelsOf: (i: number) => number[],
): { file: Uint8Array; nhwc: Uint8Array; labels: number[][] } {
  const labelBytes = labelsOf(0).length;
  const record = labelBytes + 3072;
  const file = new Uint8Array(n * record);
  const nhwc = new Uint8Array(n * 3072);
  const planar = seededBytes(n * 3072, seed);
  const labels: number[][] = [];
  for (let i = 0; i < n; i++) {
    const l = labelsOf(i);
    labels.push(l);
    file.set(l, i * record);
    file.set(planar.subarray(i * 3072, (i + 1) * 3072), i * record + labelBytes);
    for (let p = 0; p < 1024; p++)
      for (let c = 0; c < 3; c++) nhwc[i * 3072 + p * 3 + c] = planar[i * 3072 + c * 1024 + p] as number;
  }
  return { file, nhwc, labels };
}

export type ImageFormat = 'png' | 'jpeg' | 'webp';

/** Writes raw pixels (h x w x c, c = 1 or 3) as an image file; greyscale PNG/JPEG are written as such. */
export async function writeImage(
  file: string,
  pixels: Uint8Array,
  h: number,
  w: number,
  c: 1 | 3 | 4,
  format: ImageFormat = 'png',
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  let image = sharp(pixels, { raw: { width: w, height: h, channels: c } });
  if (c === 1) image = image.toColourspace('b-w');
  const encoded =
    format === 'png'
      ? image.png()
      : format === 'jpeg'
        ? image.jpeg({ quality: 95 })
        : image.webp({ lossless: true });
  await encoded.toFile(file);
}
