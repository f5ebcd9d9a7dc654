/**
 * The bridge contract: every request the UI can make of the engine, defined once. Each entry has the schema
 * of its input (validated by the main process or the browser-mode server before anything runs), the schema
 * of its output, and whether it runs as a job (queued, with progress events, cancellable) or answers at once.
 */
import { z } from 'zod';
import type { StudyReport } from '../study.ts';
import type { WorkspaceManifest } from '../workspace.ts';
import { ARTEFACT_KINDS } from '../workspace.ts';
import type { Progress } from '../progress.ts';
import type { BridgeErrorCode } from './protocol.ts';
import { MAX_PATIENCE, VALIDATION_SOURCES } from '../training.ts';
import { MAX_STUDY_SEEDS } from './defaults.ts';
import { MAX_STUDY_VARIANTS } from '../study-variants.ts';
import { SavedResultSchema, SavedToSchema } from '../saved-result.ts';
import { BrowseListingSchema, BrowseRootSchema } from '../folder-browse.ts';
import {
  BackendSchema,
  EvaluationSchema,
  ModelMetadataSchema,
  ModelSummarySchema,
  ChannelsSchema,
  DatasetSummarySchema,
  DistortionLevelSchema,
  DistortionSpecSchema,
  ImagesSchema,
  PathSchema,
  RankingSchema,
  SplitSchema,
  StudyReportSchema,
  ActivationMapsSchema,
  ExperimentSchema,
} from './schemas.ts';

/** The most images one `dataset.images` request may ask for (a screenful of thumbnails). */
export const MAX_IMAGES_PER_REQUEST = 512;

const DatasetId = z.string().min(1).max(64);
const ModelId = z.string().min(1).max(64);

export const JOB_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** A job of request N: its state, its request's input and, once done, its output. Progress travels apart. */
export interface JobRecord<N extends JobName> {
  /** Made unique by the engine host that queued it, across its restarts too. */
  id: string;
  name: N;
  /** What the job is, in words, for the job panel. */
  title: string;
  status: JobStatus;
  error?: string;
  /** Why it failed, for the UI's advice: the engine's kind of error, or 'host-crashed' when the engine died. */
  errorCode?: BridgeErrorCode;
  /** The request's input, so a view can label a job's results after a reload. */
  input: RequestInput<N>;
  result?: RequestOutput<N>;
  queuedAt: number;
  startedAt?: number;
  endedAt?: number;
}

/** Any job; checking its `name` types its input and result. */
export type JobInfo = { [N in JobName]: JobRecord<N> }[JobName];
/** The jobs of request N (of either request, for a union, which narrows on `name`). */
export type JobOf<N extends JobName> = Extract<JobInfo, { name: N }>;

/** Whether a job is of request `name`, with its input and result typed. */
export function isJobOf<N extends JobName>(job: JobInfo, name: N): job is JobOf<N> {
  return job.name === name;
}

/** The answer to jobs.list: the jobs of this session, and the latest progress of those that reported any. */
export interface JobList {
  jobs: JobInfo[];
  progress: Record<string, Progress>;
}
// An interface behind a custom schema: JobInfo is built from CONTRACT, which holds this (zod could not infer it).
const JobListSchema = z.custom<JobList>((v) => typeof v === 'object' && v !== null && 'jobs' in v);

const Seed = z.number().int().min(0).max(0xffffffff);
const Levels = z.array(DistortionLevelSchema).min(1).max(20);
const LayerName = z.string().min(1).max(128);
/** A ranking set's size; the engine also holds it to the split (at least one image a class, at most all). */
const RankImages = z.number().int().min(1).max(10_000_000);
const TauKindSchema = z.enum(['abs', 'signed']);

