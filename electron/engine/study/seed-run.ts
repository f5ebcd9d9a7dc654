/**
 * One seed's part of a study: the baseline tested, the filters ranked, the units trained and fine-tuning
 * under the same data and budget, each a checkpointed stage of the study folder. The seed drives every
 * draw of its stages: ranking images, distortion draws, the units' and fine-tuning's initialisation and
 * batch order; the base model and the test images are the same for every seed.
 */
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { CORRECT_DEFAULTS, FINE_TUNE_DEFAULTS } from '../../../shared/bridge/defaults.ts';
import type { Progress, ProgressListener } from '../../../shared/progress.ts';
import type { StudyConfig, StudyTiming, StudyTuning } from '../../../shared/study.ts';
import { variantName, variantSettings, type StudyVariant } from '../../../shared/study-variants.ts';
import type { PlanEntry, Placement } from '../correct/build.ts';
import { planFromRanking } from '../correct/plan.ts';
import { fineTune } from '../correct/fine-tune.ts';
import { trainCorrection, type TrainedModel } from '../correct/train-correction.ts';
import type { MixedTrainingOptions } from '../correct/train-loop.ts';
import { resolveRecordedPath } from '../io/recorded-path.ts';
import type { EvaluationResult } from '../eval/evaluate.ts';
import { summarize } from '../models/summary.ts';
import { rankFilters } from '../rank/rank-filters.ts';
import type { RankingResult } from '../rank/types.ts';
import type { OptimizerSpec } from '../train/optimizer.ts';
import { trainingOf, type SeedRun, type TrainedStage, type VariantRun } from './assemble-report.ts';
import { rankingOf } from './given-ranking.ts';
import type { StageProgress } from './stage-progress.ts';
import { storeEvaluation, type StoredEvaluation } from './stored-evaluation.ts';
import { tuneLearningRate } from './tune.ts';
import { CORRECTED_DIR, FINE_TUNED_DIR, variantDir, type SeedLayout } from './study-layout.ts';
import type { StudyFolder } from './study-folder.ts';
import type { StudyOptions } from './run-study.ts';

/** What every seed shares: the study's options, folder, progress bar, timings and the test of a model. */
export interface StudyRunContext {
  options: StudyOptions;
  folder: StudyFolder;
  progress: StageProgress;
  timings: StudyTiming[];
  log: (line: string) => void;
  /** Layers only the ablation's variants correct (variantOnlyLayers), ranked in a stage of their own. */
  variantOnlyLayers: string[];
  /** Tests a model on the study's test images with the seed's distortion draws, per image. */
  test: (model: tf.LayersModel, seed: number, onProgress: ProgressListener) => Promise<EvaluationResult>;
}

/** A tuned run's folder: tune/<method>-lr-<rate> in the seed's folder. */
function tunedDir(layout: SeedLayout, dir: string, learningRate: number): string {
  return layout.file(`tune/${dir}-lr-${learningRate}`);
}

const unitDefault: OptimizerSpec = { ...CORRECT_DEFAULTS.optimizer };
const fineTuneDefault: OptimizerSpec = { ...FINE_TUNE_DEFAULTS.optimizer };

/**
 * The extra ranking of the layers only variants correct, named by those layers (a resume that adds a variant
 * on another layer ranks anew rather than reading a ranking without it), and each variant's stage.
 */
export const variantRankingStage = (layers: readonly string[]): string =>
  `ranking-${variantName({ layers: [...layers] }).replace(/^layers-/, '')}`;
export const variantStage = (v: StudyVariant): string => `variant-${v.name}`;

/** Layers some variant corrects that the study's own ranking did not rank, in the model's order. */
export function variantOnlyLayers(config: StudyConfig, convLayers: readonly string[]): string[] {
  const wanted = new Set((config.variants ?? []).flatMap((v) => v.layers ?? []));
  return convLayers.filter((l) => wanted.has(l) && !config.layers.includes(l));
}

