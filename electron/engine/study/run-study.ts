import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../../../shared/backends.ts';
import type { SplitName } from '../../../shared/datasets.ts';
import type { ProgressListener } from '../../../shared/progress.ts';
import { studySeeds, type StudyConfig, type StudyReport } from '../../../shared/study.ts';
import { correctedCount } from '../correct/plan.ts';
import type { PathRecording } from '../io/recorded-path.ts';
import type { FineTuneLayers } from '../correct/fine-tune.ts';
import type { MixedTrainingOptions } from '../correct/train-loop.ts';
import type { Dataset } from '../data/dataset.ts';
import { stratifiedSubset } from '../data/subset.ts';
import { evaluate } from '../eval/evaluate.ts';
import type { ModelMetadata } from '../models/metadata.ts';
import { expectationProblem } from '../models/model-io.ts';
import { summarize } from '../models/summary.ts';
import { checkEveryClass } from '../rank/images.ts';
import { chooseLayers } from '../rank/rank-filters.ts';
import { assembleReport, type SeedRun } from './assemble-report.ts';
import { rankingSizeProblem } from '../../../shared/ranking-size.ts';
import { reportHtml } from './report-page.ts';
import { checkGrid } from './tune.ts';
import {
  runSeed,
  variantRankingStage,
  variantOnlyLayers,
  variantStage,
  type StudyRunContext,
} from './seed-run.ts';
import { variantsProblem } from '../../../shared/study-variants.ts';
import { StageProgress } from './stage-progress.ts';
import { StudyFolder } from './study-folder.ts';
import { checkGivenRanking, type GivenRanking } from './given-ranking.ts';
import { seedIndexProblem } from './seed-index.ts';
import { finishSeedTask, openSeedTask, refreshSeedTasks } from './seed-task.ts';
import { weightsSha256 } from '../models/weights-hash.ts';
import { seedLayout, type SeedLayout } from './study-layout.ts';

export interface StudyOptions extends Pick<
  MixedTrainingOptions,
  'schedule' | 'distortedFraction' | 'augment' | 'validationFraction' | 'replicas' | 'patience'
> {
  /** What to study; its levels, seed, epochs, batch size and subsets drive every stage. */
  config: StudyConfig;
  /** The base model; its folder (`path`) is what the trained models' provenance names (else config.model). */
  base: { model: tf.LayersModel; metadata: ModelMetadata; path?: string };
  dataset: Dataset;
  outDir: string;
  resume?: boolean;
  /**
   * Run only the seed at this index of the config's seeds (from 0): one task of a study split by seed
   * (seed-task.ts), which writes that seed's files alone; `mergeStudy` writes the report once all have run.
   */
  seedIndex?: number;
  /** A ranking every seed follows instead of ranking (given-ranking.ts); config.ranking records it. */
  ranking?: GivenRanking;
  unitOptimizer: MixedTrainingOptions['optimizer'];
  fineTuneOptimizer: MixedTrainingOptions['optimizer'];
  fineTuneLayers: FineTuneLayers;
  backend: BackendName;
  device: string;
  command?: string;
  /** How paths are recorded in the seeds' models, and what config's are relative to (io/recorded-path.ts). */
  paths?: PathRecording;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** One line per stage started, skipped or finished (the CLI prints them). */
  onLog?: (line: string) => void;
}

/** Relative stage times measured on the demo (evaluation 12 s, units 230 s, fine-tuning 81 s at 3 epochs). */
function stageWeights(
  config: StudyConfig,
  layouts: readonly SeedLayout[],
  extra: readonly string[],
  given: boolean,
): Record<string, number> {
  const ranking = given ? 0.01 : config.rankMethod === 'proxy' ? 0.2 : 4;
  const units = 1 + 6 * config.epochs;
  const weights: Record<string, number> = {
    baseline: 1,
    ranking,
    deepcorrect: units,
    'fine-tuned': 1 + 2.3 * config.epochs,
  };
  if (extra.length > 0) weights[variantRankingStage(extra)] = (ranking * extra.length) / config.layers.length;
  for (const v of config.variants ?? []) weights[variantStage(v)] = units;
  return Object.fromEntries(
    layouts.flatMap((l) => Object.entries(weights).map(([name, w]) => [l.stage(name), w] as const)),
  );
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
  if (config.tune) {
    checkGrid(config.tune.units, '--tune-units');
    checkGrid(config.tune.fineTune, '--tune-finetune');
  }
  chooseLayers(o.base.model, config.layers); // throws on a layer that is not a conv layer
  if (config.layers.length === 0) throw new Error('a study needs at least one conv layer to correct');
  if (config.variants !== undefined) {
    const problem = variantsProblem(config, config.variants);
    if (problem !== undefined) throw new RangeError(problem);
    for (const v of config.variants) if (v.layers !== undefined) chooseLayers(o.base.model, v.layers);
  }
  const seeds = studySeeds(config);
  if (seeds.length === 0 || new Set(seeds).size !== seeds.length || seeds[0] !== config.seed)
    throw new Error(
      `seeds must be distinct and start with the study's seed ${config.seed}: ${seeds.join(', ')}`,
    );
  if (o.seedIndex !== undefined) {
    const problem = seedIndexProblem(o.seedIndex, seeds.length);
    if (problem !== undefined) throw new RangeError(problem);
  }
  if (o.ranking !== undefined) await checkGivenRanking(o.ranking, config, o.base.model);
  else if (config.ranking !== undefined)
    throw new RangeError(
      `the study's config records the ranking file ${config.ranking.file}, which was not given`,
    );
  if (!dataset.summary.splits.some((s) => s.name === config.testSplit && s.count > 0))
    throw new Error(`${dataset.summary.path} has no ${config.testSplit} split to test on`);
  if (!dataset.summary.splits.some((s) => s.name === 'train' && s.count > 0))
    throw new Error(`${dataset.summary.path} has no train split to rank and train on`);
  const labels = await checkEveryClass(dataset, 'train');
  if (config.rankImages !== undefined) {
    const problem = rankingSizeProblem(
      config.rankImages,
      labels.length,
      classes.length,
      'rankImages',
      'train',
    );
    if (problem !== undefined) throw new RangeError(problem);
  }
}

