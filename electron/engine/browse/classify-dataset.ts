/**
 * Whether a folder is a dataset, by the engine's own detection (electron/engine/data): the names of its files
 * and folders, a names file, a peek at a few entries of its class folders. Opening it checks everything else.
 */
import type { Dirent } from 'node:fs';
import { opendir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { SPLIT_NAMES } from '../../../shared/datasets.ts';
import { MAX_BROWSE_CLASSES, type BrowseEntry } from '../../../shared/folder-browse.ts';
import { CIFAR_FOLDERS, cifarFormatOf, type CifarFormat } from '../data/cifar.ts';
import { CIFAR10_CLASSES, FASHION_MNIST_CLASSES } from '../data/class-names.ts';
import { DatasetError } from '../data/errors.ts';
import { findIdxPairs } from '../data/idx.ts';
import { isIgnoredName, isImageName } from '../data/image-folder.ts';
import { statInside, type Allowed } from './allowed.ts';
import { readSmall, type ReadBudget } from './small-file.ts';

export type Classified = Omit<BrowseEntry, 'name' | 'path' | 'folder' | 'link' | 'access'>;

/** A names file is one short line per class; anything bigger is not read to classify. */
const NAMES_FILE_BYTES = 256 * 1024;
/** Entries of a class folder looked at, and class folders looked into. */
const PEEK_ENTRIES = 64;
const PEEK_CLASSES = 3;

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** "3 classes: cat, dog, fox" (the first few named), for an entry's detail. */
export function classesText(classes: readonly string[], count = classes.length): string {
  const shown = classes.slice(0, 6).join(', ');
  return `${count} ${count === 1 ? 'class' : 'classes'}: ${shown}${count > 6 ? ', …' : ''}`;
}

function withClasses(classes: string[]): Pick<Classified, 'classes' | 'classCount'> {
  return { classes: classes.slice(0, MAX_BROWSE_CLASSES), classCount: classes.length };
}

/** One name per line, as the engine reads names files; undefined when absent, unreadable or too big. */
async function namesFile(file: string, allowed: Allowed, budget: ReadBudget): Promise<string[] | undefined> {
  const read = await readSmall(file, allowed, budget, NAMES_FILE_BYTES);
  if (read.status !== 'read') return undefined;
  const lines = read.text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l) => l.trim());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.length === 0 || lines.includes('') ? undefined : lines;
}

/** The subfolders of a listed folder (links followed where they stay inside), hidden ones left out, by name. */
export async function subfolders(
  dir: string,
  entries: readonly Dirent[],
  allowed: Allowed,
): Promise<{ name: string; real: string }[]> {
  const found: { name: string; real: string }[] = [];
  for (const e of entries) {
    if (isIgnoredName(e.name)) continue;
    const at = path.join(dir, e.name);
    if (e.isDirectory()) found.push({ name: e.name, real: at });
    else if (e.isSymbolicLink()) {
      const inside = await statInside(at, allowed);
      if (inside?.stats.isDirectory()) found.push({ name: e.name, real: inside.real });
    }
  }
  return found.sort((a, b) => byName(a.name, b.name));
}

/**
 * Whether a folder looks like one class of an image dataset from its first entries: images, mostly, and no
 * folder (the engine refuses folders inside a class folder). A code folder with an icon in it is not one.
 */
