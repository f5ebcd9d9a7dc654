import path from 'node:path';
import { DISTORTIONS } from '../../../shared/distortions.ts';
import {
  PAPER_CIFAR100,
  STUDY_REPORT_VERSION,
  type StudyConfig,
  type StudyModelResult,
  type StudyReport,
  type StudyTiming,
  type StudyTraining,
} from '../../../shared/study.ts';
import type { PlanEntry } from '../correct/build.ts';
import type { TrainedModel } from '../correct/train-correction.ts';
import type { EvaluationResult } from '../eval/evaluate.ts';
import type { RankingResult } from '../rank/types.ts';

/** Folders of the two trained models inside the study folder. */
export const CORRECTED_DIR = 'deepcorrect';
export const FINE_TUNED_DIR = 'fine-tuned';

/** What the training stages keep (in their stage records) for the report. */
export interface TrainedStage {
  training: StudyTraining;
  evaluation: EvaluationResult;
  trainableParameters: number;
  parameters: number;
}

export interface ReportParts {
  config: StudyConfig;
  backend: string;
  device: string;
  command?: string;
  classes: string[];
  baseParameters: number;
  baseline: EvaluationResult;
  ranking: RankingResult;
  plan: PlanEntry[];
  corrected: TrainedStage;
  fineTuned: TrainedStage;
  timings: StudyTiming[];
  seconds: number;
}

export function trainingOf(r: TrainedModel): StudyTraining {
  return {
    history: r.history,
    bestEpoch: r.bestEpoch,
    trainImages: r.trainImages,
    valImages: r.valImages,
    replicas: r.replicas,
    optimizer: r.optimizer,
    seconds: r.seconds,
  };
}

function modelResult(
  role: StudyModelResult['role'],
  label: string,
  where: string,
  e: EvaluationResult,
  parameters: number,
  trainableParameters: number,
  training?: StudyTraining,
): StudyModelResult {
  return {
    role,
    label,
    path: where,
    trainableParameters,
    parameters,
    top1: e.conditions.map((c) => c.top1),
    top5: e.conditions.map((c) => c.top5),
    perClass: e.conditions.map((c) =>
      c.perClass.map((v) => ((v as number | null) === null || Number.isNaN(v) ? null : v)),
    ),
    meanWithClean: e.meanWithClean,
    meanLevels: e.meanLevels,
    ...(training === undefined ? {} : { training }),
  };
}

/** The study's report from its stages' results: every number the tables and plots show. */
export function assembleReport(p: ReportParts): StudyReport {
  const correctedSets = new Map(p.plan.map((e) => [e.layer, e.filters]));
  const paper = PAPER_CIFAR100[p.config.kind];
  return {
    version: STUDY_REPORT_VERSION,
    createdAt: new Date().toISOString(),
    ...(p.command === undefined ? {} : { command: p.command }),
    backend: p.backend,
    device: p.device,
    config: p.config,
    distortionLabel: DISTORTIONS[p.config.kind].label,
    parameter: DISTORTIONS[p.config.kind].parameter,
    classes: p.classes,
    testImages: p.baseline.images,
    models: [
      modelResult('baseline', 'baseline', path.resolve(p.config.model), p.baseline, p.baseParameters, 0),
      modelResult(
        'fine-tuned',
        `fine-tuned (${p.config.fineTuneLayers})`,
        FINE_TUNED_DIR,
        p.fineTuned.evaluation,
        p.fineTuned.parameters,
        p.fineTuned.trainableParameters,
        p.fineTuned.training,
      ),
      modelResult(
        'deepcorrect',
        `DeepCorrect (${p.config.layers.join(', ')}, beta ${p.config.beta})`,
        CORRECTED_DIR,
        p.corrected.evaluation,
        p.corrected.parameters,
        p.corrected.trainableParameters,
        p.corrected.training,
      ),
    ],
    ranking: {
      method: p.ranking.method,
      split: p.ranking.split,
      rankingImages: p.ranking.rankingImages,
      seconds: p.ranking.seconds,
      layers: p.ranking.layers.map((l) => ({
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
    totalSeconds: p.seconds,
  };
}
