/**
 * A DeepCorrect study: the baseline, the fine-tuned model and the corrected model compared on one distortion
 * (docs/method.md), as `deepcorrect study` writes it to report.json and the Results view reads it back. Pure data:
 * every number the report's tables and plots show is here, so the HTML report and the UI draw the same figures.
 */
import type { DistortionKind } from './distortions.ts';
import type { TrainingStop, ValidationSource } from './training.ts';
import type { Interval, Summary } from './stats/summary.ts';
import type { Outcome } from './stats/verdict.ts';
import type { StudyVariant } from './study-variants.ts';

export const STUDY_REPORT_VERSION = 1;

/** The three models a study compares, in the order tables and plots list them. */
export const STUDY_MODEL_ROLES = ['baseline', 'fine-tuned', 'deepcorrect'] as const;
export type StudyModelRole = (typeof STUDY_MODEL_ROLES)[number];

/** What the study was asked to do: enough to run it again. */
export interface StudyConfig {
  /** The base model folder and the dataset, as given (absolute paths). */
  model: string;
  dataset: string;
  kind: DistortionKind;
  /** The levels' name as given (e.g. paper-cifar) and their values. */
  levelsName: string;
  levels: number[];
  /** The first seed; with several seeds, every seed the study repeats the comparison over (seed first). */
  seed: number;
  seeds?: number[];
  /** Units before or after the corrected layers' activation (absent in reports before it was recorded: after). */
  placement?: 'post-activation' | 'pre-activation';
  /**
   * Learning-rate grids tried on the validation split when tuning (--tune): each method keeps its rate
   * with the best validation mean; the test split chooses nothing.
   */
  tune?: { units: number[]; fineTune: number[] };
  /** Epochs in a row without a better validation mean that end a training early (absent: none recorded). */
  patience?: number;
  /** Epochs of unit training and of fine-tuning: the same budget for both. */
  epochs: number;
  batchSize: number;
  /** Conv layers the units correct, and the share of each layer's filters (top of the ranking). */
  layers: string[];
  beta: number;
  rankMethod: 'proxy' | 'oracle' | 'both';
  /** The ranking set: images spread evenly over the classes, or images per class (studies before rankImages). */
  rankImages?: number;
  rankPerClass?: number;
  /** The ranking's tau (absent: abs, the authors'). */
  rankTau?: 'abs' | 'signed';
  /**
   * A ranking file the study was given (--ranking) instead of ranking itself: every seed's units follow it
   * (the seeds share the base model it ranks). Recorded as paths are (io/recorded-path.ts), with the file's
   * SHA-256 so a resume or a merge refuses another file of the same name. Absent: the study ranked itself.
   */
  ranking?: { file: string; sha256: string };
  /** all, or first:<k> conv layers. */
  fineTuneLayers: string;
  /** Optimisers in words (e.g. "sgd lr 0.01 nesterov momentum 0.9"). */
  unitOptimizer: string;
  fineTuneOptimizer: string;
  /** Training on a stratified subset of this many images per class, when set. */
  trainPerClass?: number;
  /** The split every model is tested on, and a stratified subset of it when set (quick runs). */
  testSplit: string;
  testPerClass?: number;
  /** The ablation: variants of the units trained beside the study's own in every seed (absent: none). */
  variants?: StudyVariant[];
}

/** One epoch of unit training or fine-tuning. */
export interface StudyEpoch {
  epoch: number;
  /** Running training loss and accuracy over the epoch (training mode, weights before each update). */
  loss: number;
  accuracy: number;
  /** Validation top-1, clean first then each level. */
  valAccuracy: number[];
  /** Mean of valAccuracy over clean plus every level: the selection criterion (the paper's tables). */
  valMean: number;
  learningRate: number;
  seconds: number;
  imagesPerSecond: number;
}

/** A learning-rate grid tried on validation data, and the rate kept. */
export interface StudyTuning {
  learningRate: number;
  candidates: { learningRate: number; bestValMean: number; bestEpoch: number }[];
}