/** The config of a study of the one seed `seed` alone: how a seed task shows its own figures. */
function oneSeed(config: StudyConfig, seed: number): StudyConfig {
  const { seeds: _seeds, ...rest } = config;
  return { ...rest, seed };
}

/**
 * The whole comparison of docs/method.md on one distortion, once per seed: the baseline's accuracy clean and
 * per level, the filter ranking, correction units on the top beta of the chosen layers, fine-tuning under the
 * same data and budget, each tested on the same images; then the report over the seeds (report.json,
 * report.html) with each model's spread and DeepCorrect's paired tests against fine-tuning. Every stage of
 * every seed is a checkpoint (see StudyFolder): cancelling keeps the finished stages, and `resume` continues
 * from them. With `seedIndex`, only that seed runs, as one task of a study split by seed (seed-task.ts): it
 * records its results in its seed's folder and returns its own figures; merge-study.ts writes the report.
 */
export async function runStudy(o: StudyOptions): Promise<StudyReport> {
  await check(o);
  const started = performance.now();
  const { config, dataset, signal } = o;
  const all = studySeeds(config).map((s) => seedLayout(config, s));
  const task =
    o.seedIndex === undefined ? undefined : { index: o.seedIndex, layout: all[o.seedIndex] as SeedLayout };
  const layouts = task === undefined ? all : [task.layout];
  const folder =
    task === undefined
      ? await StudyFolder.open(o.outDir, config, o.resume ?? false, o.paths)
      : await openSeedTask(o.outDir, config, task.layout, task.index, o.resume ?? false, o.paths);
  const extra = variantOnlyLayers(
    config,
    summarize(o.base.model).convLayers.map((c) => c.name),
  );
  const progress = new StageProgress(
    stageWeights(config, layouts, extra, o.ranking !== undefined),
    o.onProgress,
  );
  const split = config.testSplit as SplitName;
  // The same test images for every seed (drawn with the first seed): seeds vary the method, not the exam.
  const testIndices =
    config.testPerClass === undefined
      ? undefined
      : stratifiedSubset(
          await dataset.labels(split),
          config.testPerClass,
          config.seed,
          dataset.summary.classes.length,
        );
  const context: StudyRunContext = {
    options: o,
    folder,
    progress,
    timings: [],
    log: o.onLog ?? (() => undefined),
    variantOnlyLayers: extra,
    test: (model, seed, onProgress) =>
      evaluate({
        model,
        dataset,
        split,
        ...(testIndices === undefined ? {} : { indices: testIndices }),
        spec: { kind: config.kind },
        levels: config.levels,
        seed,
        perImage: true,
        ...(signal ? { signal } : {}),
        onProgress,
      }),
  };
  const runs: SeedRun[] = [];
  for (const layout of layouts) runs.push(await runSeed(context, layout));

  const parts = {
    backend: o.backend,
    device: o.device,
    ...(o.command === undefined ? {} : { command: o.command }),
    classes: dataset.summary.classes,
    baseParameters: summarize(o.base.model).parameters,
    timings: context.timings,
    seconds: (performance.now() - started) / 1000,
  };
  if (task !== undefined) {
    const [{ layout: _layout, ...run }] = runs as [SeedRun];
    await finishSeedTask(folder, task.layout, task.index, config, {
      ...parts,
      baseWeightsSha256: await weightsSha256(o.base.model),
      run,
    });
    // The seed's own figures, for the task's log: the study's report waits for the merge.
    return assembleReport({ ...parts, config: oneSeed(config, task.layout.seed), runs });
  }
  const { timings: _timings, seconds: _seconds, ...shared } = parts;
  await refreshSeedTasks(path.resolve(o.outDir), folder, config, runs, shared, context.timings, () =>
    weightsSha256(o.base.model),
  );
  const report = assembleReport({ ...parts, config, runs });
  await folder.writeJson('report.json', report);
  await folder.writeText('report.html', await reportHtml(report));
  return report;
}
