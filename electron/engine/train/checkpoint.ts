import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { writeFileAtomic } from '../io/atomic-write.ts';
import type { ModelMetadata } from '../models/metadata.ts';
import { loadModel, saveModel } from '../models/model-io.ts';
import type { EpochSummary } from './epoch-summary.ts';
import { restoreOptimizerState, saveOptimizerState } from './optimizer.ts';

/**
 * A run's checkpoint, in <out>/checkpoint/:
 *   epoch-0007/        model (saveModel) + optimizer.bin and optimizer.json (the optimizer's slots) after epoch 7
 *   epoch-0005/        the best epoch so far, kept while it is the best
 *   state.json         written last: which folders hold the latest and the best epoch, settings, history
 * Every file is written atomically, and state.json only names a folder once all of its files are on disk, so a
 * run killed at any moment leaves the previous complete checkpoint readable (a half-written folder is ignored
 * and removed by the next write).
 */
export const CHECKPOINT_FOLDER = 'checkpoint';
const STATE_FILE = 'state.json';
const OPTIMIZER_BIN = 'optimizer.bin';
const OPTIMIZER_JSON = 'optimizer.json';

/** Settings that fix the data, the model and the optimizer's slots: a resumed run must match these. */
export const FIXED_SETTINGS = [
  'arch',
  'dataset',
  'batchSize',
  'seed',
  'validationFraction',
  'trainPerClass',
  'optimizer',
] as const;

const finite = z
  .number()
  .nullable()
  .transform((v) => v ?? NaN);

const settingsSchema = z.object({
  arch: z.string(),
  /** The dataset's absolute path. */
  dataset: z.string(),
  batchSize: z.number().int(),
  seed: z.number().int(),
  validationFraction: z.number(),
  trainPerClass: z.number().int().nullable(),
  /** Optimizer class: sgd, momentum or adam (their slots differ). */
  optimizer: z.string(),
  /** Informational: the full optimizer, schedule and augmentation of the run that wrote the checkpoint. */
  epochs: z.number().int(),
  optimizerDescription: z.string(),
  schedule: z.string(),
  augment: z.string(),
});

export type CheckpointSettings = z.infer<typeof settingsSchema>;

const summarySchema = z.object({
  epoch: z.number().int(),
  loss: finite,
  accuracy: finite,
  valLoss: finite,
  valAccuracy: finite,
  learningRate: z.number(),
  seconds: z.number(),
  imagesPerSecond: finite,
});

const stateSchema = z.object({
  format: z.literal('deepcorrect-checkpoint'),
  version: z.literal(1),
  settings: settingsSchema,
  /** Epochs completed. */
  epoch: z.number().int().min(1),
  /** Folder of the weights and optimizer slots after `epoch`. */
  latest: z.string(),
  best: z.object({ epoch: z.number().int().min(1), folder: z.string(), valAccuracy: finite }),
  history: z.array(summarySchema),
  savedAt: z.string(),
});

export type CheckpointState = z.infer<typeof stateSchema>;

export function checkpointDir(outDir: string): string {
  return path.join(outDir, CHECKPOINT_FOLDER);
}

function epochFolder(epoch: number): string {
  return `epoch-${String(epoch).padStart(4, '0')}`;
}