/** A ranking's layers in the order a variant follows: the proxy's order (without tau) or the ranking's own. */
function rankedBy(ranking: RankingResult, rank: 'oracle' | 'proxy'): RankingResult['layers'] {
  if (rank === 'oracle' || ranking.method === 'proxy') return ranking.layers;
  return ranking.layers.map((l) => {
    if (l.proxyOrder === undefined) throw new Error(`the ranking of ${l.layer} has no proxy order`);
    const { tau: _tau, ...rest } = l;
    return { ...rest, order: l.proxyOrder };
  });
}

/** The ranking stage's label: the method, or the file a study was given instead. */
function rankingLabel(run: StudyRunContext, method: string): string {
  const given = run.options.ranking;
  return given === undefined ? `${method} ranking` : `ranking given (${path.basename(given.path)})`;
}

/** A stage's label in logs and the progress line; with several seeds, the seed is named. */
function labelled(layout: SeedLayout, label: string): string {
  return layout.dir === '' ? label : `seed ${layout.seed}: ${label}`;
}

/** Runs a stage unless a finished record of it exists; records its time. */
async function stage<T>(
  run: StudyRunContext,
  layout: SeedLayout,
  name: string,
  label: string,
  work: (p: ProgressListener) => Promise<T>,
): Promise<T> {
  const record = layout.stage(name);
  const text = labelled(layout, label);
  const done = await run.folder.stage<{ value: T; seconds: number }>(record);
  if (done !== undefined) {
    run.log(`${text}: done earlier (${done.seconds.toFixed(1)} s), kept`);
    run.timings.push({ stage: text, seconds: done.seconds });
    run.progress.skip(record, text);
    return done.value;
  }
  run.log(`${text}...`);
  const t0 = performance.now();
  const value = await work(run.progress.stage(record, text));
  const seconds = (performance.now() - t0) / 1000;
  await run.folder.finishStage(record, { value, seconds });
  run.timings.push({ stage: text, seconds });
  run.progress.finish(record, text);
  run.log(`${text}: ${seconds.toFixed(1)} s`);
  return value;
}

/**
 * Ranks `layers` with the study's method, images and tau under the seed's draws into `file` (a ranking.json);
 * or, for a study given a ranking (given-ranking.ts), writes the given ranking's `layers` there.
 */
async function rankInto(
  run: StudyRunContext,
  layout: SeedLayout,
  layers: string[],
  file: string,
  onProgress: ProgressListener,
): Promise<null> {
  const { config, dataset, base, signal, ranking: given } = run.options;
  if (given !== undefined) {
    await run.folder.writeJson(file, rankingOf(given, layers));
    return null;
  }
  const r: RankingResult = await rankFilters({
    model: base.model,
    dataset,
    layers,
    spec: { kind: config.kind },
    levels: config.levels,
    seed: layout.seed,
    ...(config.rankPerClass === undefined ? {} : { perClass: config.rankPerClass }),
    ...(config.rankImages === undefined ? {} : { images: config.rankImages }),
    imagesOption: 'rankImages',
    // The halves' overlap is of the filters this study corrects: its own beta.
    stabilityBeta: config.beta,
    ...(config.rankTau === undefined ? {} : { tau: config.rankTau }),
    method: config.rankMethod,
    modelName: config.model,
    ...(run.options.paths === undefined ? {} : { paths: run.options.paths }),
    ...(signal ? { signal } : {}),
    onProgress,
  });
  await run.folder.writeJson(file, r);
  return null;
}

