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
  /** The validation images' rows of 'train' (valSource 'train'), for the model's record of them. */
  valRows?: Uint32Array;
  /** Labels of the whole split the validation images come from, in index order. */
  splitLabels: Int32Array;
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
  /**
   * Fixed validation rows of 'train' (the base model's held-out images, train/held-out.ts) instead of a seeded
   * hold-out: training takes the other rows. With trainPerClass, both are seeded stratified subsets, the
   * validation one of the share a hold-out of validationFraction would have.
   */
  heldOut?: Uint32Array;
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
  if (valSource === 'train' && o.heldOut !== undefined)
    ({ train: trainRows, val: valRows } = aroundHeldOut(labels, classes, o.heldOut, o));
  else if (valSource === 'train')
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
  const splitLabels = valSource === 'train' ? labels : await dataset.labels('val');
  return { train, val, valSource, classes, splitLabels, ...(valRows === undefined ? {} : { valRows }) };
}

/** The rows of `subset` (rows of the split) that stratifiedSubset keeps, perClass of each class. */
function subsetOf(labels: Int32Array, subset: Uint32Array, perClass: number, seed: number, classes: number) {
  const picked = stratifiedSubset(
    Int32Array.from(subset, (row) => labels[row] as number),
    perClass,
    seed,
    classes,
  );
  return Uint32Array.from(picked, (i) => subset[i] as number);
}

/** Training on the rows outside the fixed validation rows (each a seeded subset with trainPerClass). */
function aroundHeldOut(
  labels: Int32Array,
  classes: number,
  heldOut: Uint32Array,
  o: DataChoice,
): { train: Uint32Array; val: Uint32Array } {
  const held = new Uint8Array(labels.length);
  for (const row of heldOut) {
    if (row >= labels.length)
      throw new RangeError(`held-out row ${row} is outside the train split (${labels.length} images)`);
    held[row] = 1;
  }
  const rest = Uint32Array.from(labels.keys()).filter((row) => held[row] === 0);
  if (o.trainPerClass === undefined) return { train: rest, val: Uint32Array.from(heldOut).sort() };
  const f = o.validationFraction;
  return {
    train: subsetOf(labels, rest, o.trainPerClass, o.seed, classes),
    val: subsetOf(labels, heldOut, Math.round((o.trainPerClass * f) / (1 - f)), o.seed, classes),
  };
}