/** JSON without NaN (it has no such value): non-finite numbers are written as null and read back as NaN. */
function toJson(value: unknown): string {
  return `${JSON.stringify(value, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}

export interface CheckpointInput {
  model: tf.LayersModel;
  /** Metadata saved with the epoch's model (provenance of the epoch so far). */
  metadata: ModelMetadata;
  optimizer: tf.Optimizer;
  settings: CheckpointSettings;
  epoch: number;
  history: EpochSummary[];
  /** The best epoch so far (this one or an earlier one whose folder is still kept). */
  best: { epoch: number; valAccuracy: number };
}

/** Writes the state after `epoch` and commits it; returns the committed state. */
export async function writeCheckpoint(outDir: string, input: CheckpointInput): Promise<CheckpointState> {
  const root = checkpointDir(outDir);
  const latest = epochFolder(input.epoch);
  const folder = path.join(root, latest);
  await rm(folder, { recursive: true, force: true }); // a leftover of a run killed while writing it
  await mkdir(folder, { recursive: true });
  await saveModel(input.model, folder, input.metadata);
  const slots = await saveOptimizerState(input.optimizer);
  await writeFileAtomic(path.join(folder, OPTIMIZER_BIN), new Uint8Array(slots.data));
  await writeFileAtomic(
    path.join(folder, OPTIMIZER_JSON),
    toJson({ bytes: slots.data.byteLength, specs: slots.specs }),
  );
  const state: CheckpointState = {
    format: 'deepcorrect-checkpoint',
    version: 1,
    settings: input.settings,
    epoch: input.epoch,
    latest,
    best: { ...input.best, folder: epochFolder(input.best.epoch) },
    history: input.history,
    savedAt: new Date().toISOString(),
  };
  await writeFileAtomic(path.join(root, STATE_FILE), toJson(state));
  await prune(root, new Set([state.latest, state.best.folder]));
  return state;
}

/** Removes epoch folders no longer named by the state, and temporary files of interrupted writes. */
async function prune(root: string, keep: Set<string>): Promise<void> {
  for (const entry of await readdir(root)) {
    if ((/^epoch-\d+$/.test(entry) && !keep.has(entry)) || /^\..*\.tmp$/.test(entry))
      await rm(path.join(root, entry), { recursive: true, force: true });
  }
}

/** The committed checkpoint in <outDir>/checkpoint, or undefined when there is none. */
export async function readCheckpoint(outDir: string): Promise<CheckpointState | undefined> {
  const file = path.join(checkpointDir(outDir), STATE_FILE);
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: CheckpointState;
  try {
    parsed = stateSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new Error(
      `${file}: not a valid checkpoint state (${error instanceof Error ? error.message : String(error)})`,
      {
        cause: error,
      },
    );
  }
  for (const folder of [parsed.latest, parsed.best.folder]) {
    const dir = path.join(checkpointDir(outDir), folder);
    if (!(await stat(dir).catch(() => undefined))?.isDirectory())
      throw new Error(`${file}: names ${folder}, which is missing: the checkpoint is incomplete`);
  }
  return parsed;
}

/** Settings of `wanted` that differ from the checkpoint's, as "name: checkpoint vs wanted" lines. */
export function settingDifferences(saved: CheckpointSettings, wanted: CheckpointSettings): string[] {
  return FIXED_SETTINGS.filter((key) => saved[key] !== wanted[key]).map(
    (key) => `${key}: ${String(saved[key])} in the checkpoint, ${String(wanted[key])} now`,
  );
}

/** Copies the weights saved in a checkpoint folder into `model` (same architecture and shapes). */
export async function loadCheckpointWeights(
  outDir: string,
  folder: string,
  model: tf.LayersModel,
): Promise<void> {
  const saved = await loadModel(path.join(checkpointDir(outDir), folder));
  try {
    model.setWeights(saved.model.getWeights());
  } finally {
    saved.model.dispose();
  }
}

/** Restores a checkpoint folder's optimizer slots into a fresh optimizer of the same kind. */
export async function loadCheckpointOptimizer(
  outDir: string,
  folder: string,
  optimizer: tf.Optimizer,
): Promise<void> {
  const dir = path.join(checkpointDir(outDir), folder);
  const layout = JSON.parse(await readFile(path.join(dir, OPTIMIZER_JSON), 'utf8')) as {
    bytes: number;
    specs: tf.io.WeightsManifestEntry[];
  };
  const bytes = await readFile(path.join(dir, OPTIMIZER_BIN));
  if (bytes.byteLength !== layout.bytes)
    throw new Error(`${path.join(dir, OPTIMIZER_BIN)}: ${bytes.byteLength} bytes, expected ${layout.bytes}`);
  const data = new Uint8Array(bytes).buffer; // a copy the size of the file, as decodeWeights expects
  await restoreOptimizerState(optimizer, { data, specs: layout.specs });
}
