import { DISTORTIONS } from '../../../shared/distortions.ts';
import { summarize } from '../../../shared/stats/summary.ts';
import {
  PAPER_CIFAR100,
  STUDY_REPORT_VERSION,
  type PairedComparison,
  type StudyConfig,
  type StudyModelResult,
  type StudyReport,
  type StudyTiming,
  type StudyTraining,
  type StudyModelRole,
  type StudyTuning,
  type StudyVariantResult,
} from '../../../shared/study.ts';
import { describeVariant, type StudyVariant } from '../../../shared/study-variants.ts';
import type { PlanEntry } from '../correct/build.ts';
import type { TrainedModel } from '../correct/train-correction.ts';
import type { RankingResult } from '../rank/types.ts';
import { CONFIDENCE, comparePaired, type SeedCorrectness } from './statistics.ts';
import { correctnessOf, type StoredEvaluation } from './stored-evaluation.ts';
import { CORRECTED_DIR, FINE_TUNED_DIR, variantDir, type SeedLayout } from './study-layout.ts';
import { recordedNow } from '../io/recorded-time.ts';

/** What the training stages keep (in their stage records) for the report. */
export interface TrainedStage {
  training: StudyTraining;
  evaluation: StoredEvaluation;
  trainableParameters: number;
  parameters: number;
  /** The kept model's folder relative to the study folder (a tuned run's; absent: the seed's default). */
  path?: string;
}

/** One variant of the units in one seed: what it corrected and its finished stage. */
export interface VariantRun {
  variant: StudyVariant;
  plan: PlanEntry[];
  stage: TrainedStage;
}

/** One seed's finished stages. */
export interface SeedRun {
  layout: SeedLayout;
  baseline: StoredEvaluation;
  ranking: RankingResult;
  plan: PlanEntry[];
  corrected: TrainedStage;
  fineTuned: TrainedStage;
  /** The ablation's variants, in the config's order (none without one). */
  variants: VariantRun[];
}

export interface ReportParts {
  config: StudyConfig;
  backend: string;
  device: string;
  command?: string;
  classes: string[];
  baseParameters: number;
  /** Every seed's run, in the config's seed order (the first one's ranking is the report's). */
  runs: SeedRun[];
  timings: StudyTiming[];
  seconds: number;
}

export function trainingOf(r: TrainedModel, tuning?: StudyTuning): StudyTraining {
  return {
    history: r.history,
    bestEpoch: r.bestEpoch,
    stop: r.stop,
    validation: r.validation,
    ...(tuning === undefined ? {} : { tuning }),
    trainImages: r.trainImages,
    valImages: r.valImages,
    replicas: r.replicas,
    optimizer: r.optimizer,
    seconds: r.seconds,
  };
}

/** One model's evaluation in one seed, with where it lives and how it was trained. */
interface SeedEvaluation {
  seed: number;
  evaluation: StoredEvaluation;
  path?: string;
  training?: StudyTraining;
}

const meanOf = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/** The mean over seeds of each condition's per-class top-1; null where any seed had no image of the class. */
function meanPerClass(runs: readonly SeedEvaluation[]): (number | null)[][] {
  const first = runs[0]?.evaluation.conditions ?? [];
  return first.map((condition, k) =>
    condition.perClass.map((_, c) => {
      const values = runs.map((r) => r.evaluation.conditions[k]?.perClass[c] as number | null | undefined);
      return values.some((v) => v === null || v === undefined || Number.isNaN(v))
        ? null
        : meanOf(values as number[]);
    }),
  );
}