export interface StudyTraining {
  history: StudyEpoch[];
  /** The epoch whose weights were kept (best valMean). */
  bestEpoch: number;
  /** Why training ended: its budget, or early stopping (absent in reports written before it was recorded). */
  stop?: TrainingStop;
  /** Which images validated (absent in reports written before it was recorded: a seeded split). */
  validation?: ValidationSource;
  /** With --tune: every learning rate tried and the one kept (by validation mean). */
  tuning?: StudyTuning;
  trainImages: number;
  valImages: number;
  replicas: number;
  optimizer: string;
  seconds: number;
}

/** One model's test accuracy, clean and at every level. */
export interface StudyModelResult {
  role: StudyModelRole;
  label: string;
  /** Its folder, relative to the study folder (the baseline's is the base model's absolute path). */
  path: string;
  /** Parameters trained to make it (0 for the baseline) and its total. */
  trainableParameters: number;
  parameters: number;
  /** Top-1 and top-5, clean first, then each level. */
  top1: number[];
  top5: number[];
  /** Top-1 per class: [condition][class] (NaN as null in JSON for a class with no images). */
  perClass: (number | null)[][];
  /** Mean top-1 over clean plus every level (the paper's tables), and over the levels alone. */
  meanWithClean: number;
  meanLevels: number;
  training?: StudyTraining;
  /**
   * Several seeds: each seed's results (top1 above is then their mean per condition), and per condition
   * (clean first) and for the two means the seeds' mean, standard deviation and 95% t interval.
   */
  seeds?: StudySeedResult[];
  top1Summary?: Summary[];
  meanWithCleanSummary?: Summary;
  meanLevelsSummary?: Summary;
}

/** One seed's run of one model. */
export interface StudySeedResult {
  seed: number;
  top1: number[];
  meanWithClean: number;
  meanLevels: number;
  /** Its folder, relative to the study folder (trained models). */
  path?: string;
  training?: StudyTraining;
}

/** A paired difference in top-1 (first model minus second) with its interval, p-value and wording. */
export interface DifferenceTest {
  difference: number;
  interval: Interval;
  p: number;
  /** "better" or "worse" only where the interval excludes zero. */
  outcome: Outcome;
  /** The report's words, e.g. "no significant difference (p = 0.41)". */
  text: string;
}

/** An exact McNemar test on one seed's test images: b = first right and second wrong, c = the reverse. */
export interface SeedMcNemar {
  seed: number;
  b: number;
  c: number;
  p: number;
}

export interface ConditionComparison extends DifferenceTest {
  /** clean, or the level's value. */
  condition: string;
  mcnemar: SeedMcNemar[];
}

/**
 * Two models compared on the same test images: per condition and for the mean over clean plus every level,
 * a paired bootstrap over seeds and images (interval and p), and per condition an exact McNemar test per seed.
 */
export interface PairedComparison {
  first: StudyModelRole;
  second: StudyModelRole;
  confidence: number;
  replicates: number;
  /** Seed of the bootstrap's draws: the same report gives the same intervals. */
  bootstrapSeed: number;
  conditions: ConditionComparison[];
  meanWithClean: DifferenceTest;
}

/**
 * One variant of the units (shared/study-variants.ts) over the study's seeds: its accuracies like a model's
 * (role deepcorrect), and paired against the study's own units and against fine-tuning (both with first
 * = deepcorrect, meaning the variant). The comparisons are absent where per-image results are missing.
 */
export interface StudyVariantResult {
  variant: StudyVariant;
  /** The layers and filters its units corrected in the first seed. */
  corrected: { layer: string; filters: number[] }[];
  model: StudyModelResult;
  againstDeepCorrect?: PairedComparison;
  againstFineTuned?: PairedComparison;
}

