/** Runtime schemas of the domain values that cross the bridge (inputs are checked; outputs are typed). */
import { z } from 'zod';
import type { StudyReport } from '../study.ts';
import { BACKEND_NAMES } from '../backends.ts';
import { DATASET_FORMATS, SPLIT_NAMES } from '../datasets.ts';
import {
  angleProblem,
  DISTORTION_KINDS,
  kernelSizeProblem,
  LEVEL_RANGE,
  rangeProblem,
} from '../distortions.ts';

/** A filesystem path as the user chose it; the host checks it against what the user allowed. */
export const PathSchema = z.string().min(1).max(4096);
export const SplitSchema = z.enum(SPLIT_NAMES);
export const ChannelsSchema = z.union([z.literal(1), z.literal(3)]);
export const BytesSchema = z.custom<Uint8Array>(
  (v) => v instanceof Uint8Array,
  'expected bytes (a Uint8Array)',
);

/** A number that `problem` (one of shared/distortions.ts's checks) accepts, refused in its words. */
function checkedNumber(problem: (value: number) => string | undefined) {
  return z.number().superRefine((value, ctx) => {
    const message = problem(value);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message, input: value });
  });
}

/** A level before its kind is known: within the widest range of any kind (a list of levels uses it too). */
export const DistortionLevelSchema = checkedNumber((v) =>
  rangeProblem('level', v, { ...LEVEL_RANGE, note: "the widest of any kind's; each kind has its own" }),
);

/**
 * Every number is bounded here, before the engine sees it, with the bounds and words of
 * shared/distortions.ts (a kernelSize of 2,000,001 held the engine for 11 s). The checks are per field:
 * the contract derives the level-less spec with .omit(), which zod refuses on an object with refinements.
 * So a level is held to the widest range of any kind here, and to its own kind's range by validateSpec,
 * which the engine runs on every spec before any work.
 */
