import { readdir, stat } from 'node:fs/promises';
import type { Channels } from '../../../shared/datasets.ts';
import { CIFAR_FOLDERS, cifarFormatOf, nestedCifarFolder, openCifar } from './cifar.ts';
import type { Dataset } from './dataset.ts';
import { DatasetError, onFile } from './errors.ts';
import {
  findIdxPairs,
  IDX_IMAGES_3D,
  IDX_IMAGES_4D,
  IDX_LABELS,
  idxMagic,
  idxPairForFile,
  openIdx,
} from './idx.ts';
import { hasSubfolders, ImageFolderDataset, isImageName } from './image-folder.ts';

export interface OpenOptions {
  /** Height and width folder images are resized and centre-cropped to (default: the first image's). Other
   * formats have one size; asking for another is an error. */
  size?: [number, number];
  /** Convert images to greyscale (1) or RGB (3). Default: a folder's first image's; IDX and CIFAR as stored. */
  channels?: Channels;
  /** Folder datasets: leave out unreadable files and list them in `summary.skipped`, instead of failing. */
  skipBad?: boolean;
  /** CIFAR-100's label set (default 'fine'). */
  labels?: 'fine' | 'coarse';
}

const EXPECTED =
  'expected IDX files (train-images-idx3-ubyte[.gz] with train-labels-idx1-ubyte[.gz], and/or t10k-…), ' +
  'CIFAR binary files (data_batch_1.bin… and test_batch.bin, or train.bin and test.bin), ' +
  'or image folders (<class>/<images>, or train/<class>/<images> and test/<class>/<images>)';

function checkOptions(options: OpenOptions): void {
  const { size, channels, labels } = options;
  if (
    size !== undefined &&
    (size.length !== 2 || !size.every((v) => Number.isInteger(v) && v >= 1 && v <= 65535))
  )
    throw new RangeError(`size must be two positive integers (height, width), not ${JSON.stringify(size)}`);
  if (channels !== undefined && channels !== 1 && channels !== 3)
    throw new RangeError(`channels must be 1 or 3, not ${String(channels)}`);
  if (labels !== undefined && labels !== 'fine' && labels !== 'coarse')
    throw new RangeError(`labels must be 'fine' or 'coarse', not ${String(labels)}`);
}

/**
 * Opens a dataset on disk, detecting its format: IDX (MNIST layout, plain or gzipped; a folder or one images
 * file), CIFAR-10/100 binary (the extracted folder or its parent), or an image folder. Reads labels and file
 * lists only; images are read batch by batch. Problems with the data are DatasetErrors naming the file.
 */
export async function openDataset(given: string, options: OpenOptions = {}): Promise<Dataset> {
  checkOptions(options);
  const info = await onFile(given, () => stat(given));
  if (info.isFile()) {
    if (/\.(tar\.gz|tgz|tar|zip|7z|rar)$/i.test(given))
      throw new DatasetError(given, 'is an archive: extract it and open the extracted folder');
    const magic = await idxMagic(given);
    if (magic === IDX_LABELS)
      throw new DatasetError(
        given,
        'is an IDX labels file: open its images file (…-images-idx3-ubyte) or the folder',
      );
    if (magic === IDX_IMAGES_3D || magic === IDX_IMAGES_4D)
      return withLabelsOption(given, 'idx', options, () => openIdxFile(given, options));
    throw new DatasetError(given, `no dataset found: ${EXPECTED}`);
  }
  if (!info.isDirectory()) throw new DatasetError(given, 'is neither a file nor a folder');

  const entries = await onFile(given, () => readdir(given, { withFileTypes: true }));
  const names = entries.filter((e) => !e.isDirectory()).map((e) => e.name);
  const pairs = findIdxPairs(given, names);
  if (pairs !== undefined)
    return withLabelsOption(given, 'idx', options, () => openIdx(given, pairs, options));
  const cifar = cifarFormatOf(names);
  if (cifar !== undefined) return openCifarChecked(given, given, cifar, names, options);
  const nested = nestedCifarFolder(given, entries);
  if (nested.length > 1)
    throw new DatasetError(
      given,
      `holds both ${Object.values(CIFAR_FOLDERS).join(' and ')}: open one of them`,
    );
  const inner = nested[0];
  if (inner !== undefined) {
    const innerNames = await onFile(inner, () => readdir(inner));
    const format = cifarFormatOf(innerNames);
    if (format === undefined) throw new DatasetError(inner, `holds no CIFAR data files: ${EXPECTED}`);
    return openCifarChecked(given, inner, format, innerNames, options);
  }
  if (await hasSubfolders(given))
    return withLabelsOption(given, 'folder', options, () => ImageFolderDataset.open(given, options));
  if (names.some(isImageName))
    throw new DatasetError(
      given,
      'no dataset found: it holds images but no class folders (an image folder dataset is <folder>/<class>/<images>)',
    );
  throw new DatasetError(given, `no dataset found: ${EXPECTED}`);
}

async function openIdxFile(file: string, options: OpenOptions): Promise<Dataset> {
  return openIdx(file, [await idxPairForFile(file)], options);
}

function openCifarChecked(
  given: string,
  dir: string,
  format: 'cifar10' | 'cifar100',
  names: string[],
  options: OpenOptions,
): Promise<Dataset> {
  return withLabelsOption(given, format, options, () => openCifar(given, dir, format, names, options));
}

/** Coarse labels exist only in CIFAR-100; 'fine' (the CLI's default) means the dataset's only labels elsewhere. */
function withLabelsOption(
  given: string,
  format: string,
  options: OpenOptions,
  open: () => Promise<Dataset>,
): Promise<Dataset> {
  if (options.labels === 'coarse' && format !== 'cifar100')
    return Promise.reject(
      new DatasetError(given, `coarse labels exist only in CIFAR-100 (this is ${format})`),
    );
  return open();
}
