import { open, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { SPLIT_NAMES, type Channels, type SplitName, type SplitSummary } from '../../../shared/datasets.ts';
import { checkLabels, countPerClass, FASHION_MNIST_CLASSES, readNamesFileIfPresent } from './class-names.ts';
import type { Dataset } from './dataset.ts';
import { DatasetError, onFile } from './errors.ts';
import { RecordDataset, type RecordSplit } from './fixed-dataset.ts';
import type { OpenOptions } from './open-dataset.ts';
import { gunzipPrefix, readProblem, RecordSource } from './record-source.ts';

const gunzipAsync = promisify(gunzip);

export const IDX_IMAGES_3D = 0x00000803;
export const IDX_IMAGES_4D = 0x00000804;
export const IDX_LABELS = 0x00000801;

/**
 * An IDX images file name: optional prefix, split word, `-images`, `-` or `.`, `idx3`/`idx4`, `-ubyte`, optional
 * `.gz`. Covers MNIST's train-images-idx3-ubyte(.gz), t10k-…, Kaggle's train-images.idx3-ubyte, and val-… .
 */
const IMAGES_NAME = /^(.*?)(train|t10k|test|val)-images([-.])idx([34])-ubyte(\.gz)?$/i;
/** Any IDX data file, images or labels (to find files a writer would leave stale). */
export const IDX_FILE_NAME = /(?:^|[-.])idx\d-ubyte(?:\.gz)?$/i;

const SPLIT_OF_WORD: Record<string, SplitName> = { train: 'train', t10k: 'test', test: 'test', val: 'val' };

export interface IdxPair {
  split: SplitName;
  images: string;
  labels: string;
}

function hex(magic: number): string {
  return `0x${magic.toString(16).padStart(8, '0')}`;
}

/** Candidate labels file names for an images file name, most likely first. */
function labelNames(imagesName: string): string[] {
  const m = IMAGES_NAME.exec(imagesName);
  if (m === null) {
    if (!/images/i.test(imagesName)) return [];
    const base = imagesName
      .replace(/images/i, 'labels')
      .replace(/idx[34]/i, 'idx1')
      .replace(/\.gz$/i, '');
    return [base, `${base}.gz`];
  }
  const [, prefix = '', word = '', sep = '-', , gz = ''] = m;
  const otherSep = sep === '-' ? '.' : '-';
  const otherGz = gz === '' ? '.gz' : '';
  return [
    `${prefix}${word}-labels${sep}idx1-ubyte${gz}`,
    `${prefix}${word}-labels${sep}idx1-ubyte${otherGz}`,
    `${prefix}${word}-labels${otherSep}idx1-ubyte${gz}`,
    `${prefix}${word}-labels${otherSep}idx1-ubyte${otherGz}`,
  ];
}

function findLabels(dir: string, imagesName: string, names: string[]): string {
  const byLower = new Map(names.map((n) => [n.toLowerCase(), n]));
  const candidates = labelNames(imagesName);
  for (const candidate of candidates) {
    const found = byLower.get(candidate.toLowerCase());
    if (found !== undefined) return path.join(dir, found);
  }
  throw new DatasetError(
    path.join(dir, imagesName),
    candidates.length === 0
      ? 'cannot tell which labels file goes with it: name it like train-images-idx3-ubyte, with train-labels-idx1-ubyte beside it'
      : `no labels file beside it (expected ${candidates[0]}, plain or .gz)`,
  );
}

/** The IDX image/label pairs in a folder's listing, one per split; undefined when there are no IDX images. */
export function findIdxPairs(dir: string, names: string[]): IdxPair[] | undefined {
  const matches = names.flatMap((name) => {
    const m = IMAGES_NAME.exec(name);
    return m === null
      ? []
      : [
          {
            name,
            prefix: (m[1] ?? '').toLowerCase(),
            word: (m[2] ?? '').toLowerCase(),
            gz: m[5] !== undefined,
          },
        ];
  });
  if (matches.length === 0) return undefined;
  const prefixes = [...new Set(matches.map((m) => m.prefix))];
  if (prefixes.length > 1)
    throw new DatasetError(
      dir,
      `holds several IDX datasets (${prefixes.map((p) => `${p}train-images…`).join(', ')}): point at one images file`,
    );
  const pairs: IdxPair[] = [];
  for (const split of SPLIT_NAMES) {
    // Plain files first (read at positions, faster than streaming), then MNIST's own naming.
    const candidates = matches
      .filter((m) => SPLIT_OF_WORD[m.word] === split)
      .sort((a, b) => Number(a.gz) - Number(b.gz) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const chosen = candidates[0];
    if (chosen === undefined) continue;
    pairs.push({ split, images: path.join(dir, chosen.name), labels: findLabels(dir, chosen.name, names) });
  }
  return pairs;
}

/** The pair for a path to one images file: its split from its name, its labels file found beside it. */
export async function idxPairForFile(file: string): Promise<IdxPair> {
  const dir = path.dirname(file);
  const name = path.basename(file);
  const names = await onFile(dir, () => readdir(dir));
  const m = IMAGES_NAME.exec(name);
  const word = (m?.[2] ?? /^(t10k|test|val)/i.exec(name)?.[1] ?? 'train').toLowerCase();
  return { split: SPLIT_OF_WORD[word] ?? 'train', images: file, labels: findLabels(dir, name, names) };
}

interface IdxHeader {
  magic: number;
  dims: number[];
  headerBytes: number;
}

function parseHeader(file: string, bytes: Uint8Array, kind: 'images' | 'labels'): IdxHeader {
  if (bytes.length < 4) throw new DatasetError(file, `too short to be an IDX file (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const allowed = kind === 'images' ? [IDX_IMAGES_3D, IDX_IMAGES_4D] : [IDX_LABELS];
  if (!allowed.includes(magic)) {
    const expected =
      kind === 'images'
        ? `${hex(IDX_IMAGES_3D)} (images [n,h,w]) or ${hex(IDX_IMAGES_4D)} ([n,h,w,c]), unsigned bytes`
        : `${hex(IDX_LABELS)} (unsigned byte labels)`;
    const hint =
      kind === 'images' && magic === IDX_LABELS
        ? '; this is a labels file'
        : kind === 'labels' && (magic === IDX_IMAGES_3D || magic === IDX_IMAGES_4D)
          ? '; this is an images file'
          : '';
    throw new DatasetError(
      file,
      `wrong magic number ${hex(magic)} for IDX ${kind} (expected ${expected})${hint}`,
    );
  }
  const rank = magic & 0xff;
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes)
    throw new DatasetError(
      file,
      `truncated: the IDX header needs ${headerBytes} bytes, the file holds ${bytes.length}`,
    );
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  return { magic, dims, headerBytes };
}

function isGzip(head: Uint8Array): boolean {
  return head[0] === 0x1f && head[1] === 0x8b;
}

interface IdxImagesFile {
  file: string;
  gzip: boolean;
  count: number;
  height: number;
  width: number;
  channels: Channels;
  headerBytes: number;
}

/**
 * Reads an images file's header and checks its size against it, without reading the images: a plain file's
 * size, or a gzipped file's trailer (ISIZE, the decompressed size modulo 2^32), so a truncated download fails at
 * open rather than part way through training.
 */
async function readImagesHeader(file: string): Promise<IdxImagesFile> {
  const handle = await onFile(file, () => open(file, 'r'));
  try {
    const { size } = await onFile(file, () => handle.stat());
    const head = new Uint8Array(20);
    const { bytesRead } = await onFile(file, () => handle.read(head, 0, head.length, 0));
    const gzip = isGzip(head);
    let prefix: Uint8Array = head.subarray(0, bytesRead);
    let actual = size;
    if (gzip) {
      if (size < 18) throw new DatasetError(file, `truncated: ${size} bytes is too short for gzip data`);
      const trailer = new Uint8Array(4);
      await onFile(file, () => handle.read(trailer, 0, 4, size - 4));
      actual = new DataView(trailer.buffer).getUint32(0, true);
      try {
        prefix = await gunzipPrefix(file, head.length);
      } catch (error) {
        if (error instanceof DatasetError) throw error;
        throw new DatasetError(file, readProblem(error), { cause: error });
      }
    }
    const header = parseHeader(file, prefix, 'images');
    const [count = 0, height = 0, width = 0, channels = 1] = header.dims;
    if (channels !== 1 && channels !== 3)
      throw new DatasetError(file, `4-D IDX images must have 1 or 3 channels, not ${channels}`);
    if (height === 0 || width === 0) throw new DatasetError(file, `image size ${height}x${width} is empty`);
    const expected = header.headerBytes + count * height * width * channels;
    const matches = gzip ? expected % 2 ** 32 === actual : expected === actual;
    if (!matches) {
      const shape = `${height}x${width}${channels === 3 ? 'x3' : ''}`;
      const truncated = gzip || actual < expected ? 'truncated or corrupt: ' : '';
      throw new DatasetError(
        file,
        `${truncated}size does not match the header: ${count} images of ${shape} need ${expected} bytes, ` +
          (gzip ? `the gzip trailer says the data holds ${actual}` : `the file holds ${actual}`),
      );
    }
    return { file, gzip, count, height, width, channels, headerBytes: header.headerBytes };
  } finally {
    await handle.close();
  }
}

async function readLabels(file: string): Promise<Int32Array> {
  const raw = await onFile(file, () => readFile(file));
  let bytes: Uint8Array = raw;
  if (isGzip(raw)) {
    try {
      bytes = await gunzipAsync(raw);
    } catch (error) {
      throw new DatasetError(file, readProblem(error), { cause: error });
    }
  }
  const header = parseHeader(file, bytes, 'labels');
  const count = header.dims[0] ?? 0;
  const expected = header.headerBytes + count;
  if (bytes.length !== expected)
    throw new DatasetError(
      file,
      `${bytes.length < expected ? 'truncated: ' : ''}size does not match the header: ${count} labels need ${expected} bytes, the file holds ${bytes.length}`,
    );
  return Int32Array.from(bytes.subarray(header.headerBytes));
}

/** Class names: classes.txt beside the files, Fashion-MNIST's when the path says so, else the label numbers. */
async function classNames(
  dir: string,
  given: string,
  labels: { file: string; labels: Int32Array }[],
): Promise<string[]> {
  const listFile = path.join(dir, 'classes.txt');
  const listed = await readNamesFileIfPresent(listFile);
  if (listed !== undefined) {
    for (const l of labels) checkLabels(l.labels, listed.length, l.file, `listed in ${listFile}`);
    return listed;
  }
  const maxLabel = Math.max(-1, ...labels.map((l) => l.labels.reduce((m, v) => Math.max(m, v), -1)));
  if (/fashion/i.test(path.resolve(given)) && maxLabel < FASHION_MNIST_CLASSES.length)
    return [...FASHION_MNIST_CLASSES];
  return Array.from({ length: Math.max(10, maxLabel + 1) }, (_, i) => String(i));
}

/** Opens IDX image/label pairs as one dataset (the pairs' folder names it and holds classes.txt). */
export async function openIdx(given: string, pairs: IdxPair[], options: OpenOptions): Promise<Dataset> {
  const images = await Promise.all(pairs.map((p) => readImagesHeader(p.images)));
  const labels = await Promise.all(pairs.map((p) => readLabels(p.labels)));
  const first = images[0];
  if (first === undefined) throw new DatasetError(given, 'no IDX images files');
  // A header that counts no images opens as a dataset nothing can be trained or evaluated on: refuse it here.
  if (images.every((im) => im.count === 0))
    throw new DatasetError(first.file, 'holds no images (its header counts 0)');
  pairs.forEach((pair, i) => {
    const im = images[i] as IdxImagesFile;
    const lab = labels[i] as Int32Array;
    if (lab.length !== im.count)
      throw new DatasetError(
        pair.labels,
        `holds ${lab.length} labels but ${pair.images} holds ${im.count} images`,
      );
    if (im.height !== first.height || im.width !== first.width || im.channels !== first.channels)
      throw new DatasetError(
        pair.images,
        `holds ${im.height}x${im.width}x${im.channels} images but ${first.file} holds ${first.height}x${first.width}x${first.channels}: the splits of one dataset must match`,
      );
  });
  const dir = path.dirname(first.file);
  const classes = await classNames(
    dir,
    given,
    pairs.map((p, i) => ({ file: p.labels, labels: labels[i] as Int32Array })),
  );
  if (options.size !== undefined && (options.size[0] !== first.height || options.size[1] !== first.width))
    throw new DatasetError(
      given,
      `holds ${first.height}x${first.width} images; resizing (to ${options.size[0]}x${options.size[1]}) applies only to image folders`,
    );
  const splits = new Map<SplitName, RecordSplit>();
  const summaries: SplitSummary[] = [];
  pairs.forEach((pair, i) => {
    const im = images[i] as IdxImagesFile;
    const lab = labels[i] as Int32Array;
    const recordBytes = im.height * im.width * im.channels;
    splits.set(pair.split, {
      source: new RecordSource([
        { path: im.file, gzip: im.gzip, headerBytes: im.headerBytes, recordBytes, count: im.count },
      ]),
      labels: lab,
      pixelOffset: 0,
    });
    summaries.push({ name: pair.split, count: im.count, perClass: countPerClass(lab, classes.length) });
  });
  return new RecordDataset(
    {
      path: given,
      format: 'idx',
      name: path.basename(path.resolve(dir)),
      classes,
      height: first.height,
      width: first.width,
      channels: options.channels ?? first.channels,
      splits: summaries,
      skipped: [],
    },
    splits,
    { height: first.height, width: first.width, channels: first.channels, planar: false },
  );
}

/** The magic number a file starts with (after gunzip when gzipped); undefined when it cannot be read. */
export async function idxMagic(file: string): Promise<number | undefined> {
  try {
    const handle = await open(file, 'r');
    let head: Uint8Array = new Uint8Array(4);
    try {
      head = head.subarray(0, (await handle.read(head, 0, 4, 0)).bytesRead);
    } finally {
      await handle.close();
    }
    if (isGzip(head)) head = await gunzipPrefix(file, 4);
    if (head.length < 4) return undefined;
    return new DataView(head.buffer, head.byteOffset, 4).getUint32(0);
  } catch {
    return undefined;
  }
}
