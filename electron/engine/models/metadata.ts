import { z } from 'zod';
import { HeldOutRecordSchema, type HeldOutRecord } from './held-out-record.ts';
import { ModelError } from './model-error.ts';

export const METADATA_FILE = 'deepcorrect.json';

export interface ModelMetadata {
  format: 'deepcorrect-model';
  version: 1;
  /** An Architecture, or 'imported' for a tfjs model brought in without this file. */
  arch: string;
  /** [height, width, channels] of the inputs. */
  inputShape: [number, number, number];
  /** Class names, one per output unit, in output order. */
  classes: string[];
  /** Inputs are 8-bit pixels scaled to 0..1 (x / 255); 'unit' is the only normalisation the engine uses now. */
  normalisation: { kind: 'unit' };
  /** All weights, batch-norm statistics included (model.countParams()). */
  parameters: number;
  /** Conv layer names in forward order. */
  convLayers: string[];
  provenance?: {
    dataset?: string;
    seed?: number;
    epochs?: number;
    backend?: string;
    optimizer?: string;
    trainImages?: number;
    valAccuracy?: number;
    testAccuracy?: number;
    trainedAt?: string;
    command?: string;
    /** The images `deepcorrect train` validated on (held-out-record.ts); absent in older and imported models. */
    validationSplit?: HeldOutRecord;
    [k: string]: unknown;
  };
  /**
   * SHA-256 of the weight bytes, written by saveModel (which overwrites any value given) and repeated in
   * model.json, so a folder whose files come from two different saves is refused rather than loaded mixed.
   */
  weightsSha256?: string;
}

const count = z.number().int().nonnegative();
const fraction = z.number().min(0).max(1);
const positive = z.number().int().positive();

// Loose objects: fields added by later code (a corrected model's units, say) survive a load-save round trip.
const MetadataSchema = z.looseObject({
  format: z.literal('deepcorrect-model'),
  version: z.literal(1),
  arch: z.string().min(1),
  inputShape: z.tuple([positive, positive, positive]),
  classes: z
    .array(z.string().min(1))
    .min(1)
    .refine((names) => new Set(names).size === names.length, 'class names must be distinct'),
  normalisation: z.looseObject({ kind: z.literal('unit') }),
  parameters: count,
  convLayers: z.array(z.string().min(1)),
  provenance: z
    .looseObject({
      dataset: z.string().optional(),
      seed: z.number().int().optional(),
      epochs: count.optional(),
      backend: z.string().optional(),
      optimizer: z.string().optional(),
      trainImages: count.optional(),
      valAccuracy: fraction.optional(),
      testAccuracy: fraction.optional(),
      trainedAt: z.string().optional(),
      command: z.string().optional(),
      validationSplit: HeldOutRecordSchema.optional(),
    })
    .optional(),
  weightsSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits')
    .optional(),
});

// Fails to compile if the schema and the interface drift apart.
const _schemaFitsInterface = (parsed: z.infer<typeof MetadataSchema>): ModelMetadata => parsed;

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) =>
      typeof key === 'number' ? `${acc}[${key}]` : acc === '' ? String(key) : `${acc}.${String(key)}`,
    '',
  );
}

function describe(issue: z.core.$ZodIssue): string {
  const field = issue.path.length === 0 ? 'the file' : `field "${fieldPath(issue.path)}"`;
  const message = issue.message.replace(/^Invalid input: /, '');
  return /received undefined$/.test(message) ? `${field} is missing` : `${field}: ${message}`;
}

/** Checks a parsed deepcorrect.json; the error names the file and the first field that is wrong. */
export function validateMetadata(value: unknown, file: string): ModelMetadata {
  const parsed = MetadataSchema.safeParse(value);
  if (!parsed.success) {
    const [first] = parsed.error.issues;
    const more =
      parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problems)` : '';
    throw new ModelError(
      file,
      `not valid model metadata: ${first === undefined ? 'unknown problem' : describe(first)}${more}`,
    );
  }
  return parsed.data;
}
