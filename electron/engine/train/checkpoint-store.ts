import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { writeFileAtomic } from '../io/atomic-write.ts';
import type { ModelMetadata } from '../models/metadata.ts';
import { loadModel, saveModel } from '../models/model-io.ts';
import { restoreOptimizerState, saveOptimizerState } from './optimizer.ts';
import { recordedNow } from '../io/recorded-time.ts';

/**
 * A training run's checkpoint folder, shared by the baseline trainer and the mixed (units, fine-tuning) one:
 *   epoch-0007/        model (saveModel) + optimizer.bin and optimizer.json (the optimizer's slots) after epoch 7
 *   epoch-0005/        the best epoch so far, kept while it is the best
 *   state.json         written last: trainer, settings, which folders hold the latest and the best epoch, history
 * Every file is written atomically, and state.json only names a folder once all of its files are on disk, so a
 * run killed at any moment leaves the previous complete checkpoint readable (a half-written folder is ignored
 * and removed by the next write). Each trainer describes its settings and epoch records with a CheckpointKind.
 */
const STATE_FILE = 'state.json';
const OPTIMIZER_BIN = 'optimizer.bin';
const OPTIMIZER_JSON = 'optimizer.json';

export type SettingValue = string | number | null;

export interface CheckpointKind<S extends Record<string, SettingValue>, H> {
  /** Recorded in state.json, so one trainer refuses another's checkpoint with a clear message. */
  trainer: string;
  settings: z.ZodType<S>;
  record: z.ZodType<H>;
  /** Settings a resumed run must match; the others are informational. */
  fixed: readonly (keyof S & string)[];
}

export interface StoredState<S, H> {
  format: 'deepcorrect-checkpoint';
  version: 1;
  trainer: string;
  settings: S;
  /** Epochs completed. */
  epoch: number;
  /** Folder of the weights and optimizer slots after `epoch`. */
  latest: string;
  /** valAccuracy: the selection score (the mixed trainer's mean over clean and every level). */
  best: { epoch: number; folder: string; valAccuracy: number };
  history: H[];
  savedAt: string;
}

/** Nullable numbers read back as NaN: JSON has no NaN, toJson writes it as null. */
export const finiteOrNaN = z
  .number()
  .nullable()
  .transform((v) => v ?? NaN);

function stateSchema<S extends Record<string, SettingValue>, H>(kind: CheckpointKind<S, H>) {
  return z.object({
    format: z.literal('deepcorrect-checkpoint'),
    version: z.literal(1),
    // Written by every trainer since the mixed one was added; older (baseline) states lack it.
    trainer: z.string().default('train'),
    settings: kind.settings,
    epoch: z.number().int().min(1),
    latest: z.string(),
    best: z.object({ epoch: z.number().int().min(1), folder: z.string(), valAccuracy: finiteOrNaN }),
    history: z.array(kind.record),
    savedAt: z.string(),
  });
}

export function epochFolder(epoch: number): string {
  return `epoch-${String(epoch).padStart(4, '0')}`;
}

/** JSON without NaN (it has no such value): non-finite numbers are written as null and read back as NaN. */
function toJson(value: unknown): string {
  return `${JSON.stringify(value, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}

export interface StoreInput<S, H> {
  model: tf.LayersModel;
  /** Metadata saved with the epoch's model (provenance of the epoch so far). */
  metadata: ModelMetadata;
  optimizer: tf.Optimizer;
  settings: S;
  epoch: number;
  history: H[];
  /** The best epoch so far (this one or an earlier one whose folder is still kept). */
  best: { epoch: number; valAccuracy: number };
}

/** Writes the state after `epoch` into the checkpoint folder `root` and commits it; returns the state. */
export async function writeCheckpointAt<S extends Record<string, SettingValue>, H>(
  root: string,
  kind: CheckpointKind<S, H>,
  input: StoreInput<S, H>,
): Promise<StoredState<S, H>> {
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
  const state: StoredState<S, H> = {
    format: 'deepcorrect-checkpoint',
    version: 1,
    trainer: kind.trainer,
    settings: input.settings,
    epoch: input.epoch,
    latest,
    best: { ...input.best, folder: epochFolder(input.best.epoch) },
    history: input.history,
    savedAt: recordedNow(),
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

/** The committed checkpoint in the folder `root`, or undefined when there is none. */
export async function readCheckpointAt<S extends Record<string, SettingValue>, H>(
  root: string,
  kind: CheckpointKind<S, H>,
): Promise<StoredState<S, H> | undefined> {
  const file = path.join(root, STATE_FILE);
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not a valid checkpoint state (${String(error)})`, { cause: error });
  }
  const trainer = (json as { trainer?: unknown }).trainer ?? 'train';
  if (trainer !== kind.trainer)
    throw new Error(
      `${file}: a checkpoint of deepcorrect ${JSON.stringify(trainer)}, not of ${kind.trainer}`,
    );
  let parsed: StoredState<S, H>;
  try {
    parsed = stateSchema(kind).parse(json);
  } catch (error) {
    throw new Error(
      `${file}: not a valid checkpoint state (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
  for (const folder of [parsed.latest, parsed.best.folder]) {
    const dir = path.join(root, folder);
    if (!(await stat(dir).catch(() => undefined))?.isDirectory())
      throw new Error(`${file}: names ${folder}, which is missing: the checkpoint is incomplete`);
  }
  return parsed;
}

/** The names in a folder; none when it does not exist (a fresh run may write into a new folder). */
export async function folderEntries(dir: string): Promise<string[]> {
  return readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
}

/** Settings of `wanted` that differ from the checkpoint's, as "name: checkpoint vs wanted" lines. */
export function differencesOf<S extends Record<string, SettingValue>>(
  fixed: readonly (keyof S & string)[],
  saved: S,
  wanted: S,
): string[] {
  return fixed
    .filter((key) => saved[key] !== wanted[key])
    .map((key) => `${key}: ${String(saved[key])} in the checkpoint, ${String(wanted[key])} now`);
}

/**
 * Copies the weights saved in a checkpoint folder into `model` (same architecture), layer by layer by name,
 * so the result does not hang on the order getWeights() lists trainable and frozen weights in.
 */
export async function loadWeightsAt(root: string, folder: string, model: tf.LayersModel): Promise<void> {
  const saved = await loadModel(path.join(root, folder));
  try {
    for (const layer of model.layers) {
      const weights = saved.model.getLayer(layer.name).getWeights();
      if (weights.length > 0) layer.setWeights(weights);
    }
  } finally {
    saved.model.dispose();
  }
}

/** Restores a checkpoint folder's optimizer slots into a fresh optimizer of the same kind. */
export async function loadOptimizerAt(root: string, folder: string, optimizer: tf.Optimizer): Promise<void> {
  const dir = path.join(root, folder);
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
