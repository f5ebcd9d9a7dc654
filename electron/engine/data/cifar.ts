import { createReadStream, type Dirent } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { SplitName, SplitSummary } from '../../../shared/datasets.ts';
import { CIFAR10_CLASSES, countPerClass, readNamesFileIfPresent } from './class-names.ts';
import type { Dataset } from './dataset.ts';
import { DatasetError, onFile } from './errors.ts';
import { RecordDataset, type RecordSplit } from './fixed-dataset.ts';
import type { OpenOptions } from './open-dataset.ts';
import { readProblem, RecordSource, type RecordFile } from './record-source.ts';

export type CifarFormat = 'cifar10' | 'cifar100';

/** The folders the official archives extract to. */
export const CIFAR_FOLDERS: Record<CifarFormat, string> = {
  cifar10: 'cifar-10-batches-bin',
  cifar100: 'cifar-100-binary',
};

const SIDE = 32;
const PIXEL_BYTES = SIDE * SIDE * 3;
const CIFAR10_TRAIN = /^data_batch_(\d+)\.bin$/;

/** Which CIFAR binary layout a folder's listing holds, if any. */
export function cifarFormatOf(names: string[]): CifarFormat | undefined {
  if (names.includes('test_batch.bin') || names.some((n) => CIFAR10_TRAIN.test(n))) return 'cifar10';
  if (names.includes('train.bin') || names.includes('test.bin')) return 'cifar100';
  return undefined;
}

/** A folder holding the extracted archive folder (cifar-10-batches-bin, cifar-100-binary), if it is one. */
export function nestedCifarFolder(dir: string, entries: Dirent[]): string[] {
  const folders = Object.values(CIFAR_FOLDERS);
  return entries
    .filter((e) => e.isDirectory() && folders.includes(e.name))
    .map((e) => path.join(dir, e.name));
}

/** The label byte of every record, streamed through in 1 MiB reads (labels are 1 byte in 3073). */
async function readLabelBytes(
  file: string,
  recordBytes: number,
  labelOffset: number,
  count: number,
): Promise<Int32Array> {
  const labels = new Int32Array(count);
  let k = 0;
  let offset = 0;
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      let next = k * recordBytes + labelOffset;
      while (k < count && next < offset + chunk.length) {
        labels[k++] = chunk[next - offset] as number;
        next += recordBytes;
      }
      offset += chunk.length;
    }
  } catch (error) {
    throw new DatasetError(file, readProblem(error), { cause: error });
  }
  if (k < count)
    throw new DatasetError(
      file,
      `ends after ${offset} bytes, before its last record (it changed while read?)`,
    );
  return labels;
}

interface SplitFiles {
  split: SplitName;
  files: string[];
}

/** Opens a CIFAR-10 or CIFAR-100 binary folder. CIFAR-100 gives fine labels unless `options.labels` is 'coarse'. */
export async function openCifar(
  given: string,
  dir: string,
  format: CifarFormat,
  names: string[],
  options: OpenOptions,
): Promise<Dataset> {
  const coarse = format === 'cifar100' && options.labels === 'coarse';
  const labelBytes = format === 'cifar10' ? 1 : 2;
  const labelOffset = coarse ? 0 : labelBytes - 1;
  const recordBytes = labelBytes + PIXEL_BYTES;

  const layout: SplitFiles[] =
    format === 'cifar10'
      ? [
          {
            split: 'train',
            files: names
              .filter((n) => CIFAR10_TRAIN.test(n))
              .sort((a, b) => Number(CIFAR10_TRAIN.exec(a)?.[1]) - Number(CIFAR10_TRAIN.exec(b)?.[1])),
          },
          { split: 'test', files: names.filter((n) => n === 'test_batch.bin') },
        ]
      : [
          { split: 'train', files: names.filter((n) => n === 'train.bin') },
          { split: 'test', files: names.filter((n) => n === 'test.bin') },
        ];

  const namesFile = path.join(
    dir,
    format === 'cifar10' ? 'batches.meta.txt' : coarse ? 'coarse_label_names.txt' : 'fine_label_names.txt',
  );
  const listed = await readNamesFileIfPresent(namesFile);
  const classes =
    listed ??
    (format === 'cifar10'
      ? [...CIFAR10_CLASSES]
      : Array.from({ length: coarse ? 20 : 100 }, (_, i) => `class ${i}`));
  const classesFrom =
    listed !== undefined
      ? `listed in ${namesFile}`
      : `of ${format === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100'}${format === 'cifar100' ? (coarse ? ' (coarse)' : ' (fine)') : ''}`;

  const splits = new Map<SplitName, RecordSplit>();
  const summaries: SplitSummary[] = [];
  for (const { split, files } of layout) {
    if (files.length === 0) continue;
    const records: RecordFile[] = [];
    const parts: Int32Array[] = [];
    for (const name of files) {
      const file = path.join(dir, name);
      const { size } = await onFile(file, () => stat(file));
      if (size === 0 || size % recordBytes !== 0)
        throw new DatasetError(
          file,
          size === 0
            ? 'is empty'
            : `truncated or corrupt: ${size} bytes is not a whole number of ${recordBytes}-byte records (${Math.floor(size / recordBytes)} records and ${size % recordBytes} bytes over)`,
        );
      const count = size / recordBytes;
      const labels = await readLabelBytes(file, recordBytes, labelOffset, count);
      for (let i = 0; i < count; i++) {
        const label = labels[i] as number;
        if (label >= classes.length)
          throw new DatasetError(
            file,
            `record ${i} has ${format === 'cifar100' ? (coarse ? 'coarse ' : 'fine ') : ''}label ${label}, outside the ${classes.length} classes ${classesFrom}`,
          );
      }
      records.push({ path: file, gzip: false, headerBytes: 0, recordBytes, count });
      parts.push(labels);
    }
    const labels = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      labels.set(p, at);
      at += p.length;
    }
    splits.set(split, { source: new RecordSource(records), labels, pixelOffset: labelBytes });
    summaries.push({ name: split, count: labels.length, perClass: countPerClass(labels, classes.length) });
  }
  if (summaries.length === 0) throw new DatasetError(dir, 'holds no CIFAR data files');
  if (options.size !== undefined && (options.size[0] !== SIDE || options.size[1] !== SIDE))
    throw new DatasetError(
      given,
      `holds ${SIDE}x${SIDE} images; resizing (to ${options.size[0]}x${options.size[1]}) applies only to image folders`,
    );
  return new RecordDataset(
    {
      path: given,
      format,
      name: path.basename(path.resolve(dir)),
      classes,
      height: SIDE,
      width: SIDE,
      channels: options.channels ?? 3,
      splits: summaries,
      skipped: [],
    },
    splits,
    { height: SIDE, width: SIDE, channels: 3, planar: true },
  );
}
