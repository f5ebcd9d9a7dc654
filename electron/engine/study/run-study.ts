import type * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../../../shared/backends.ts';
import type { SplitName } from '../../../shared/datasets.ts';
import type { ProgressListener } from '../../../shared/progress.ts';
import type { StudyConfig, StudyReport, StudyTiming } from '../../../shared/study.ts';
import { correctedCount, planFromRanking } from '../correct/plan.ts';
import { fineTune, type FineTuneLayers } from '../correct/fine-tune.ts';
import { trainCorrection, type TrainedModel } from '../correct/train-correction.ts';
import type { MixedTrainingOptions } from '../correct/train-loop.ts';
import type { Dataset } from '../data/dataset.ts';
import { stratifiedSubset } from '../data/subset.ts';
import { evaluate, type EvaluationResult } from '../eval/evaluate.ts';
import type { ModelMetadata } from '../models/metadata.ts';
import { expectationProblem } from '../models/model-io.ts';
import { summarize } from '../models/summary.ts';
import { checkEveryClass } from '../rank/images.ts';
import { chooseLayers, rankFilters } from '../rank/rank-filters.ts';
import type { RankingResult } from '../rank/types.ts';
import {
  assembleReport,
  CORRECTED_DIR,
  FINE_TUNED_DIR,
  trainingOf,
  type TrainedStage,
} from './assemble-report.ts';
import { reportHtml } from './report-page.ts';
import { StageProgress } from './stage-progress.ts';
import { StudyFolder } from './study-folder.ts';

export interface StudyOptions extends Pick<
  MixedTrainingOptions,
  'schedule' | 'distortedFraction' | 'augment' | 'validationFraction' | 'replicas'
> {
  /** What to study; its levels, seed, epochs, batch size and subsets drive every stage. */
  config: StudyConfig;
  base: { model: tf.LayersModel; metadata: ModelMetadata };
  dataset: Dataset;
  outDir: string;
  resume?: boolean;
  unitOptimizer: MixedTrainingOptions['optimizer'];
  fineTuneOptimizer: MixedTrainingOptions['optimizer'];
  fineTuneLayers: FineTuneLayers;
  backend: BackendName;
  device: string;
  command?: string;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** One line per stage started, skipped or finished (the CLI prints them). */
  onLog?: (line: string) => void;
}

/** Relative stage times measured on the demo (evaluation 12 s, units 230 s, fine-tuning 81 s at 3 epochs). */
function stageWeights(config: StudyConfig): Record<string, number> {
  const rank = config.rankMethod === 'proxy' ? 0.2 : 4;
  return {
    baseline: 1,
    ranking: rank,
    deepcorrect: 1 + 6 * config.epochs,
    'fine-tuned': 1 + 2.3 * config.epochs,
  };
}

/** Refuses bad settings before any work starts. */
async function check(o: StudyOptions): Promise<void> {
  const { config, dataset } = o;
  const { height, width, channels, classes } = dataset.summary;
  const problem = expectationProblem(o.base.metadata.inputShape, o.base.metadata.classes.length, {
    expectInput: [height, width, channels],
    expectClasses: classes.length,
  });
  if (problem !== undefined) throw new Error(`${problem} (${dataset.summary.path})`);
  correctedCount(config.beta, 1); // throws on a beta outside (0, 1]
  chooseLayers(o.base.model, config.layers); // throws on a layer that is not a conv layer
  if (config.layers.length === 0) throw new Error('a study needs at least one conv layer to correct');
  if (!dataset.summary.splits.some((s) => s.name === config.testSplit && s.count > 0))
    throw new Error(`${dataset.summary.path} has no ${config.testSplit} split to test on`);
  if (!dataset.summary.splits.some((s) => s.name === 'train' && s.count > 0))
    throw new Error(`${dataset.summary.path} has no train split to rank and train on`);
  await checkEveryClass(dataset, 'train');
}

/**
 * The whole comparison of method.md on one distortion: the baseline's accuracy clean and per level, the
 * filter ranking, correction units on the top beta of the chosen layers, fine-tuning under the same data and
 * budget, each tested on the same images; written to the study folder as ranking.json, the two model folders,
 * report.json and report.html. Every stage is a checkpoint (see StudyFolder): cancelling keeps the finished
 * stages, and `resume` continues from them.
 */
