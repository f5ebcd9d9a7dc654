import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import {
  SPLIT_NAMES,
  type Channels,
  type DatasetSummary,
  type SkippedFile,
  type SplitName,
} from '../../../shared/datasets.ts';
import { readAhead } from './batching.ts';
import { countPerClass } from './class-names.ts';
import type { Batch, BatchOptions } from './dataset.ts';
import { DatasetError, onFile } from './errors.ts';
import type { OpenOptions } from './open-dataset.ts';
import { SplitDataset } from './split-dataset.ts';

/** Largest image decoded (width x height): a hostile or huge file must not exhaust memory. */
export const MAX_IMAGE_PIXELS = 50_000_000;
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'] as const;
/** Files and folders operating systems and archivers leave behind; ignored like dot files. */
const JUNK = new Set(['thumbs.db', 'desktop.ini', '__macosx', '@eadir']);
/** Images decoded at once per batch; sharp runs each on libuv's pool (4 threads by default). */
const DECODE_CONCURRENCY = 8;

export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || JUNK.has(name.toLowerCase());
}

export function isImageName(name: string): boolean {
  const lower = name.toLowerCase();
  return IMAGE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Entries {
  dirs: string[];
  files: string[];
  /** Entries that are neither (broken links, sockets...), with why. */
  others: { name: string; problem: string }[];
}

/** A folder's entries, dot files and junk left out, links followed, each list sorted by name. */
async function entriesOf(dir: string): Promise<Entries> {
  const entries: Dirent[] = await onFile(dir, () => readdir(dir, { withFileTypes: true }));
  const out: Entries = { dirs: [], files: [], others: [] };
  for (const entry of entries) {
    if (isIgnoredName(entry.name)) continue;
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      try {
        const target = await stat(path.join(dir, entry.name));
        isDir = target.isDirectory();
        isFile = target.isFile();
      } catch {
        out.others.push({ name: entry.name, problem: 'broken link' });
        continue;
      }
    }
    if (isDir) out.dirs.push(entry.name);
    else if (isFile) out.files.push(entry.name);
    else out.others.push({ name: entry.name, problem: 'not a regular file' });
  }
  out.dirs.sort(byName);
  out.files.sort(byName);
  return out;
}

/** Whether a folder looks like an image-folder dataset: it has at least one (non-hidden) subfolder. */
export async function hasSubfolders(dir: string): Promise<boolean> {
  return (await entriesOf(dir)).dirs.length > 0;
}

/**
 * What is wrong with an image that sharp failed on. sharp's messages come from libvips' error buffer, which
 * concurrent decodes share (a message can be lost: "Unknown error"), so the kind of problem is found by reading
 * the header again; the message is only a detail. `listed`: the file was found by listing its folder, so a
 * missing one went since (for a path the user typed, a typo is likelier).
 */
export async function imageProblem(file: string, error: unknown, listed = true): Promise<string> {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  if (/input file is missing/i.test(message))
    return listed ? 'no such file (removed since the folder was listed?)' : 'no such file or folder';
  // libvips calls an empty file an unsupported format; say what the user can see instead.
  const size = await stat(file).then(
    (info) => info.size,
    () => undefined,
  );
  if (size === 0) return 'is empty (0 bytes), not an image';
  const meta = await sharp(file, { limitInputPixels: false })
    .metadata()
    .catch(() => undefined);
  if (meta === undefined) return 'not a readable image (unsupported format or corrupt header)';
  if (meta.width * meta.height > MAX_IMAGE_PIXELS)
    return `image too large to decode (${meta.width} x ${meta.height} = ${((meta.width * meta.height) / 1e6).toFixed(1)} megapixels, the limit is ${MAX_IMAGE_PIXELS / 1e6} megapixels)`;
  return `truncated or corrupt image (${message})`;
}

function colourName(channels: Channels): string {
  return channels === 1 ? 'greyscale' : 'colour';
}

/** The size and channels every image is brought to, and where they came from. */
interface Target {
  height: number;
  width: number;
  channels: Channels;
  /** False when the channels were taken from the first image: other images must then match it. */
  channelsGiven: boolean;
  firstFile: string;
}

/**
 * Decodes one image to target.height x target.width x target.channels bytes: EXIF orientation applied, resized to
 * cover the target and centre-cropped, converted to greyscale or sRGB, alpha dropped.
 */
