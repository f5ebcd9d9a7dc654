/**
 * The files of the results a job saves into a workspace beside its rankings and studies: an evaluation
 * (evaluations/<id>.json) and an oracle experiment (experiments/<id>.json). Each keeps what was measured, with
 * the settings it was measured under and which model and dataset, so that the Evaluation and Ranking views can
 * show it again after a restart without the engine. A ranking is saved in the format of `deepcorrect rank
 * --out` (rankings/<id>.json), which rank.open and `correct --ranking` already read. Shared by the engine
 * (writing, and reading with these schemas: a file is data from disk) and the UI.
 */
import { z } from 'zod';
import {
  DistortionLevelSchema,
  DistortionSpecSchema,
  EvaluationSchema,
  ExperimentSchema,
  SplitSchema,
} from './bridge/schemas.ts';

export const SAVED_EVALUATION_FORMAT = 'deepcorrect-evaluation';
export const SAVED_EXPERIMENT_FORMAT = 'deepcorrect-experiment';

/** A model or dataset a result was measured on: its path as recorded (io/recorded-path.ts) and its name. */
const SourceSchema = z.object({
  /** Bundled (`resources/...`), relative to the workspace, a folder name alone, or absolute (--record-paths). */
  path: z.string(),
  /** What the UI calls it: the model's architecture and folder, the dataset's name. */
  name: z.string(),
});

const Spec = DistortionSpecSchema.omit({ level: true });
const Levels = z.array(DistortionLevelSchema).min(1);

export const SavedEvaluationSchema = z.object({
  format: z.literal(SAVED_EVALUATION_FORMAT),
  version: z.literal(1),
  model: SourceSchema,
  dataset: SourceSchema,
  /** models.evaluate's settings (its input without the ids of what was open). */
  settings: z.object({
    split: SplitSchema,
    perClass: z.number().int().min(1).optional(),
    spec: Spec,
    levels: Levels,
    seed: z.number().int().min(0),
  }),
  backend: z.string(),
  createdAt: z.string(),
  result: EvaluationSchema,
});
export type SavedEvaluation = z.infer<typeof SavedEvaluationSchema>;

export const SavedExperimentSchema = z.object({
  format: z.literal(SAVED_EXPERIMENT_FORMAT),
  version: z.literal(1),
  model: SourceSchema,
  dataset: SourceSchema,
  /** rank.experiment's settings, the filter orders it was given included. */
  settings: z.object({
    spec: Spec,
    levels: Levels,
    seed: z.number().int().min(0),
    orders: z.record(z.string(), z.array(z.number().int().min(0))),
    fractions: z.array(z.number().gt(0).max(1)).min(1),
    evalPerClass: z.number().int().min(1),
    split: SplitSchema,
  }),
  backend: z.string(),
  createdAt: z.string(),
  result: ExperimentSchema,
});
export type SavedExperiment = z.infer<typeof SavedExperimentSchema>;

export const SavedResultSchema = z.discriminatedUnion('format', [
  SavedEvaluationSchema,
  SavedExperimentSchema,
]);
export type SavedResult = z.infer<typeof SavedResultSchema>;

/** Where a job's result was saved: the `saved` field of its output when the request named a workspace. */
export const SavedToSchema = z.object({
  /** The workspace folder, absolute, and its name. */
  workspace: z.string(),
  workspaceName: z.string(),
  artefactId: z.string(),
  /** The artefact's name in the workspace's list. */
  name: z.string(),
  /** The artefact's file, relative to the workspace. */
  path: z.string(),
});
export type SavedTo = z.infer<typeof SavedToSchema>;

/** A distortion's levels for a one-line summary: `0.5, 1, 1.5` (at most a few, then how many more). */
function levelsText(levels: readonly number[]): string {
  const shown = levels.slice(0, 6).map((l) => String(l));
  return levels.length > 6 ? `${shown.join(', ')} and ${levels.length - 6} more` : shown.join(', ');
}

/**
 * The settings of a saved result in one line, for the workspace's list: what differs between two runs of the
 * same model (distortion, levels, images, seed; the method of a ranking).
 */
export function settingsSummary(s: {
  kind: string;
  levels: readonly number[];
  split?: string;
  perClass?: number;
  images?: number;
  seed: number;
  method?: string;
}): string {
  const parts = [`${s.kind} at ${levelsText(s.levels)}`];
  if (s.method !== undefined) parts.push(`by the ${s.method === 'both' ? 'oracle and the proxy' : s.method}`);
  const images =
    s.perClass !== undefined
      ? `${s.perClass} images a class`
      : s.images !== undefined
        ? `${s.images} images`
        : 'all images';
  parts.push(s.split === undefined ? images : `${s.split} split, ${images}`);
  parts.push(`seed ${s.seed}`);
  return parts.join('; ');
}