const OptimizerInput = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('sgd'),
    learningRate: z.number().positive().max(10),
    momentum: z.number().min(0).max(0.999),
    nesterov: z.boolean(),
  }),
  z.strictObject({ kind: z.literal('adam'), learningRate: z.number().positive().max(10) }),
]);
const ScheduleInput = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('constant') }),
  z.strictObject({
    kind: z.literal('step'),
    every: z.number().int().min(1),
    factor: z.number().positive().max(1),
  }),
  z.strictObject({ kind: z.literal('cosine') }),
  z.strictObject({
    kind: z.literal('plateau'),
    patience: z.number().int().min(1).max(500),
    factor: z.number().positive().lt(1),
  }),
]);
/** Epochs in a row without a better validation score that stop training; 0 never stops early. */
const PatienceInput = z.number().int().min(0).max(MAX_PATIENCE);
const TrainingStopSchema = z.object({
  reason: z.enum(['budget', 'early stop']),
  epoch: z.number(),
  epochs: z.number(),
  patience: z.number(),
  bestEpoch: z.number(),
});
const PlacementInput = z.enum(['post-activation', 'pre-activation']);
/** One variant of a study's units: the choices it changes (shared/study-variants.ts); at least one. */
const VariantInput = z
  .strictObject({
    placement: PlacementInput.optional(),
    layers: z.array(LayerName).min(1).max(64).optional(),
    beta: z.number().gt(0).max(1).optional(),
    rank: z.enum(['oracle', 'proxy']).optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), 'a variant changes at least one setting');
/** A learning-rate grid: distinct rates within (0, 10], as tune.ts checks them. */
const TuneGrid = z
  .array(z.number().gt(0).max(10))
  .min(1)
  .max(10)
  .refine((g) => new Set(g).size === g.length, 'each learning rate once');
const AugmentInput = z.strictObject({ flip: z.boolean(), shift: z.number().int().min(0).max(16) });
/** all, or first:<k> conv layers. */
const FineTuneLayersInput = z.string().regex(/^(all|first:[1-9]\d{0,2})$/);

/** The data, mix and budget shared by unit training, fine-tuning and a study (docs/method.md §4). */
const MixedInput = {
  datasetId: DatasetId,
  spec: DistortionSpecSchema.omit({ level: true }),
  levels: Levels,
  epochs: z.number().int().min(1).max(500),
  patience: PatienceInput.optional(),
  batchSize: z.number().int().min(1).max(4096),
  seed: Seed,
  schedule: ScheduleInput.optional(),
  augment: AugmentInput.optional(),
  distortedFraction: z.number().min(0).max(1).optional(),
  validationFraction: z.number().gt(0).max(0.5).optional(),
  trainPerClass: z.number().int().min(1).optional(),
};

const TrainedOutput = z.object({
  modelDir: z.string(),
  bestEpoch: z.number(),
  stop: TrainingStopSchema,
  /** Which images validated: the base model's held-out ones, a seeded split or the dataset's val split. */
  validation: z.enum(VALIDATION_SOURCES),
  trainableParameters: z.number(),
  /** Seconds this run trained (a resumed run: since it resumed). */
  seconds: z.number(),
  /** The epoch the checkpoint had reached when this run resumed it. */
  resumedFrom: z.number().optional(),
  history: z.array(
    z.object({
      epoch: z.number(),
      loss: z.number(),
      accuracy: z.number(),
      valAccuracy: z.array(z.number()),
      valMean: z.number(),
      learningRate: z.number(),
      seconds: z.number(),
      imagesPerSecond: z.number(),
    }),
  ),
  metadata: ModelMetadataSchema,
  /** Where a copy of the model was saved, when the request named a workspace. */
  saved: SavedToSchema.optional(),
});

/** A workspace to keep a copy of a trained model in (models/<id>, registered with its checksums). */
const KeepInWorkspace = PathSchema.optional();

