/** What the engine knows about a dataset on disk, as the CLI prints it and the UI shows it. */

export const DATASET_FORMATS = ['idx', 'cifar10', 'cifar100', 'folder'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/** Splits in the order they are listed; a dataset has at least one of them. */
export const SPLIT_NAMES = ['train', 'val', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

export type Channels = 1 | 3;

export interface SplitSummary {
  name: SplitName;
  count: number;
  /** Images per class, indexed like `DatasetSummary.classes`. */
  perClass: number[];
}

/** A file left out of a folder dataset because the user asked to skip bad files. */
export interface SkippedFile {
  file: string;
  problem: string;
}

export interface DatasetSummary {
  /** The path the dataset was opened from, as given. */
  path: string;
  format: DatasetFormat;
  /** A short display name (the folder name). */
  name: string;
  classes: string[];
  /** Size and channels of the images the dataset yields (after any resize, crop or conversion). */
  height: number;
  width: number;
  channels: Channels;
  splits: SplitSummary[];
  skipped: SkippedFile[];
}

/** Total images over all splits. */
export function imageCount(summary: DatasetSummary): number {
  return summary.splits.reduce((sum, s) => sum + s.count, 0);
}