export async function runSeed(run: StudyRunContext, layout: SeedLayout): Promise<SeedRun> {
  const o = run.options;
  const { config, dataset, base, signal } = o;
  const { seed } = layout;
  const spec = { kind: config.kind };
  const resume = o.resume ?? false;
  const test = async (model: tf.LayersModel, p: ProgressListener): Promise<StoredEvaluation> =>
    storeEvaluation(await run.test(model, seed, p));

  const baseline = await stage(run, layout, 'baseline', 'baseline evaluation', (p) => test(base.model, p));
  // The ranking lives in ranking.json (the format of `deepcorrect rank --out`), not also in the stage record.
  const rankingFile = layout.file('ranking.json');
  await stage(run, layout, 'ranking', rankingLabel(run, config.rankMethod), (p) =>
    rankInto(run, layout, config.layers, rankingFile, p),
  );
  const ranking = await run.folder.readJson<RankingResult>(rankingFile);
  const plan = planFromRanking(ranking, config.beta, config.layers);
  const common: MixedTrainingOptions = {
    dataset,
    spec,
    levels: config.levels,
    epochs: config.epochs,
    batchSize: config.batchSize,
    seed,
    backend: o.backend,
    ...(o.schedule ? { schedule: o.schedule } : {}),
    ...(o.distortedFraction === undefined ? {} : { distortedFraction: o.distortedFraction }),
    ...(o.augment ? { augment: o.augment } : {}),
    ...(o.validationFraction === undefined ? {} : { validationFraction: o.validationFraction }),
    ...(config.trainPerClass === undefined ? {} : { trainPerClass: config.trainPerClass }),
    ...(o.replicas === undefined ? {} : { replicas: o.replicas }),
    ...(o.patience === undefined ? {} : { patience: o.patience }),
    ...(o.paths === undefined ? {} : { paths: o.paths }),
    ...(signal ? { signal } : {}),
  };
  // The base model's folder on this machine, for the trained models' provenance (recorded as `paths` says).
  const baseModelPath = base.path ?? resolveRecordedPath(config.model, o.paths);
  /**
   * Trains one method, or with a grid one run per learning rate (each in a folder of its own, so every run
   * keeps its checkpoints for a resume) keeping the best by validation mean; then tests the kept model.
   */
  const trained = async (
    dir: string,
    optimizer: OptimizerSpec,
    grid: readonly number[] | undefined,
    train: (optimizer: OptimizerSpec, outDir: string, p: ProgressListener) => Promise<TrainedModel>,
    p: ProgressListener,
  ): Promise<TrainedStage> => {
    // Training is most of the stage; its evaluation the last part of the bar.
    const runs = grid?.length ?? 1;
    const share = config.epochs * 6 * runs;
    const part = (i: number) => (q: Progress) =>
      p({ ...q, fraction: ((i + q.fraction) * config.epochs * 6) / (share + 1) });
    let result: TrainedModel;
    let tuning: StudyTuning | undefined;
    let where = layout.file(dir);
    if (grid === undefined) result = await train(optimizer, run.folder.path(where), part(0));
    else {
      const tuned = await tuneLearningRate({
        grid,
        option: dir === CORRECTED_DIR ? '--tune-units' : '--tune-finetune',
        train: (learningRate, i) =>
          train(
            { ...optimizer, learningRate },
            run.folder.path(tunedDir(layout, dir, learningRate)),
            part(i),
          ),
        onCandidate: (c) =>
          run.log(
            `${labelled(layout, dir)}: lr ${c.learningRate}, best validation mean ${(c.bestValMean * 100).toFixed(2)}% (epoch ${c.bestEpoch})`,
          ),
        ...(signal ? { signal } : {}),
      });
      result = tuned.best;
      tuning = { learningRate: tuned.learningRate, candidates: tuned.candidates };
      where = tunedDir(layout, dir, tuned.learningRate);
    }
    try {
      const evaluation = await test(result.model, (q) =>
        p({ ...q, fraction: (share + q.fraction) / (share + 1) }),
      );
      return {
        training: trainingOf(result, tuning),
        evaluation,
        trainableParameters: result.trainableParameters,
        parameters: summarize(result.model).parameters,
        path: where,
      };
    } finally {
      result.model.dispose();
    }
  };
  /** Trains units on `plan`, placed and recorded as `how` says (the study's own, or a variant's). */
  const units =
    (plan: PlanEntry[], how: { placement: Placement; beta: number; rankingMethod: string }) =>
    (optimizer: OptimizerSpec, outDir: string, onProgress: ProgressListener): Promise<TrainedModel> =>
      trainCorrection({
        ...common,
        // A stage cut short left its epoch checkpoints in the model folder: a resumed study continues them.
        resume,
        optimizer,
        onProgress,
        model: base.model,
        plan,
        baseMetadata: base.metadata,
        outDir,
        baseModelPath,
        ...how,
        ...(o.command === undefined ? {} : { command: o.command }),
      });
  const corrected = await stage(run, layout, 'deepcorrect', 'DeepCorrect units', (p) =>
    trained(
      CORRECTED_DIR,
      o.unitOptimizer ?? unitDefault,
      config.tune?.units,
      units(plan, {
        placement: config.placement ?? 'post-activation',
        beta: config.beta,
        rankingMethod: config.rankMethod,
      }),
      p,
    ),
  );
  const fineTuned = await stage(run, layout, 'fine-tuned', 'fine-tuning', (p) =>
    trained(
      FINE_TUNED_DIR,
      o.fineTuneOptimizer ?? fineTuneDefault,
      config.tune?.fineTune,
      (optimizer, outDir, onProgress) =>
        fineTune({
          ...common,
          resume,
          optimizer,
          onProgress,
          model: base.model,
          layers: o.fineTuneLayers,
          baseMetadata: base.metadata,
          outDir,
          baseModelPath,
          ...(o.command === undefined ? {} : { command: o.command }),
        }),
      p,
    ),
  );
  const variants = await runVariants(run, layout, ranking, corrected, (v, optimizer, variantPlan, p) => {
    const settings = variantSettings(config, v);
    const how = { placement: settings.placement, beta: settings.beta, rankingMethod: settings.rank };
    return trained(variantDir(v), optimizer, undefined, units(variantPlan, how), p);
  });
  return { layout, baseline, ranking, plan, corrected, fineTuned, variants };
}