const ArtefactSummarySchema = z.object({
  id: z.string(),
  kind: z.enum(ARTEFACT_KINDS),
  name: z.string(),
  path: z.string(),
  status: z.enum(['complete', 'interrupted']),
  files: z.number(),
  bytes: z.number(),
  createdAt: z.string(),
});
/** An open workspace: its folder (absolute), its manifest, and one line per artefact for the UI's table. */
const OpenWorkspaceSchema = z.object({
  root: z.string(),
  manifest: z.custom<WorkspaceManifest>(
    (v) => typeof v === 'object' && v !== null && 'artefacts' in v,
    'expected a workspace manifest',
  ),
  summary: z.array(ArtefactSummarySchema),
});
const WorkspaceCheckSchema = z.object({
  ok: z.boolean(),
  name: z.string(),
  problems: z.array(z.object({ artefact: z.string().optional(), file: z.string(), problem: z.string() })),
  artefacts: z.array(ArtefactSummarySchema),
});
/** A study's report, with the folder it was written to (in a workspace: studies/<id>, absolute). */
const StudyRunOutputSchema = z.custom<StudyReport & { outDir?: string }>(
  (v) => typeof v === 'object' && v !== null && 'models' in v,
  'expected a study report',
);

export const LevelAccuracySchema = z.object({ level: z.number().optional(), accuracy: z.number() });