async function looksLikeClass(dir: string): Promise<boolean> {
  let handle;
  try {
    handle = await opendir(dir);
  } catch {
    return false;
  }
  let images = 0;
  let others = 0;
  try {
    for (let i = 0; i < PEEK_ENTRIES; i++) {
      const entry = await handle.read();
      if (entry === null) break;
      if (isIgnoredName(entry.name)) continue;
      if (entry.isDirectory()) return false;
      if (isImageName(entry.name)) images++;
      else others++;
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
  return images > 0 && images >= others;
}

async function idxDataset(
  dir: string,
  fileNames: string[],
  allowed: Allowed,
  budget: ReadBudget,
): Promise<Classified | undefined> {
  let pairs;
  try {
    pairs = findIdxPairs(dir, fileNames);
  } catch (error) {
    if (!(error instanceof DatasetError)) throw error;
    return { kind: 'dataset', format: 'idx', detail: 'IDX files', problem: error.problem };
  }
  if (pairs === undefined || pairs.length === 0) return undefined;
  const splits = pairs.map((p) => p.split).join(', ');
  const listed = await namesFile(path.join(dir, 'classes.txt'), allowed, budget);
  if (listed !== undefined)
    return {
      kind: 'dataset',
      format: 'idx',
      detail: `IDX dataset (${splits}): ${classesText(listed)}`,
      ...withClasses(listed),
    };
  // The engine's own rule (data/idx.ts): a path that says Fashion gets Fashion-MNIST's names.
  if (/fashion/i.test(dir)) {
    const names = [...FASHION_MNIST_CLASSES];
    return {
      kind: 'dataset',
      format: 'idx',
      detail: `IDX dataset (${splits}): ${classesText(names)}`,
      ...withClasses(names),
    };
  }
  return {
    kind: 'dataset',
    format: 'idx',
    detail: `IDX dataset (${splits}): classes numbered by label (no classes.txt beside it)`,
  };
}

async function cifarDataset(
  dir: string,
  format: CifarFormat,
  allowed: Allowed,
  budget: ReadBudget,
): Promise<Classified> {
  const namesAt = path.join(dir, format === 'cifar10' ? 'batches.meta.txt' : 'fine_label_names.txt');
  const listed = await namesFile(namesAt, allowed, budget);
  const label = format === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100';
  if (listed !== undefined || format === 'cifar10') {
    const names = listed ?? [...CIFAR10_CLASSES];
    return {
      kind: 'dataset',
      format,
      detail: `${label} binary dataset: ${classesText(names)}`,
      ...withClasses(names),
    };
  }
  return {
    kind: 'dataset',
    format,
    detail: `${label} binary dataset: 100 classes (no fine_label_names.txt)`,
    classCount: 100,
  };
}

async function imageFolderDataset(
  dir: string,
  entries: readonly Dirent[],
  allowed: Allowed,
): Promise<Classified | undefined> {
  const top = await subfolders(dir, entries, allowed);
  if (top.length === 0) return undefined;
  const splits = top.filter((d) => (SPLIT_NAMES as readonly string[]).includes(d.name));
  // Split folders beside other folders: the engine refuses it, so it is no dataset (opening says why).
  if (splits.length > 0 && splits.length < top.length) return undefined;
  let classDirs = top;
  if (splits.length > 0) {
    const first = SPLIT_NAMES.map((s) => splits.find((d) => d.name === s)).find((d) => d !== undefined);
    if (first === undefined) return undefined;
    let inner: Dirent[];
    try {
      inner = await readdir(first.real, { withFileTypes: true });
    } catch {
      return undefined;
    }
    classDirs = await subfolders(first.real, inner, allowed);
  }
  if (classDirs.length === 0) return undefined;
  // The first, middle and last class folders: each must look like a class.
  const peeked = [...new Set([0, Math.floor(classDirs.length / 2), classDirs.length - 1])].slice(
    0,
    PEEK_CLASSES,
  );
  for (const i of peeked) {
    const d = classDirs[i];
    if (d === undefined || !(await looksLikeClass(d.real))) return undefined;
  }
  const names = classDirs.map((d) => d.name);
  const splitNames = SPLIT_NAMES.filter((s) => splits.some((d) => d.name === s));
  const where = splits.length > 0 ? ` (${splitNames.join(', ')})` : '';
  return {
    kind: 'dataset',
    format: 'folder',
    detail: `image-folder dataset${where}: ${classesText(names)}`,
    ...withClasses(names),
  };
}

/** The dataset a folder holds (IDX, CIFAR binary or image folders), or undefined when it holds none. */
export async function classifyDataset(
  dir: string,
  entries: readonly Dirent[],
  allowed: Allowed,
  budget: ReadBudget,
): Promise<Classified | undefined> {
  const fileNames = entries.filter((e) => !e.isDirectory()).map((e) => e.name);
  const idx = await idxDataset(dir, fileNames, allowed, budget);
  if (idx !== undefined) return idx;
  const cifar = cifarFormatOf(fileNames);
  if (cifar !== undefined) return cifarDataset(dir, cifar, allowed, budget);
  const cifarFolders: readonly string[] = Object.values(CIFAR_FOLDERS);
  const nested = entries.filter((e) => e.isDirectory() && cifarFolders.includes(e.name));
  if (nested.length === 1 && nested[0] !== undefined) {
    const inner = path.join(dir, nested[0].name);
    const innerNames = await readdir(inner).catch(() => [] as string[]);
    const format = cifarFormatOf(innerNames);
    if (format !== undefined) return cifarDataset(inner, format, allowed, budget);
  }
  return imageFolderDataset(dir, entries, allowed);
}