async function decodeImage(file: string, target: Target): Promise<Uint8Array> {
  try {
    const image = sharp(file, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error' });
    if (!target.channelsGiven) {
      const meta = await image.metadata();
      const own: Channels = (meta.channels ?? 3) <= 2 ? 1 : 3;
      if (own !== target.channels)
        throw new DatasetError(
          file,
          `is ${colourName(own)} but the dataset's images are ${colourName(target.channels)} (as the first image, ${target.firstFile}, is): pass --channels 1 or --channels 3 to convert every image`,
        );
    }
    const { data, info } = await image
      .autoOrient()
      .resize({ width: target.width, height: target.height, fit: 'cover', position: 'centre' })
      .toColourspace(target.channels === 1 ? 'b-w' : 'srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const expected = target.height * target.width * target.channels;
    if (info.channels !== target.channels || data.length !== expected)
      throw new DatasetError(
        file,
        `decoded to ${info.height}x${info.width}x${info.channels} (${data.length} bytes), not ${target.height}x${target.width}x${target.channels}`,
      );
    return new Uint8Array(data.buffer, data.byteOffset, data.length);
  } catch (error) {
    if (error instanceof DatasetError) throw error;
    throw new DatasetError(file, await imageProblem(file, error), { cause: error });
  }
}

/** Runs work(0..n-1), at most `limit` at once; stops starting new work after the first failure, which it throws. */
async function forEachLimited(n: number, limit: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < n) {
      const i = next++;
      try {
        await work(i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
  if (failure !== undefined) throw failure.error;
}

interface FolderSplit {
  name: SplitName;
  files: string[];
  labels: Int32Array;
}

/** One split's listing: its class folders (by name) and their image files. */
interface ListedSplit {
  name: SplitName;
  dir: string;
  classes: Map<string, string[]>;
  /** Class folders that held no images. */
  empty: Map<string, string>;
}

/**
 * An image-folder dataset: <root>/<class>/<images>, or <root>/{train,val,test}/<class>/<images>.
 *
 * What is checked when:
 * - at open: the folder structure; every file name (a file that is not a PNG, JPEG or WebP by its extension, a
 *   folder inside a class folder and a broken link are bad files); empty classes; and the header of the first
 *   image, for the default size and channels. Nothing else is decoded, so a 60,000-image folder opens in the time
 *   it takes to list it; the counts in the summary are those of the listing.
 * - when an image's batch is read: that it decodes (not truncated or corrupt, at most 50 megapixels) and, when the
 *   channels were taken from the first image, that it has the same (greyscale or colour).
 * A bad file is an error naming it; with `skipBad` it is left out and listed in `summary.skipped` (files found
 * bad while reading are left out of their batch and added to `summary.skipped` then; they still count in the
 * summary's counts and in `labels()`).
 *
 * A class that has no images in any split (only empty folders) is an error; with `skipBad` its folders are listed
 * in `summary.skipped` and the class is left out. An empty folder of a class that has images in another split
 * counts 0 there, as a missing folder does.
 */
export class ImageFolderDataset extends SplitDataset<FolderSplit> {
  private readonly reported = new Set<string>();

  private constructor(
    summary: DatasetSummary,
    splits: Map<SplitName, FolderSplit>,
    private readonly target: Target,
    private readonly skipBad: boolean,
  ) {
    super(summary, splits);
    for (const s of summary.skipped) this.reported.add(s.file);
  }

  static async open(root: string, options: OpenOptions): Promise<ImageFolderDataset> {
    const skipBad = options.skipBad === true;
    const skipped: SkippedFile[] = [];
    const bad = (file: string, problem: string): void => {
      if (!skipBad) throw new DatasetError(file, problem);
      skipped.push({ file, problem });
    };

    const top = await entriesOf(root);
    const splitDirs = top.dirs.filter((d) => (SPLIT_NAMES as readonly string[]).includes(d));
    if (splitDirs.length > 0 && splitDirs.length < top.dirs.length)
      throw new DatasetError(
        root,
        `mixes split folders (${splitDirs.join(', ')}) with other folders (${top.dirs
          .filter((d) => !splitDirs.includes(d))
          .slice(0, 5)
          .join(', ')}): put every class folder under train/, val/ or test/`,
      );
    const layout: { name: SplitName; dir: string }[] =
      splitDirs.length === 0
        ? [{ name: 'train', dir: root }]
        : SPLIT_NAMES.filter((s) => splitDirs.includes(s)).map((s) => ({ name: s, dir: path.join(root, s) }));

    const listed: ListedSplit[] = [];
    for (const { name, dir } of layout) {
      const split: ListedSplit = { name, dir, classes: new Map(), empty: new Map() };
      const { dirs, files } = await entriesOf(dir);
      if (dirs.length === 0) {
        const where = files.some(isImageName) ? ' (its images must be inside class folders)' : '';
        bad(
          dir,
          `holds no class folders: expected ${dir === root ? '' : `${name}/`}<class>/<images>${where}`,
        );
        continue;
      }
      for (const className of dirs) {
        const classDir = path.join(dir, className);
        const entries = await entriesOf(classDir);
        const images: string[] = [];
        for (const f of entries.files) {
          if (isImageName(f)) images.push(path.join(classDir, f));
          else bad(path.join(classDir, f), 'not an image file (expected .png, .jpg, .jpeg or .webp)');
        }
        for (const d of entries.dirs)
          bad(
            path.join(classDir, d),
            'a folder inside a class folder (images must sit directly in the class folder)',
          );
        for (const o of entries.others) bad(path.join(classDir, o.name), o.problem);
        split.classes.set(className, images);
      }
      listed.push(split);
    }

    // The first image gives the size and channels nobody asked for; bad ones before it are skipped (or fail).
    let target: Target | undefined;
    if (options.size !== undefined && options.channels !== undefined) {
      target = {
        height: options.size[0],
        width: options.size[1],
        channels: options.channels,
        channelsGiven: true,
        firstFile: '',
      };
    }
    for (const split of listed) {
      for (const className of [...split.classes.keys()].sort(byName)) {
        const images = split.classes.get(className) as string[];
        while (target === undefined && images.length > 0) {
          const file = images[0] as string;
          try {
            const meta = await sharp(file, { limitInputPixels: MAX_IMAGE_PIXELS }).metadata();
            const height = meta.autoOrient?.height ?? meta.height;
            const width = meta.autoOrient?.width ?? meta.width;
            target = {
              height: options.size?.[0] ?? height,
              width: options.size?.[1] ?? width,
              channels: options.channels ?? ((meta.channels ?? 3) <= 2 ? 1 : 3),
              channelsGiven: options.channels !== undefined,
              firstFile: file,
            };
          } catch (error) {
            bad(file, await imageProblem(file, error));
            images.shift();
          }
        }
      }
    }

    // Classes: the union over splits, by name; those with no image anywhere are an error (or left out).
    const classNames = [...new Set(listed.flatMap((s) => [...s.classes.keys()]))].sort(byName);
    for (const split of listed)
      for (const [className, images] of split.classes)
        if (images.length === 0) split.empty.set(className, path.join(split.dir, className));
    const classes = classNames.filter((c) => {
      if (listed.some((s) => (s.classes.get(c)?.length ?? 0) > 0)) return true;
      for (const s of listed) {
        const folder = s.empty.get(c);
        if (folder !== undefined)
          bad(
            folder,
            'empty class folder: a class with no images cannot be learned (add images or remove it)',
          );
      }
      return false;
    });
    if (target === undefined || classes.length === 0)
      throw new DatasetError(
        root,
        `holds no images${skipped.length > 0 ? ` (${skipped.length} bad files skipped)` : ''}`,
      );

    const splits = new Map<SplitName, FolderSplit>();
    for (const s of listed) {
      const files: string[] = [];
      const labels: number[] = [];
      classes.forEach((c, k) => {
        for (const f of s.classes.get(c) ?? []) {
          files.push(f);
          labels.push(k);
        }
      });
      splits.set(s.name, { name: s.name, files, labels: Int32Array.from(labels) });
    }
    return new ImageFolderDataset(
      {
        path: root,
        format: 'folder',
        name: path.basename(path.resolve(root)),
        classes,
        height: target.height,
        width: target.width,
        channels: target.channels,
        splits: [...splits.values()].map((s) => ({
          name: s.name,
          count: s.files.length,
          perClass: countPerClass(s.labels, classes.length),
        })),
        skipped,
      },
      splits,
      target,
      skipBad,
    );
  }

  protected iterate(
    _name: SplitName,
    split: FolderSplit,
    order: Uint32Array,
    options: BatchOptions,
  ): AsyncIterableIterator<Batch> {
    return readAhead(order, options.batchSize, options.signal, (indices) =>
      this.load(split, indices, options.signal),
    );
  }

  private async load(split: FolderSplit, indices: Uint32Array, signal?: AbortSignal): Promise<Batch> {
    const { height, width, channels } = this.target;
    const bytes = height * width * channels;
    const n = indices.length;
    const images = new Uint8Array(n * bytes);
    const ok = new Uint8Array(n);
    await forEachLimited(n, DECODE_CONCURRENCY, async (i) => {
      signal?.throwIfAborted();
      this.checkOpen();
      const file = split.files[indices[i] as number] as string;
      try {
        images.set(await decodeImage(file, this.target), i * bytes);
        ok[i] = 1;
      } catch (error) {
        if (!(this.skipBad && error instanceof DatasetError)) throw error;
        if (!this.reported.has(error.file)) {
          this.reported.add(error.file);
          this.summary.skipped.push({ file: error.file, problem: error.problem });
        }
      }
    });
    const kept = ok.reduce((sum, v) => sum + v, 0);
    const batch: Batch = {
      split: split.name,
      n: kept,
      height,
      width,
      channels,
      indices: new Uint32Array(kept),
      labels: new Int32Array(kept),
      images: kept === n ? images : new Uint8Array(kept * bytes),
    };
    let j = 0;
    for (let i = 0; i < n; i++) {
      if (ok[i] === 0) continue;
      const index = indices[i] as number;
      batch.indices[j] = index;
      batch.labels[j] = split.labels[index] as number;
      if (kept !== n) batch.images.set(images.subarray(i * bytes, (i + 1) * bytes), j * bytes);
      j++;
    }
    return batch;
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
