/**
 * The parts of a sharded evaluation (eval/evaluate-shard.ts writes them) and their merge. A part keeps counts,
 * not figures; the merge adds the counts and works the figures out with the function a whole evaluation uses,
 * so the merge of a complete set of parts equals the one-process evaluation in every figure (only the seconds
 * differ). Nothing here loads tfjs: a merge runs without the engine.
 */
import type { SplitName } from '../../../shared/datasets.ts';
import type { DistortionSpec } from '../../../shared/distortions.ts';
import type { ModelMetadata } from '../models/metadata.ts';
import { PartsError, type Part, type ReadPart } from '../shard/part-file.ts';
import { addCounts, evaluationFromCounts, type EvaluationResult } from './evaluation-counts.ts';

/** What every part of one sharded evaluation must share; a merge names the first one that differs. */
export interface EvaluationPartSettings {
  /** The engine's version: another version may distort or predict differently. */
  engine: string;
  /** The weights as loaded (models/weights-hash.ts) and the architecture. */
  model: { weightsSha256: string; arch: string };
  dataset: {
    /** As recorded (io/recorded-path.ts): a bundled dataset as resources/..., any other by its folder name. */
    path: string;
    name: string;
    classes: string[];
    /** Images in the evaluated split. */
    splitImages: number;
    height: number;
    width: number;
    channels: number;
  };
  split: SplitName;
  perClass?: number;
  /** Images of the whole evaluation, over all its shards. */
  images: number;
  distortion: Omit<DistortionSpec, 'level'>;
  levels: number[];
  seed: number;
  /** Images per batch: the shards' boundaries follow it, and some backends' predictions do too. */
  batchSize: number;
}

/** One condition's counts over a shard's images. */
export interface ConditionPartCounts {
  level?: number;
  top1: number;
  top5: number;
  confusion: number[][];
}

export interface EvaluationPartBody {
  /** The shard's images: positions [from, to) in the evaluation's list of images. */
  range: [number, number];
  /** Images the shard read (fewer than its range where a folder dataset opened with skipBad skipped some). */
  images: number;
  conditions: ConditionPartCounts[];
  /** Where the model came from, for the merged result: taken from the first part (a copy may sit elsewhere). */
  model: { path: string; metadata: ModelMetadata };
}

export type EvaluationPart = Part<EvaluationPartSettings, EvaluationPartBody>;

/** A merged evaluation: the figures, the settings the parts shared, and where the model came from. */
export interface MergedEvaluation {
  result: EvaluationResult;
  settings: EvaluationPartSettings;
  model: EvaluationPartBody['model'];
  backend: string;
}

/**
 * The whole evaluation from its parts, as readParts returns them (checked to be one job's, in index order).
 * Also checks what readParts cannot: that the parts' image runs tile the evaluation's list end to end. The
 * seconds are the parts' sum, the compute the whole took.
 */
export function mergeEvaluationParts(
  parts: readonly ReadPart<EvaluationPartSettings, EvaluationPartBody>[],
): MergedEvaluation {
  const [first] = parts;
  if (first === undefined) throw new PartsError('no parts to merge');
  const { settings } = first;
  let next = 0;
  for (const p of parts) {
    const [from, to] = p.body.range;
    if (from !== next || to < from)
      throw new PartsError(
        `${p.file}: shard ${p.shard.index} holds images ${from}..${to}, but the shards before it end at ${next}: the parts were not cut from one list`,
      );
    next = to;
  }
  if (next !== settings.images)
    throw new PartsError(
      `the parts hold images 0..${next} of ${settings.images}: the parts were not cut from one list`,
    );
  const counts = addCounts(
    parts.map((p) => ({
      kind: settings.distortion.kind,
      classes: settings.dataset.classes,
      images: p.body.images,
      conditions: p.body.conditions,
    })),
  );
  return {
    result: evaluationFromCounts(
      counts,
      parts.reduce((s, p) => s + p.seconds, 0),
    ),
    settings,
    model: first.body.model,
    backend: first.backend,
  };
}
