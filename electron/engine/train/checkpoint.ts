import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { ModelMetadata } from '../models/metadata.ts';
import {
  differencesOf,
  finiteOrNaN,
  loadOptimizerAt,
  loadWeightsAt,
  readCheckpointAt,
  writeCheckpointAt,
  type CheckpointKind,
  type StoredState,
} from './checkpoint-store.ts';
import type { EpochSummary } from './epoch-summary.ts';

/** The baseline trainer's checkpoint, in <out>/checkpoint/ (layout: checkpoint-store.ts). */
export const CHECKPOINT_FOLDER = 'checkpoint';

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
  loss: finiteOrNaN,
  accuracy: finiteOrNaN,
  valLoss: finiteOrNaN,
  valAccuracy: finiteOrNaN,
  learningRate: z.number(),
  seconds: z.number(),
  imagesPerSecond: finiteOrNaN,
});

const BASELINE: CheckpointKind<CheckpointSettings, EpochSummary> = {
  trainer: 'train',
  settings: settingsSchema,
  record: summarySchema,
  fixed: FIXED_SETTINGS,
};

export type CheckpointState = StoredState<CheckpointSettings, EpochSummary>;

export function checkpointDir(outDir: string): string {
  return path.join(outDir, CHECKPOINT_FOLDER);
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
export function writeCheckpoint(outDir: string, input: CheckpointInput): Promise<CheckpointState> {
  return writeCheckpointAt(checkpointDir(outDir), BASELINE, input);
}

/** The committed checkpoint in <outDir>/checkpoint, or undefined when there is none. */
export function readCheckpoint(outDir: string): Promise<CheckpointState | undefined> {
  return readCheckpointAt(checkpointDir(outDir), BASELINE);
}

/** Settings of `wanted` that differ from the checkpoint's, as "name: checkpoint vs wanted" lines. */
export function settingDifferences(saved: CheckpointSettings, wanted: CheckpointSettings): string[] {
  return differencesOf(FIXED_SETTINGS, saved, wanted);
}

/** Copies the weights saved in a checkpoint folder into `model` (same architecture and shapes). */
export function loadCheckpointWeights(outDir: string, folder: string, model: tf.LayersModel): Promise<void> {
  return loadWeightsAt(checkpointDir(outDir), folder, model);
}

/** Restores a checkpoint folder's optimizer slots into a fresh optimizer of the same kind. */
export function loadCheckpointOptimizer(
  outDir: string,
  folder: string,
  optimizer: tf.Optimizer,
): Promise<void> {
  return loadOptimizerAt(checkpointDir(outDir), folder, optimizer);
}
