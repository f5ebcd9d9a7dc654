/**
 * One shard of an evaluation: a contiguous run of whole batches of the evaluation's images, evaluated under
 * every condition (clean and each level), kept as counts in a part (eval/evaluation-parts.ts merges them).
 */
import type { SplitName } from '../../../shared/datasets.ts';
import type { DistortionSpec } from '../../../shared/distortions.ts';
import type { ProgressListener } from '../../../shared/progress.ts';
import type { Shard } from '../../../shared/shard.ts';
import { APP_VERSION } from '../../../shared/version.ts';
import type { Dataset } from '../data/dataset.ts';
import { recordPath, type PathRecording } from '../io/recorded-path.ts';
import { weightsSha256 } from '../models/weights-hash.ts';
import type { OpenModel } from '../session/models.ts';
import { PART_FORMAT, PART_VERSION } from '../shard/part-file.ts';
import { countEvaluation, EVALUATION_BATCH } from './evaluate.ts';
import { evaluationImages, imageList, shardImageRange } from './evaluation-images.ts';
import type { EvaluationPart, EvaluationPartSettings } from './evaluation-parts.ts';

export interface EvaluationShardOptions {
  model: OpenModel;
  dataset: Dataset;
  split: SplitName;
  perClass?: number;
  spec: Omit<DistortionSpec, 'level'>;
  levels: number[];
  seed: number;
  shard: Shard;
  /** The backend the shard runs on (parts of one merge must share it). */
  backend: string;
  batchSize?: number;
  /** How the model's and dataset's paths are recorded (default: portable). */
  paths?: PathRecording;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

/**
 * Evaluates one shard: the evaluation's images are chosen exactly as a whole evaluation chooses them, cut into
 * whole batches balanced over the shards (eval/evaluation-images.ts), and this shard's run is counted under
 * every condition. Returns the part to write.
 */
export async function evaluateShard(options: EvaluationShardOptions): Promise<EvaluationPart> {
  const started = performance.now();
  const { dataset, split, shard } = options;
  const batchSize = options.batchSize ?? EVALUATION_BATCH;
  const summary = dataset.summary;
  const splitImages = summary.splits.find((s) => s.name === split)?.count ?? 0;
  const list = imageList(await evaluationImages(dataset, split, options.perClass, options.seed), splitImages);
  const range = shardImageRange(list.length, batchSize, shard);
  const counts = await countEvaluation({
    model: options.model.model,
    dataset,
    split,
    indices: list.subarray(range[0], range[1]),
    spec: options.spec,
    levels: options.levels,
    seed: options.seed,
    batchSize,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const settings: EvaluationPartSettings = {
    engine: APP_VERSION,
    model: { weightsSha256: await weightsSha256(options.model.model), arch: options.model.metadata.arch },
    dataset: {
      path: recordPath(summary.path, options.paths),
      name: summary.name,
      classes: summary.classes,
      splitImages,
      height: summary.height,
      width: summary.width,
      channels: summary.channels,
    },
    split,
    ...(options.perClass === undefined ? {} : { perClass: options.perClass }),
    images: list.length,
    distortion: options.spec,
    levels: options.levels,
    seed: options.seed,
    batchSize,
  };
  return {
    format: PART_FORMAT,
    version: PART_VERSION,
    kind: 'evaluate',
    shard,
    settings,
    body: {
      range,
      images: counts.images,
      conditions: counts.conditions.map(({ level, top1, top5, confusion }) => ({
        ...(level === undefined ? {} : { level }),
        top1,
        top5,
        confusion,
      })),
      model: {
        path: recordPath(options.model.path, options.paths),
        metadata: options.model.metadata,
      },
    },
    backend: options.backend,
    seconds: (performance.now() - started) / 1000,
  };
}