export const DistortionSpecSchema = z.strictObject({
  kind: z.enum(DISTORTION_KINDS),
  level: DistortionLevelSchema,
  kernelSize: checkedNumber(kernelSizeProblem).optional(),
  clip: z.boolean().optional(),
  angle: checkedNumber(angleProblem).optional(),
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

/** A model folder's deepcorrect.json as the UI sees it (replies are typed, not parsed: extra fields travel too). */
export const ModelMetadataSchema = z.object({
  format: z.literal('deepcorrect-model'),
  version: z.literal(1),
  arch: z.string(),
  inputShape: z.tuple([z.number(), z.number(), z.number()]),
  classes: z.array(z.string()),
  normalisation: z.object({ kind: z.literal('unit') }),
  parameters: z.number(),
  convLayers: z.array(z.string()),
  provenance: z.record(z.string(), z.unknown()).optional(),
});

export const ModelSummarySchema = z.object({
  parameters: z.number(),
  trainableParameters: z.number(),
  convLayers: z.array(
    z.object({
      name: z.string(),
      filters: z.number(),
      kernel: z.number(),
      stride: z.number(),
      outputShape: z.array(z.number()),
      /** The layer whose output is this conv's post-activation map. */
      activation: z.string(),
    }),
  ),
});

export const EvaluationSchema = z.object({
  kind: z.enum(DISTORTION_KINDS),
  parameter: z.string(),
  images: z.number(),
  classes: z.array(z.string()),
  conditions: z.array(
    z.object({
      level: z.number().optional(),
      top1: z.number(),
      top5: z.number(),
      perClass: z.array(z.number().nullable()),
      confusion: z.array(z.array(z.number())),
    }),
  ),
  meanWithClean: z.number(),
  meanLevels: z.number(),
  seconds: z.number(),
});

/** A ranking of conv filters by correction priority (docs/method.md §2), as electron/engine/rank returns it. */
export const RankingSchema = z.object({
  model: z.string(),
  dataset: z.string(),
  method: z.enum(['oracle', 'proxy', 'both']),
  kind: z.enum(DISTORTION_KINDS),
  levels: z.array(z.number()),
  seed: z.number(),
  /** Absent in rankings saved before it was recorded: those are abs. */
  tauKind: z.enum(['abs', 'signed']).optional(),
  split: SplitSchema,
  /** The set's size as asked: images spread over the classes, or images per class. */
  rankImages: z.number().optional(),
  perClass: z.number().optional(),
  rankingImages: z.number(),
  stability: z
    .object({
      method: z.literal('split-half'),
      images: z.tuple([z.number(), z.number()]),
      score: z.enum(['tau', 'proxy']),
      beta: z.number(),
    })
    .optional(),
  layers: z.array(
    z.object({
      layer: z.string(),
      activation: z.string(),
      filters: z.number(),
      order: z.array(z.number()),
      tau: z.array(z.number()).optional(),
      errors: z
        .object({
          images: z.number(),
          clean: z.number(),
          baseline: z.array(z.number()),
          perFilter: z.array(z.array(z.number())),
        })
        .optional(),
      skippedLevels: z.array(z.number()).optional(),
      worseCells: z.number().optional(),
      betterCells: z.number().optional(),
      ties: z.object({ filters: z.number(), groups: z.number(), largest: z.number() }).optional(),
      stability: z.object({ spearman: z.number().nullable(), topOverlap: z.number() }).optional(),
      proxy: z.array(z.number()).optional(),
      proxyOrder: z.array(z.number()).optional(),
      /** NaN when tau or the proxy is constant, which JSON writes as null: read back as NaN. */
      spearman: z
        .number()
        .nullable()
        .transform((v) => v ?? Number.NaN)
        .optional(),
      seconds: z.number(),
    }),
  ),
  backend: z.string(),
  seconds: z.number(),
  /** SHA-256 of the ranked model's weights as loaded (models/weights-hash.ts); absent in older rankings. */
  weightsSha256: z.string().optional(),
  /** Present when the ranking was merged from shards: how many, and each one's seconds. */
  shards: z.object({ count: z.number(), seconds: z.array(z.number()) }).optional(),
});

/** A study's report (shared/study.ts). Replies are typed, not parsed, so the type alone is enough here. */
export const StudyReportSchema = z.custom<StudyReport>(
  (v) => typeof v === 'object' && v !== null && 'models' in v,
  'expected a study report',
);

const PredictionSchema = z.object({
  top: z.number(),
  probability: z.number(),
  probabilities: z.array(z.number()),
});

/** inspect.activations: float32 planes (filters x height x width) as little-endian bytes. */
export const ActivationMapsSchema = z.object({
  layer: z.string(),
  activation: z.string(),
  height: z.number(),
  width: z.number(),
  totalFilters: z.number(),
  filters: z.array(z.number()),
  clean: BytesSchema,
  distorted: BytesSchema,
  corrected: BytesSchema.optional(),
  diffDistorted: BytesSchema,
  diffCorrected: BytesSchema.optional(),
  correctedSource: z.enum(['unit', 'none']).optional(),
  correctedLayer: z.string().optional(),
  stats: z.array(
    z.object({
      filter: z.number(),
      l1Distorted: z.number(),
      l1Corrected: z.number().optional(),
      maxAbs: z.number(),
    }),
  ),
  range: z.object({ min: z.number(), max: z.number() }),
  diffMaxAbs: z.number(),
  /** The distorted image the maps were computed on, 8-bit HWC. */
  distortedImage: ImagesSchema,
  predictions: z.object({
    clean: PredictionSchema,
    distorted: PredictionSchema,
    corrected: PredictionSchema.optional(),
  }),
});
export type ActivationMapsReply = z.infer<typeof ActivationMapsSchema>;

/** The oracle experiment's result (electron/engine/rank/types.ts ExperimentResult). */
export const ExperimentSchema = z.object({
  split: SplitSchema,
  perClass: z.number(),
  images: z.number(),
  seed: z.number(),
  kind: z.enum(DISTORTION_KINDS),
  levels: z.array(z.number()),
  clean: z.number(),
  baseline: z.array(z.number()),
  baselineMeanLevels: z.number(),
  layers: z.array(
    z.object({
      layer: z.string(),
      fractions: z.array(
        z.object({
          fraction: z.number(),
          corrected: z.number(),
          accuracy: z.array(z.number()),
          meanLevels: z.number(),
        }),
      ),
    }),
  ),
  seconds: z.number(),
});
export type Experiment = z.infer<typeof ExperimentSchema>;
