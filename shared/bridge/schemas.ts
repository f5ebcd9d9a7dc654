/** Runtime schemas of the domain values that cross the bridge (inputs are checked; outputs are typed). */
import { z } from 'zod';
import { BACKEND_NAMES } from '../backends.ts';
import { DATASET_FORMATS, SPLIT_NAMES } from '../datasets.ts';
import { DISTORTION_KINDS } from '../distortions.ts';

/** A filesystem path as the user chose it; the host checks it against what the user allowed. */
export const PathSchema = z.string().min(1).max(4096);
export const SplitSchema = z.enum(SPLIT_NAMES);
export const ChannelsSchema = z.union([z.literal(1), z.literal(3)]);
export const BytesSchema = z.custom<Uint8Array>(
  (v) => v instanceof Uint8Array,
  'expected bytes (a Uint8Array)',
);

export const DistortionSpecSchema = z.strictObject({
  kind: z.enum(DISTORTION_KINDS),
  level: z.number().finite(),
  kernelSize: z.number().int().positive().optional(),
  clip: z.boolean().optional(),
  angle: z.number().finite().optional(),
});

export const DatasetSummarySchema = z.object({
  path: z.string(),
  format: z.enum(DATASET_FORMATS),
  name: z.string(),
  classes: z.array(z.string()),
  height: z.number(),
  width: z.number(),
  channels: ChannelsSchema,
  splits: z.array(z.object({ name: SplitSchema, count: z.number(), perClass: z.array(z.number()) })),
  skipped: z.array(z.object({ file: z.string(), problem: z.string() })),
});

export const ProgressSchema = z.object({
  stage: z.string(),
  fraction: z.number(),
  etaSeconds: z.number().optional(),
  metrics: z.record(z.string(), z.number()).optional(),
});

export const BackendSchema = z.object({
  name: z.enum(BACKEND_NAMES),
  reason: z.string(),
  device: z.string(),
  threads: z.number(),
});

/** Images as raw 8-bit NHWC bytes: the renderer paints them into canvases without decoding. */
export const ImagesSchema = z.object({
  n: z.number(),
  height: z.number(),
  width: z.number(),
  channels: ChannelsSchema,
  indices: z.array(z.number()),
  labels: z.array(z.number()),
  pixels: BytesSchema,
});
export type Images = z.infer<typeof ImagesSchema>;