function modelResult(
  role: StudyModelResult['role'],
  label: string,
  where: string,
  runs: readonly SeedEvaluation[],
  parameters: number,
  trainableParameters: number,
): StudyModelResult {
  const conditions = runs[0]?.evaluation.conditions.length ?? 0;
  const top1BySeed = runs.map((r) => r.evaluation.conditions.map((c) => c.top1));
  const column = (k: number): number[] => top1BySeed.map((t) => t[k] as number);
  const training = runs[0]?.training;
  return {
    role,
    label,
    path: where,
    trainableParameters,
    parameters,
    top1: Array.from({ length: conditions }, (_, k) => meanOf(column(k))),
    top5: Array.from({ length: conditions }, (_, k) =>
      meanOf(runs.map((r) => r.evaluation.conditions[k]?.top5 as number)),
    ),
    perClass: meanPerClass(runs),
    meanWithClean: meanOf(runs.map((r) => r.evaluation.meanWithClean)),
    meanLevels: meanOf(runs.map((r) => r.evaluation.meanLevels)),
    ...(training === undefined ? {} : { training }),
    seeds: runs.map((r) => ({
      seed: r.seed,
      top1: r.evaluation.conditions.map((c) => c.top1),
      meanWithClean: r.evaluation.meanWithClean,
      meanLevels: r.evaluation.meanLevels,
      ...(r.path === undefined ? {} : { path: r.path }),
      ...(r.training === undefined ? {} : { training: r.training }),
    })),
    top1Summary: Array.from({ length: conditions }, (_, k) => summarize(column(k), CONFIDENCE)),
    meanWithCleanSummary: summarize(
      runs.map((r) => r.evaluation.meanWithClean),
      CONFIDENCE,
    ),
    meanLevelsSummary: summarize(
      runs.map((r) => r.evaluation.meanLevels),
      CONFIDENCE,
    ),
  };
}

/** Each seed's per-image correctness of one model, when every seed's stage record kept it. */
function correctnessOfRuns(
  runs: readonly SeedRun[],
  pick: (r: SeedRun) => StoredEvaluation,
): SeedCorrectness[] | undefined {
  const all = runs.map((r) => {
    const conditions = correctnessOf(pick(r));
    return conditions === undefined
      ? undefined
      : { seed: r.layout.seed, images: pick(r).imageIndices, conditions };
  });
  return all.every((x) => x !== undefined) ? all : undefined;
}

/** first minus second on the per-image results, when both kept them. */
function paired(
  p: ReportParts,
  roles: { first: StudyModelRole; second: StudyModelRole },
  first: (r: SeedRun) => StoredEvaluation,
  second: (r: SeedRun) => StoredEvaluation,
): PairedComparison | undefined {
  const a = correctnessOfRuns(p.runs, first);
  const b = correctnessOfRuns(p.runs, second);
  if (a === undefined || b === undefined) return undefined;
  const conditions = ['clean', ...p.config.levels.map((l) => String(l))];
  return comparePaired(roles, a, b, conditions, p.config.seed);
}

/** DeepCorrect against fine-tuning on the per-image results, when every seed's stage records kept them. */
function comparison(p: ReportParts): PairedComparison | undefined {
  return paired(
    p,
    { first: 'deepcorrect', second: 'fine-tuned' },
    (r) => r.corrected.evaluation,
    (r) => r.fineTuned.evaluation,
  );
}

/** The ablation's variants over the seeds, each paired with the study's units and with fine-tuning. */
function variantResults(p: ReportParts): StudyVariantResult[] {
  const first = p.runs[0];
  if (first === undefined) return [];
  return first.variants.map((v, k) => {
    const pick = (r: SeedRun): TrainedStage => {
      const run = r.variants[k];
      if (run?.variant.name !== v.variant.name)
        throw new Error(`seed ${r.layout.seed} has no run of the variant ${v.variant.name}`);
      return run.stage;
    };
    const model = modelResult(
      'deepcorrect',
      `DeepCorrect, ${describeVariant(v.variant)}`,
      v.stage.path ?? first.layout.file(variantDir(v.variant)),
      p.runs.map((r) => ({
        seed: r.layout.seed,
        evaluation: pick(r).evaluation,
        path: pick(r).path ?? r.layout.file(variantDir(v.variant)),
        training: pick(r).training,
      })),
      v.stage.parameters,
      v.stage.trainableParameters,
    );
    const againstDeepCorrect = paired(
      p,
      { first: 'deepcorrect', second: 'deepcorrect' },
      (r) => pick(r).evaluation,
      (r) => r.corrected.evaluation,
    );
    const againstFineTuned = paired(
      p,
      { first: 'deepcorrect', second: 'fine-tuned' },
      (r) => pick(r).evaluation,
      (r) => r.fineTuned.evaluation,
    );
    return {
      variant: v.variant,
      corrected: v.plan.map((e) => ({ layer: e.layer, filters: [...e.filters] })),
      model,
      ...(againstDeepCorrect === undefined ? {} : { againstDeepCorrect }),
      ...(againstFineTuned === undefined ? {} : { againstFineTuned }),
    };
  });
}