/**
 * The seed's variants of the units: the layers only variants correct ranked first (one more stage, so the
 * study's own ranking is the same with or without an ablation), then each variant trained and tested as
 * the study's units were, with their learning rate (the tuned one where the study tuned).
 */
async function runVariants(
  run: StudyRunContext,
  layout: SeedLayout,
  ranking: RankingResult,
  corrected: TrainedStage,
  train: (
    v: StudyVariant,
    optimizer: OptimizerSpec,
    plan: PlanEntry[],
    p: ProgressListener,
  ) => Promise<TrainedStage>,
): Promise<VariantRun[]> {
  const { config } = run.options;
  const variants = config.variants ?? [];
  if (variants.length === 0) return [];
  const extra = run.variantOnlyLayers;
  const extraStage = variantRankingStage(extra);
  const extraFile = layout.file(`${extraStage}.json`);
  let layers = ranking.layers;
  if (extra.length > 0) {
    await stage(
      run,
      layout,
      extraStage,
      `${rankingLabel(run, config.rankMethod)} of ${extra.join(', ')}`,
      (p) => rankInto(run, layout, extra, extraFile, p),
    );
    layers = [...layers, ...(await run.folder.readJson<RankingResult>(extraFile)).layers];
  }
  const all: RankingResult = { ...ranking, layers };
  const tuned = corrected.training.tuning?.learningRate;
  const optimizer: OptimizerSpec = {
    ...(run.options.unitOptimizer ?? unitDefault),
    ...(tuned === undefined ? {} : { learningRate: tuned }),
  };
  const out: VariantRun[] = [];
  for (const v of variants) {
    const settings = variantSettings(config, v);
    const plan = planFromRanking(
      {
        ...(all.tauKind === undefined ? {} : { tauKind: all.tauKind }),
        layers: rankedBy(all, settings.rank),
      },
      settings.beta,
      settings.layers,
    );
    const result = await stage(run, layout, variantStage(v), `variant ${v.name}`, (p) =>
      train(v, optimizer, plan, p),
    );
    out.push({ variant: v, plan, stage: result });
  }
  return out;
}