export async function runStudy(o: StudyOptions): Promise<StudyReport> {
  await check(o);
  const started = performance.now();
  const { config, dataset, base, signal } = o;
  const log = o.onLog ?? (() => undefined);
  const folder = await StudyFolder.open(o.outDir, config, o.resume ?? false);
  const progress = new StageProgress(stageWeights(config), o.onProgress);
  const timings: StudyTiming[] = [];
  const spec = { kind: config.kind };
  const split = config.testSplit as SplitName;
  const testIndices =
    config.testPerClass === undefined
      ? undefined
      : stratifiedSubset(
          await dataset.labels(split),
          config.testPerClass,
          config.seed,
          dataset.summary.classes.length,
        );
  const test = (model: tf.LayersModel, onProgress: ProgressListener): Promise<EvaluationResult> =>
    evaluate({
      model,
      dataset,
      split,
      ...(testIndices === undefined ? {} : { indices: testIndices }),
      spec,
      levels: config.levels,
      seed: config.seed,
      ...(signal ? { signal } : {}),
      onProgress,
    });

  /** Runs a stage unless a finished record of it exists; records its time. */
  async function stage<T>(
    name: string,
    label: string,
    work: (p: ProgressListener) => Promise<T>,
  ): Promise<T> {
    const done = await folder.stage<{ value: T; seconds: number }>(name);
    if (done !== undefined) {
      log(`${label}: done earlier (${done.seconds.toFixed(1)} s), kept`);
      timings.push({ stage: label, seconds: done.seconds });
      progress.skip(name, label);
      return done.value;
    }
    log(`${label}...`);
    const t0 = performance.now();
    const value = await work(progress.stage(name, label));
    const seconds = (performance.now() - t0) / 1000;
    await folder.finishStage(name, { value, seconds });
    timings.push({ stage: label, seconds });
    progress.finish(name, label);
    log(`${label}: ${seconds.toFixed(1)} s`);
    return value;
  }

  const baseline = await stage('baseline', 'baseline evaluation', (p) => test(base.model, p));
  // The ranking lives in ranking.json (the format of `deepcorrect rank --out`), not also in the stage record.
  await stage('ranking', `${config.rankMethod} ranking`, async (p) => {
    const r: RankingResult = await rankFilters({
      model: base.model,
      dataset,
      layers: config.layers,
      spec,
      levels: config.levels,
      seed: config.seed,
      perClass: config.rankPerClass,
      method: config.rankMethod,
      modelName: config.model,
      ...(signal ? { signal } : {}),
      onProgress: p,
    });
    await folder.writeJson('ranking.json', r);
    return null;
  });
  const ranking = await folder.readJson<RankingResult>('ranking.json');
  const plan = planFromRanking(ranking, config.beta, config.layers);
  const common: MixedTrainingOptions = {
    dataset,
    spec,
    levels: config.levels,
    epochs: config.epochs,
    batchSize: config.batchSize,
    seed: config.seed,
    backend: o.backend,
    ...(o.schedule ? { schedule: o.schedule } : {}),
    ...(o.distortedFraction === undefined ? {} : { distortedFraction: o.distortedFraction }),
    ...(o.augment ? { augment: o.augment } : {}),
    ...(o.validationFraction === undefined ? {} : { validationFraction: o.validationFraction }),
    ...(config.trainPerClass === undefined ? {} : { trainPerClass: config.trainPerClass }),
    ...(o.replicas === undefined ? {} : { replicas: o.replicas }),
    ...(signal ? { signal } : {}),
  };
  const trained = async (
    run: (p: ProgressListener) => Promise<TrainedModel>,
    p: ProgressListener,
  ): Promise<TrainedStage> => {
    // Training is most of the stage; its evaluation the last part of the bar.
    const share = config.epochs * 6;
    const result = await run((q) => p({ ...q, fraction: (q.fraction * share) / (share + 1) }));
    try {
      const evaluation = await test(result.model, (q) =>
        p({ ...q, fraction: (share + q.fraction) / (share + 1) }),
      );
      return {
        training: trainingOf(result),
        evaluation,
        trainableParameters: result.trainableParameters,
        parameters: summarize(result.model).parameters,
      };
    } finally {
      result.model.dispose();
    }
  };
  const corrected = await stage('deepcorrect', 'DeepCorrect units', (p) =>
    trained(
      (onProgress) =>
        trainCorrection({
          ...common,
          // A stage cut short left its epoch checkpoints in the model folder: a resumed study continues them.
          resume: o.resume ?? false,
          ...(o.unitOptimizer ? { optimizer: o.unitOptimizer } : {}),
          onProgress,
          model: base.model,
          plan,
          baseMetadata: base.metadata,
          outDir: folder.path(CORRECTED_DIR),
          baseModelPath: config.model,
          beta: config.beta,
          rankingMethod: config.rankMethod,
          ...(o.command === undefined ? {} : { command: o.command }),
        }),
      p,
    ),
  );
  const fineTuned = await stage('fine-tuned', 'fine-tuning', (p) =>
    trained(
      (onProgress) =>
        fineTune({
          ...common,
          resume: o.resume ?? false,
          ...(o.fineTuneOptimizer ? { optimizer: o.fineTuneOptimizer } : {}),
          onProgress,
          model: base.model,
          layers: o.fineTuneLayers,
          baseMetadata: base.metadata,
          outDir: folder.path(FINE_TUNED_DIR),
          baseModelPath: config.model,
          ...(o.command === undefined ? {} : { command: o.command }),
        }),
      p,
    ),
  );

  const report = assembleReport({
    config,
    backend: o.backend,
    device: o.device,
    ...(o.command === undefined ? {} : { command: o.command }),
    classes: dataset.summary.classes,
    baseParameters: summarize(base.model).parameters,
    baseline,
    ranking,
    plan,
    corrected,
    fineTuned,
    timings,
    seconds: (performance.now() - started) / 1000,
  });
  await folder.writeJson('report.json', report);
  await folder.writeText('report.html', await reportHtml(report));
  return report;
}
