import type { SplitName } from '../../../shared/datasets.ts';
import type { Dataset } from '../data/dataset.ts';
import { loadImages, type LoadedImages } from '../data/load-images.ts';
import { stratifiedSubset } from '../data/subset.ts';
import { stratifiedValidationSplit } from './split.ts';

export interface TrainingData {
  train: LoadedImages;
  val: LoadedImages;
  /** 'val' when the dataset's own split validates, else 'train' (a held-out fraction). */
  valSource: 'val' | 'train';
  classes: number;
}

export interface DataChoice {
  seed: number;
  /** Held out of 'train' when the dataset has no 'val' split (0: no validation images). */
  validationFraction: number;
  /** A seeded stratified subset of this many training images per class. */
  trainPerClass?: number;
  /**
   * How that subset is drawn when a 'val' split validates: as stratifiedSubset draws (the baseline trainer) or
   * as a hold-out of fraction 0 draws (units, fine-tuning). Both stay: seeded runs and the checkpoints they
   * resume depend on which images were drawn.
   */
  subsetDraw: 'subset' | 'hold-out';
  signal?: AbortSignal;
}

export function hasSplit(dataset: Dataset, name: SplitName): boolean {
  return dataset.summary.splits.some((s) => s.name === name && s.count > 0);
}

/** A training run's images: its 'train' rows, and its 'val' split or a seeded stratified hold-out of 'train'. */
export async function loadTrainingData(dataset: Dataset, o: DataChoice): Promise<TrainingData> {
  const classes = dataset.summary.classes.length;
  if (!hasSplit(dataset, 'train')) throw new Error(`${dataset.summary.path} has no train split to train on`);
  const labels = await dataset.labels('train');
  const valSource = hasSplit(dataset, 'val') ? 'val' : 'train';
  let trainRows: Uint32Array | undefined;
  let valRows: Uint32Array | undefined;
  if (valSource === 'train')
    ({ train: trainRows, val: valRows } = stratifiedValidationSplit(
      labels,
      classes,
      o.validationFraction,
      o.seed,
      o.trainPerClass,
    ));
  else if (o.subsetDraw === 'hold-out')
    trainRows = stratifiedValidationSplit(labels, classes, 0, o.seed, o.trainPerClass).train;
  else if (o.trainPerClass !== undefined)
    trainRows = stratifiedSubset(labels, o.trainPerClass, o.seed, classes);
  const train = await loadImages(dataset, 'train', trainRows, o.signal);
  const val = await loadImages(dataset, valSource, valRows, o.signal);
  if (train.n === 0) throw new Error(`${dataset.summary.path}: no training images selected`);
  return { train, val, valSource, classes };
}