/** The study's report from its stages' results: every number the tables and plots show. */
export function assembleReport(p: ReportParts): StudyReport {
  const first = p.runs[0];
  if (first === undefined) throw new Error('a study report needs at least one seed');
  const correctedSets = new Map(first.plan.map((e) => [e.layer, e.filters]));
  const paper = PAPER_CIFAR100[p.config.kind];
  const trainedRuns = (pick: (r: SeedRun) => TrainedStage, dir: string): SeedEvaluation[] =>
    p.runs.map((r) => ({
      seed: r.layout.seed,
      evaluation: pick(r).evaluation,
      path: pick(r).path ?? r.layout.file(dir),
      training: pick(r).training,
    }));
  const compared = comparison(p);
  const variants = variantResults(p);
  return {
    version: STUDY_REPORT_VERSION,
    createdAt: recordedNow(),
    ...(p.command === undefined ? {} : { command: p.command }),
    backend: p.backend,
    device: p.device,
    config: p.config,
    distortionLabel: DISTORTIONS[p.config.kind].label,
    parameter: DISTORTIONS[p.config.kind].parameter,
    classes: p.classes,
    testImages: first.baseline.images,
    models: [
      modelResult(
        'baseline',
        'baseline',
        // As recorded (io/recorded-path.ts): bundled, relative to the study's folder, or absolute if asked.
        p.config.model,
        p.runs.map((r) => ({ seed: r.layout.seed, evaluation: r.baseline })),
        p.baseParameters,
        0,
      ),
      modelResult(
        'fine-tuned',
        `fine-tuned (${p.config.fineTuneLayers})`,
        first.fineTuned.path ?? first.layout.file(FINE_TUNED_DIR),
        trainedRuns((r) => r.fineTuned, FINE_TUNED_DIR),
        first.fineTuned.parameters,
        first.fineTuned.trainableParameters,
      ),
      modelResult(
        'deepcorrect',
        `DeepCorrect (${p.config.layers.join(', ')}, beta ${p.config.beta})`,
        first.corrected.path ?? first.layout.file(CORRECTED_DIR),
        trainedRuns((r) => r.corrected, CORRECTED_DIR),
        first.corrected.parameters,
        first.corrected.trainableParameters,
      ),
    ],
    ...(compared === undefined ? {} : { comparison: compared }),
    ...(variants.length === 0 ? {} : { variants }),
    ranking: {
      method: first.ranking.method,
      split: first.ranking.split,
      rankingImages: first.ranking.rankingImages,
      seconds: first.ranking.seconds,
      layers: first.ranking.layers.map((l) => ({
        layer: l.layer,
        filters: l.filters,
        order: l.order,
        ...(l.tau === undefined ? {} : { tau: l.tau }),
        ...(l.proxy === undefined ? {} : { proxy: l.proxy }),
        ...(l.spearman === undefined ? {} : { spearman: Number.isNaN(l.spearman) ? null : l.spearman }),
        corrected: correctedSets.get(l.layer) ?? [],
        seconds: l.seconds,
      })),
    },
    ...(paper === undefined ? {} : { paper }),
    timings: p.timings,
    // A resumed study's stages kept from earlier runs count with the time they took then.
    totalSeconds: Math.max(
      p.seconds,
      p.timings.reduce((a, t) => a + t.seconds, 0),
    ),
  };
}
