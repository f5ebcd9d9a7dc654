import path from 'node:path';
import { z } from 'zod';
import {
  differencesOf,
  finiteOrNaN,
  readCheckpointAt,
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
  /** The dataset's path as recorded (io/recorded-path.ts; absolute in checkpoints of earlier versions). */
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

export const BASELINE_CHECKPOINT: CheckpointKind<CheckpointSettings, EpochSummary> = {
  trainer: 'train',
  settings: settingsSchema,
  record: summarySchema,
  fixed: FIXED_SETTINGS,
};

export type CheckpointState = StoredState<CheckpointSettings, EpochSummary>;

export function checkpointDir(outDir: string): string {
  return path.join(outDir, CHECKPOINT_FOLDER);
}

/** The committed checkpoint in <outDir>/checkpoint, or undefined when there is none. */
export function readCheckpoint(outDir: string): Promise<CheckpointState | undefined> {
  return readCheckpointAt(checkpointDir(outDir), BASELINE_CHECKPOINT);
}

/** Settings of `wanted` that differ from the checkpoint's, as "name: checkpoint vs wanted" lines. */
export function settingDifferences(saved: CheckpointSettings, wanted: CheckpointSettings): string[] {
  return differencesOf(FIXED_SETTINGS, saved, wanted);
}