export interface StudyRankedLayer {
  layer: string;
  filters: number;
  /** Filter indices, most important first (the oracle's order when it ran, else the proxy's). */
  order: number[];
  /** Correction priority tau_i per filter (oracle), and the proxy's normalised L1 distance. */
  tau?: number[];
  proxy?: number[];
  /** Spearman rank correlation of tau and the proxy (method both). */
  spearman?: number | null;
  /** The filters the units correct (the top beta of `order`), when this layer was corrected. */
  corrected: number[];
  seconds: number;
}

export interface StudyRanking {
  method: 'proxy' | 'oracle' | 'both';
  split: string;
  rankingImages: number;
  layers: StudyRankedLayer[];
  seconds: number;
}

/** A row of the authors' table (docs/method.md §5) for comparison. */
export interface PaperRow {
  dataset: string;
  cleanBaseline: number;
  baseline: number;
  fineTuned: number;
  deepCorrect: number;
}

export interface StudyTiming {
  stage: string;
  seconds: number;
}

export interface StudyReport {
  version: typeof STUDY_REPORT_VERSION;
  createdAt: string;
  /** The command line that ran it, when it came from the CLI. */
  command?: string;
  backend: string;
  device: string;
  config: StudyConfig;
  /** Distortion name and its level parameter with unit, for axes ("Gaussian blur", "sigma (px)"). */
  distortionLabel: string;
  parameter: string;
  classes: string[];
  testImages: number;
  /** Baseline, fine-tuned, DeepCorrect: always in STUDY_MODEL_ROLES order. */
  models: StudyModelResult[];
  ranking: StudyRanking;
  /** DeepCorrect against fine-tuning (studies that recorded per-image results). */
  comparison?: PairedComparison;
  /** The ablation's variants, in the config's order (studies with variants). */
  variants?: StudyVariantResult[];
  /** The authors' CIFAR-100 row for this distortion, when the paper has one. */
  paper?: PaperRow;
  timings: StudyTiming[];
  /** The study's time: this run's, or where stages were kept from earlier runs, at least every stage's sum. */
  totalSeconds: number;
}

/**
 * The authors' CIFAR-100 results (docs/method.md §5): mean top-1 over clean plus 6 levels; the paper
 * reports blur and noise only.
 */
export const PAPER_CIFAR100: Partial<Record<DistortionKind, PaperRow>> = {
  blur: {
    dataset: 'CIFAR-100',
    cleanBaseline: 0.7028,
    baseline: 0.2502,
    fineTuned: 0.5727,
    deepCorrect: 0.6023,
  },
  noise: {
    dataset: 'CIFAR-100',
    cleanBaseline: 0.7028,
    baseline: 0.3147,
    fineTuned: 0.6451,
    deepCorrect: 0.6452,
  },
};

/** The seeds a study ran (one for studies made before several seeds existed). */
export function studySeeds(config: StudyConfig): number[] {
  return config.seeds ?? [config.seed];
}

/** Top-5 on ten classes or fewer says little (half the classes); tables show it only above that. */
export function showsTop5(report: Pick<StudyReport, 'classes'>): boolean {
  return report.classes.length > 10;
}

/** A study's share of the accuracy lost to distortion that a model wins back: (m - base) / (clean - base). */
export function recoveredShare(model: number, baseline: number, cleanBaseline: number): number {
  const lost = cleanBaseline - baseline;
  return lost > 0 ? (model - baseline) / lost : Number.NaN;
}

/**
 * A trained model's validation mean (clean + levels) at its kept epoch, averaged over its seeds: the figure
 * to choose settings by (the ablation's variants, learning rates), since the test split chooses nothing.
 */
export function keptValidationMean(model: Pick<StudyModelResult, 'seeds' | 'training'>): number | undefined {
  const trainings = (model.seeds ?? []).map((s) => s.training).filter((t) => t !== undefined);
  const all = trainings.length > 0 ? trainings : model.training === undefined ? [] : [model.training];
  const kept = all.map((t) => t.history.find((e) => e.epoch === t.bestEpoch)?.valMean);
  if (kept.length === 0 || kept.some((v) => v === undefined)) return undefined;
  return (kept as number[]).reduce((a, b) => a + b, 0) / kept.length;
}
