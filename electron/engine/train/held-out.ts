import { createHash } from 'node:crypto';
import type { ValidationSource } from '../../../shared/training.ts';
import type { Dataset } from '../data/dataset.ts';
import { INDEX_LIMIT, type HeldOutRecord } from '../models/held-out-record.ts';
import type { ModelMetadata } from '../models/metadata.ts';
import { stratifiedValidationSplit } from './split.ts';

/** SHA-256 of whole numbers as 32-bit little-endian words (the same on every machine). */
function digestOf(values: ArrayLike<number>, signed: boolean): string {
  const view = new DataView(new ArrayBuffer(values.length * 4));
  for (let i = 0; i < values.length; i++)
    if (signed) view.setInt32(i * 4, values[i] as number, true);
    else view.setUint32(i * 4, values[i] as number, true);
  return createHash('sha256').update(new Uint8Array(view.buffer)).digest('hex');
}

export const labelsDigest = (labels: Int32Array): string => digestOf(labels, true);
export const indicesDigest = (indices: ArrayLike<number>): string => digestOf(indices, false);

/** What a baseline run held out, for its deepcorrect.json (see HeldOutRecordSchema). */
export function heldOutRecord(o: {
  valSource: 'val' | 'train';
  /** Labels of the split the validation images came from (all of it, in index order). */
  splitLabels: Int32Array;
  /** The held-out rows of 'train' (valSource 'train'). */
  valRows?: Uint32Array;
  seed: number;
  fraction: number;
  trainPerClass?: number;
}): HeldOutRecord | undefined {
  const split = { splitImages: o.splitLabels.length, labelsSha256: labelsDigest(o.splitLabels) };
  if (o.valSource === 'val') return { source: 'val split', ...split };
  const rows = o.valRows;
  if (rows === undefined || rows.length === 0) return undefined;
  return {
    source: 'train hold-out',
    procedure: 'stratified-v1',
    seed: o.seed,
    fraction: o.fraction,
    trainPerClass: o.trainPerClass ?? null,
    ...split,
    images: rows.length,
    indicesSha256: indicesDigest(rows),
    ...(rows.length <= INDEX_LIMIT ? { indices: Array.from(rows) } : {}),
  };
}

/**
 * The held-out indices of a 'train hold-out' record over a train split with these labels: the recorded ones,
 * or regenerated from its seed and fraction; undefined (with why) when the labels are another dataset's or the
 * indices do not match their digest.
 */
export function heldOutIndices(
  record: Extract<HeldOutRecord, { source: 'train hold-out' }>,
  labels: Int32Array,
  classes: number,
): { indices: Uint32Array } | { problem: string } {
  if (labels.length !== record.splitImages || labelsDigest(labels) !== record.labelsSha256)
    return {
      problem: `they are of another dataset (a train split of ${record.splitImages} images with other labels; this one has ${labels.length})`,
    };
  const indices =
    record.indices === undefined
      ? stratifiedValidationSplit(
          labels,
          classes,
          record.fraction,
          record.seed,
          record.trainPerClass ?? undefined,
        ).val
      : Uint32Array.from(record.indices);
  if (indices.length !== record.images || indicesDigest(indices) !== record.indicesSha256)
    return {
      problem: `the ${record.indices === undefined ? 'regenerated' : 'recorded'} indices do not match their digest`,
    };
  return { indices };
}

/** Which images unit training and fine-tuning validate on, and the line that says so. */
export interface ValidationChoice {
  source: ValidationSource;
  /** The base model's held-out rows of 'train' (source 'base held-out'). */
  rows?: Uint32Array;
  note: string;
}

/**
 * The validation images of a run on the base model described by `metadata`: the dataset's own val split when
 * it has one; else the base model's held-out images when its deepcorrect.json records them for this dataset,
 * whatever the run's seed; else (older or imported models) a hold-out seeded by the run's seed, which may
 * include images the base model was trained on, as the note says.
 */
export async function chooseValidation(
  metadata: ModelMetadata | undefined,
  dataset: Dataset,
  hasValSplit: boolean,
): Promise<ValidationChoice> {
  if (hasValSplit) return { source: 'dataset val split', note: "validation: the dataset's val split" };
  const seeded = (why: string): ValidationChoice => ({
    source: 'seeded split',
    note: `validation: seeded split (a stratified hold-out of the train split drawn with --seed): ${why}; it may include images the base model trained on`,
  });
  const record = metadata?.provenance?.validationSplit;
  if (record === undefined)
    return seeded(
      'the base model records no held-out images (trained before they were recorded, or imported)',
    );
  if (record.source === 'val split')
    return seeded("the base model validated on its dataset's val split, which this dataset does not have");
  const found = heldOutIndices(record, await dataset.labels('train'), dataset.summary.classes.length);
  if ('problem' in found)
    return seeded(`the base model's recorded held-out images cannot be used: ${found.problem}`);
  return {
    source: 'base held-out',
    rows: found.indices,
    note: `validation: base held-out (the ${found.indices.length} images the base model was validated on: seed ${record.seed}, ${record.fraction} of the train split); training on the rest`,
  };
}
