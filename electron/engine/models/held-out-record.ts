import { z } from 'zod';

const count = z.number().int().nonnegative();
const digest = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');

/**
 * The images a base model was validated on while `deepcorrect train` trained it, as its deepcorrect.json
 * records them (provenance.validationSplit), so that unit training and fine-tuning select epochs on images
 * the base model never trained on. Either a hold-out of the train split (the procedure of
 * train/split.ts's stratifiedValidationSplit with this seed, fraction and subset, plus the indices themselves
 * when there are few) or the dataset's own val split. The digests tie the record to its dataset: the train
 * split's labels in file order, and the held-out indices.
 */
export const HeldOutRecordSchema = z.discriminatedUnion('source', [
  z.strictObject({
    source: z.literal('train hold-out'),
    /** stratifiedValidationSplit as of this record's version: the procedure that regenerates the indices. */
    procedure: z.literal('stratified-v1'),
    seed: z.number().int().nonnegative(),
    fraction: z.number().gt(0).max(0.5),
    trainPerClass: z.number().int().positive().nullable(),
    /** Images in the dataset's train split, and the SHA-256 of their labels (int32 little-endian, in order). */
    splitImages: count,
    labelsSha256: digest,
    /** How many were held out, and the SHA-256 of their sorted indices (uint32 little-endian). */
    images: count,
    indicesSha256: digest,
    /** The sorted indices into the train split, when there are at most INDEX_LIMIT of them. */
    indices: z.array(count).optional(),
  }),
  z.strictObject({
    source: z.literal('val split'),
    splitImages: count,
    labelsSha256: digest,
  }),
]);

export type HeldOutRecord = z.infer<typeof HeldOutRecordSchema>;

/** Up to this many held-out indices are written out; more are regenerated from the seed and fraction. */
export const INDEX_LIMIT = 10_000;