export const CONTRACT = {
  /** Which backend and device the engine runs on, for the status bar and every report. */
  'engine.info': {
    job: false,
    input: z.strictObject({}),
    output: z.object({ backend: BackendSchema, version: z.string(), mode: z.enum(['desktop', 'browser']) }),
  },
  /** Opens a dataset (the bundled demo when no path is given) and keeps it open under an id. */
  'dataset.open': {
    job: false,
    input: z.strictObject({
      path: PathSchema.optional(),
      size: z.tuple([z.number().int().min(1).max(4096), z.number().int().min(1).max(4096)]).optional(),
      channels: ChannelsSchema.optional(),
      skipBad: z.boolean().optional(),
      /** CIFAR-100's label set (default fine). */
      labels: z.enum(['fine', 'coarse']).optional(),
    }),
    output: z.object({ datasetId: DatasetId, summary: DatasetSummarySchema }),
  },
  /** Images of a split by index, as raw bytes (thumbnails, the sample panel). */
  'dataset.images': {
    job: false,
    input: z.strictObject({
      datasetId: DatasetId,
      split: SplitSchema,
      indices: z.array(z.number().int().min(0)).min(1).max(MAX_IMAGES_PER_REQUEST),
    }),
    output: ImagesSchema,
  },
  /** Indices of a split's images of one class, in index order (the class filter of the grid). */
  'dataset.classIndices': {
    job: false,
    input: z.strictObject({ datasetId: DatasetId, split: SplitSchema, classIndex: z.number().int().min(0) }),
    output: z.object({ indices: z.array(z.number()) }),
  },
  /** One image clean and distorted, seeded by its index, for the side-by-side panel. */
  'distort.sample': {
    job: false,
    input: z.strictObject({
      datasetId: DatasetId,
      split: SplitSchema,
      index: z.number().int().min(0),
      spec: DistortionSpecSchema,
      seed: Seed,
    }),
    output: z.object({ clean: ImagesSchema, distorted: ImagesSchema }),
  },
  /** Distorts (a stratified subset of) a dataset and writes PNG files into a folder. */
  'distort.write': {
    job: true,
    input: z.strictObject({
      datasetId: DatasetId,
      spec: DistortionSpecSchema,
      seed: Seed,
      splits: z.array(SplitSchema).min(1).optional(),
      perClass: z.number().int().min(1).optional(),
      /** Seed of the perClass subset draw, apart from `seed` so the noise can vary alone (default 0). */
      subsetSeed: Seed.optional(),
      /** Images distorted at once (default 256). */
      batchSize: z.number().int().min(1).max(4096).optional(),
      outDir: PathSchema,
    }),
    output: z.object({ written: z.number(), outDir: z.string() }),
  },
  /** Trains cnn4 on the bundled demo, then measures accuracy clean and at each level of a distortion. */
  'demo.train': {
    job: true,
    input: z.strictObject({
      trainPerClass: z.number().int().min(1).max(1000),
      testPerClass: z.number().int().min(1).max(200),
      epochs: z.number().int().min(1).max(50),
      seed: Seed,
      spec: DistortionSpecSchema.omit({ level: true }),
      levels: Levels,
    }),
    output: z.object({
      rows: z.array(LevelAccuracySchema),
      epochs: z.array(z.object({ epoch: z.number(), loss: z.number(), imagesPerSecond: z.number() })),
      testImages: z.number(),
    }),
  },
  /** Opens a model folder (the shipped demo model when no path is given), validated before it is built. */
  'models.open': {
    job: false,
    input: z.strictObject({ path: PathSchema.optional() }),
    output: z.object({
      modelId: ModelId,
      /** The folder, absolute. */
      path: z.string(),
      metadata: ModelMetadataSchema,
      summary: ModelSummarySchema,
    }),
  },
  /** The models open in the engine (a reloaded page finds them again, with their ids). */
  'models.list': {
    job: false,
    input: z.strictObject({}),
    output: z.object({
      models: z.array(
        z.object({
          modelId: ModelId,
          path: z.string(),
          metadata: ModelMetadataSchema,
          summary: ModelSummarySchema,
        }),
      ),
    }),
  },
  /** Trains a baseline on an open dataset into a new model folder (checkpoints every epoch, resumable). */
  'models.train': {
    job: true,
    input: z.strictObject({
      datasetId: DatasetId,
      arch: z.enum(['cnn4', 'allconv9', 'resnet8', 'resnet20']),
      epochs: z.number().int().min(1).max(500),
      patience: PatienceInput.optional(),
      batchSize: z.number().int().min(1).max(4096),
      seed: Seed,
      optimizer: OptimizerInput,
      schedule: ScheduleInput,
      augment: AugmentInput,
      validationFraction: z.number().min(0).max(0.5),
      trainPerClass: z.number().int().min(1).optional(),
      resume: z.boolean().optional(),
      outDir: PathSchema,
      workspace: KeepInWorkspace,
    }),
    output: z.object({
      modelDir: z.string(),
      bestEpoch: z.number(),
      /** The best epoch's validation accuracy; null when nothing was held out (the last epoch is kept). */
      bestValAccuracy: z.number().nullable(),
      stop: TrainingStopSchema,
      metadata: ModelMetadataSchema,
      saved: SavedToSchema.optional(),
    }),
  },
  /** Accuracy of an open model on an open dataset, clean and at every level (top-1, top-5, per class, confusion). */
  'models.evaluate': {
    job: true,
    input: z.strictObject({
      modelId: ModelId,
      datasetId: DatasetId,
      split: SplitSchema,
      perClass: z.number().int().min(1).optional(),
      spec: DistortionSpecSchema.omit({ level: true }),
      levels: Levels,
      seed: Seed,
      /** Save the result into this workspace (evaluations/<id>.json, registered like a study); the output says where. */
      workspace: PathSchema.optional(),
    }),
    output: EvaluationSchema.extend({ saved: SavedToSchema.optional() }),
  },
  /** Ranks the filters of an open model's conv layers by correction priority (oracle and/or proxy). */
  'rank.filters': {
    job: true,
    input: z
      .strictObject({
        modelId: ModelId,
        datasetId: DatasetId,
        layers: z.array(z.string().min(1).max(128)).min(1).max(256).optional(),
        spec: DistortionSpecSchema.omit({ level: true }),
        levels: Levels,
        seed: Seed,
        /** Ranking images spread evenly over the classes (default 1,000, or the whole split when smaller)… */
        images: RankImages.optional(),
        /** …or images per class (not both). */
        perClass: z.number().int().min(1).max(1000).optional(),
        method: z.enum(['oracle', 'proxy', 'both']),
        /** abs (the authors' tau, the default) or signed. */
        tau: TauKindSchema.optional(),
        /** The order's stability on two disjoint halves of the set (default on), over the top stabilityBeta. */
        stability: z.boolean().optional(),
        stabilityBeta: z.number().gt(0).max(1).optional(),
        /** Save the ranking into this workspace (rankings/<id>.json, rank --out's format); the output says where. */
        workspace: PathSchema.optional(),
      })
      .refine((i) => i.images === undefined || i.perClass === undefined, {
        message: 'give the ranking images or the images per class, not both',
        path: ['images'],
      }),
    output: RankingSchema.extend({ saved: SavedToSchema.optional() }),
  },
  /**
   * Trains DeepCorrect correction units on an open base model (which stays frozen and unchanged): the top beta of
   * each chosen layer's ranking (given, or ranked now by the proxy or the oracle); saved to a new model folder.
   */
  'correct.train': {
    job: true,
    input: z
      .strictObject({
        ...MixedInput,
        modelId: ModelId,
        /** Layers to correct (default: every layer of the orders or ranking, or every conv layer). */
        layers: z.array(LayerName).min(1).max(64).optional(),
        beta: z.number().gt(0).max(1),
        /** Orders from an earlier ranking (filter indices, most important first)… */
        orders: z.record(LayerName, z.array(z.number().int().min(0)).max(4096)).optional(),
        /** …or a saved ranking file (rank.open's), else ranked now by rankMethod. */
        ranking: PathSchema.optional(),
        rankMethod: z.enum(['proxy', 'oracle']).optional(),
        rankPerClass: z.number().int().min(1).max(1000).optional(),
        placement: PlacementInput.optional(),
        optimizer: OptimizerInput.optional(),
        /** Continue from the epoch checkpoint in outDir (a cancelled run's). */
        resume: z.boolean().optional(),
        outDir: PathSchema,
        workspace: KeepInWorkspace,
      })
      .refine((i) => i.orders === undefined || i.ranking === undefined, {
        message: 'give the orders or a ranking file, not both',
      }),
    output: TrainedOutput,
  },
  /** The fine-tuning baseline under the same data and budget: a copy of the open model, all or the first k conv layers. */
  'finetune.train': {
    job: true,
    input: z.strictObject({
      ...MixedInput,
      modelId: ModelId,
      layers: FineTuneLayersInput,
      optimizer: OptimizerInput.optional(),
      resume: z.boolean().optional(),
      outDir: PathSchema,
      workspace: KeepInWorkspace,
    }),
    output: TrainedOutput,
  },
  /**
   * The whole comparison on one distortion (deepcorrect study): baseline, ranking, units, fine-tuning, each
   * tested; writes report.json, report.html, the ranking and both models into outDir; resumable.
   */
  'study.run': {
    job: true,
    input: z
      .strictObject({
        ...MixedInput,
        modelId: ModelId,
        levelsName: z.string().min(1).max(200).optional(),
        /** Layers to correct (default: the first two conv layers). */
        layers: z.array(LayerName).min(1).max(64).optional(),
        beta: z.number().gt(0).max(1),
        /** Repeat the comparison over this many seeds (seed, seed + 1, ...); default 1. */
        seeds: z.number().int().min(1).max(MAX_STUDY_SEEDS).optional(),
        rankMethod: z.enum(['proxy', 'oracle', 'both']),
        /** Ranking images spread evenly over the classes (default 1,000, or the whole train split when smaller)… */
        rankImages: RankImages.optional(),
        /** …or images per class (not both). */
        rankPerClass: z.number().int().min(1).max(1000).optional(),
        /** The ranking's tau: abs (the authors', the default) or signed. */
        rankTau: TauKindSchema.optional(),
        /** Units before or after the corrected layer's activation (default after). */
        placement: PlacementInput.optional(),
        /** Learning-rate grids tried per method on the validation split; each keeps its best (default: none). */
        tune: z.strictObject({ units: TuneGrid, fineTune: TuneGrid }).optional(),
        /** Variants of the units trained beside the study's own in every seed (the ablation)… */
        variants: z.array(VariantInput).max(MAX_STUDY_VARIANTS).optional(),
        /** …and/or the standard ablation (study-variants.ts ablationVariants) added to them. */
        ablation: z.boolean().optional(),
        fineTuneLayers: FineTuneLayersInput,
        unitOptimizer: OptimizerInput,
        fineTuneOptimizer: OptimizerInput,
        testPerClass: z.number().int().min(1).optional(),
        resume: z.boolean().optional(),
        /** With workspace and resume: the study to resume (default: the newest interrupted one with these settings). */
        studyId: z.string().min(1).max(200).optional(),
        /**
         * Run only this seed of the study's `seeds` (counted from 0, as Slurm's array task ids), writing only
         * that seed's files into outDir; `deepcorrect study merge` writes the report once every seed has run.
         */
        seedIndex: z
          .number()
          .int()
          .min(0)
          .max(MAX_STUDY_SEEDS - 1)
          .optional(),
        /** A ranking file (the format of `deepcorrect rank --out`) every seed follows instead of ranking. */
        ranking: PathSchema.optional(),
        /** A plain study folder… */
        outDir: PathSchema.optional(),
        /** …or a workspace: the study goes to <workspace>/studies/<id>, registered there (exactly one of the two). */
        workspace: PathSchema.optional(),
      })
      .refine((i) => (i.outDir === undefined) !== (i.workspace === undefined), {
        message: 'give exactly one of outDir (a study folder) and workspace (a workspace folder)',
      })
      .refine((i) => i.rankImages === undefined || i.rankPerClass === undefined, {
        message: 'give the ranking images or the ranking images per class, not both',
        path: ['rankImages'],
      })
      .refine((i) => i.seedIndex === undefined || i.seedIndex < (i.seeds ?? 1), {
        message: 'seedIndex counts from 0 and must be below seeds',
        path: ['seedIndex'],
      })
      .refine((i) => i.seedIndex === undefined || i.workspace === undefined, {
        message: 'a seed of a study runs into a study folder (outDir); the merge registers it in a workspace',
        path: ['seedIndex'],
      }),
    output: StudyRunOutputSchema,
  },
  /**
   * One image's post-activation maps at a conv layer: clean, distorted and (with a corrected model) corrected,
   * with their differences; planes are float32 little-endian bytes, filters x height x width.
   */
  'inspect.activations': {
    job: false,
    input: z.strictObject({
      modelId: ModelId,
      correctedModelId: ModelId.optional(),
      datasetId: DatasetId,
      split: SplitSchema,
      index: z.number().int().min(0),
      layer: LayerName,
      spec: DistortionSpecSchema,
      seed: Seed,
      filters: z.array(z.number().int().min(0)).min(1).max(4096).optional(),
    }),
    output: ActivationMapsSchema,
  },
  /**
   * The oracle experiment (docs/method.md §2): per layer, the top fraction of its ranked filters get their clean
   * maps on distorted test images; accuracy per level for each fraction.
   */
  'rank.experiment': {
    job: true,
    input: z.strictObject({
      modelId: ModelId,
      datasetId: DatasetId,
      spec: DistortionSpecSchema.omit({ level: true }),
      levels: Levels,
      seed: Seed,
      /** Each layer's filter order, most important first (from rank.filters). */
      orders: z.record(LayerName, z.array(z.number().int().min(0)).min(1).max(4096)),
      /**
       * The ranked model's weights hash, as the ranking records it: the experiment refuses a model with other
       * weights (the same architecture retrained, or fine-tuned), whose filters the orders do not describe.
       */
      weightsSha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .optional(),
      fractions: z.array(z.number().gt(0).max(1)).min(1).max(20).optional(),
      evalPerClass: z.number().int().min(1).max(1000).optional(),
      split: SplitSchema.optional(),
      /** Save the result into this workspace (experiments/<id>.json); the output says where. */
      workspace: PathSchema.optional(),
    }),
    output: ExperimentSchema.extend({ saved: SavedToSchema.optional() }),
  },
  /**
   * A saved filter ranking (a rankings/<id>.json artefact of a workspace, a study's ranking.json or the file of
   * `deepcorrect rank --out`), read and checked against the ranking schema.
   */
  'rank.open': {
    job: false,
    input: z.strictObject({ path: PathSchema }),
    /** With the oracle experiment saved beside the ranking (`deepcorrect rank --experiment --out`), if any. */
    output: z.object({ path: z.string(), ranking: RankingSchema, experiment: ExperimentSchema.optional() }),
  },
  /**
   * A result a job saved into a workspace (evaluations/<id>.json, experiments/<id>.json), read and checked;
   * with the model's and the dataset's folders where their recorded paths still lead somewhere (null where the
   * file records a folder's name only).
   */
  'result.open': {
    job: false,
    input: z.strictObject({ path: PathSchema }),
    output: z.object({
      path: z.string(),
      saved: SavedResultSchema,
      modelPath: z.string().nullable(),
      datasetPath: z.string().nullable(),
    }),
  },
  /**
   * A finished study's report.json and its self-contained report.html, from a study folder. `html: false` skips
   * the page (its first rendering loads the chart library: seconds), for views that show the report only.
   */
  'study.open': {
    job: false,
    input: z.strictObject({ path: PathSchema, html: z.boolean().optional() }),
    output: z.object({ path: z.string(), report: StudyReportSchema, html: z.string().optional() }),
  },
  /**
   * Opens a workspace for browsing (read-only: no lock, so two app instances can look at one workspace; a job
   * that writes into it takes the lock only while it writes). `create` makes a new one in the folder first.
   */
  'workspace.open': {
    job: false,
    input: z.strictObject({
      path: PathSchema,
      create: z.boolean().optional(),
      name: z.string().min(1).max(200).optional(),
    }),
    output: OpenWorkspaceSchema,
  },
  /** The demo workspace (created from the bundled resources on first run), opened read-only. */
  'workspace.demo': {
    job: false,
    input: z.strictObject({}),
    output: OpenWorkspaceSchema,
  },
  /** Checks every file of a workspace against its manifest (sizes, SHA-256, model folders). */
  'workspace.check': {
    job: false,
    input: z.strictObject({ path: PathSchema }),
    output: WorkspaceCheckSchema,
  },
  /** Removes an interrupted artefact (its files and its entry); returns the workspace as it is now. */
  'workspace.discard': {
    job: false,
    input: z.strictObject({ path: PathSchema, artefactId: z.string().min(1).max(200) }),
    output: OpenWorkspaceSchema,
  },
  /**
   * One folder of the allowed folders (none given: the allowed folders themselves), each entry classified: a
   * dataset with its classes, a model with its architecture, a workspace, a study, a ranking file, a plain
   * folder or file, or unreadable; links are judged where they lead, and one leading outside is not followed.
   */
  'fs.browse': {
    job: false,
    input: z.strictObject({
      path: PathSchema.optional(),
      /** The allowed folders: set by the gate from its policy; whatever a client sends here is replaced. */
      roots: z.array(BrowseRootSchema).max(256).optional(),
    }),
    output: BrowseListingSchema,
  },
  /** Every job the engine host knows of this session, newest last. */
  'jobs.list': {
    job: false,
    input: z.strictObject({}),
    output: JobListSchema,
  },
  /** Cancels a queued or running job; it ends as 'cancelled' within a second. */
  'jobs.cancel': {
    job: false,
    input: z.strictObject({ jobId: z.string().min(1).max(64) }),
    output: z.object({ cancelled: z.boolean() }),
  },
} as const;

export type Contract = typeof CONTRACT;
export type RequestName = keyof Contract;
export type RequestInput<N extends RequestName> = z.infer<Contract[N]['input']>;
export type RequestOutput<N extends RequestName> = z.infer<Contract[N]['output']>;
export type JobName = { [N in RequestName]: Contract[N]['job'] extends true ? N : never }[RequestName];
export type QuickName = Exclude<RequestName, JobName>;

export const REQUEST_NAMES = Object.keys(CONTRACT) as RequestName[];

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.hasOwn(CONTRACT, name);
}
