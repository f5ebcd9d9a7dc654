/**
 * The defaults of the engine's requests, in one place: the use cases fill what an input leaves out from
 * here, the command line shows them in --help and the app's forms start from them, so the three never
 * disagree.
 */
/** SGD with Nesterov momentum 0.9 at 0.01 (docs/method.md §4; why 0.01 for units: docs/correction.md). */
export const SGD_NESTEROV = { kind: 'sgd', learningRate: 0.01, momentum: 0.9, nesterov: true } as const;
/** Adam's default learning rate, for every training when adam is chosen without one. */
export const ADAM_LEARNING_RATE = 0.001;

/**
 * The clean/distorted mix and budget of unit training, fine-tuning and a study. The budget is a ceiling:
 * training stops once `patience` epochs in a row have not improved the validation mean (clean plus levels)
 * and keeps the best epoch; the plateau schedule divides the rate by 10 after 3 such epochs. On the demo
 * neither method used the whole budget (docs/correction.md, "Training to convergence").
 */
export const MIX_DEFAULTS = {
  batchSize: 128,
  seed: 1,
  epochs: 30,
  patience: 5,
  schedule: { kind: 'plateau', patience: 3, factor: 0.1 },
  augment: { flip: true, shift: 2 },
  distortedFraction: 0.5,
  validationFraction: 0.1,
} as const;

/**
 * `deepcorrect train`'s defaults (the base model the method corrects): Adam at ADAM_LEARNING_RATE, the rate
 * divided by 10 every 10 epochs, at most 30 epochs with early stopping. Chosen on the demo's validation split:
 * after 10 epochs Adam 0.001 reached 88.1% and SGD-Nesterov 0.01 83.9% (docs/models.md, "Choosing the
 * defaults"); an under-trained base favours fine-tuning, which can repair everything the base lacks.
 */
export const TRAIN_DEFAULTS = {
  optimizer: 'adam',
  epochs: 30,
  patience: 5,
  schedule: { kind: 'step', every: 10, factor: 0.1 },
} as const;

/**
 * The learning rates `study --tune` tries per method (SGD with Nesterov momentum, the methods' default
 * optimiser): a factor of about 3 either side of each default, as the method's ranges suggest
 * (docs/method.md §4: 0.001 to 0.01 for fine-tuning; 0.01 for units on the demo, docs/correction.md).
 */
export const TUNE_GRIDS = {
  units: [0.003, 0.01, 0.03],
  fineTune: [0.001, 0.003, 0.01],
} as const;

/**
 * The same grids for Adam, ten times smaller: Adam's steps are about the learning rate whatever the
 * gradient's scale, so its useful rates sit an order below SGD's (ADAM_LEARNING_RATE against 0.01).
 */
export const ADAM_TUNE_GRIDS = {
  units: [0.0003, 0.001, 0.003],
  fineTune: [0.0001, 0.0003, 0.001],
} as const;

/** The tune grids for an optimiser kind. */
export function tuneGrids(kind: 'sgd' | 'adam'): { units: readonly number[]; fineTune: readonly number[] } {
  return kind === 'adam' ? ADAM_TUNE_GRIDS : TUNE_GRIDS;
}

export const CORRECT_DEFAULTS = {
  beta: 0.5,
  rankMethod: 'proxy',
  rankPerClass: 10,
  /**
   * Units before the corrected layer's activation, as the authors' code places them. Chosen on validation:
   * in the demo's three-seed blur ablation (docs/correction.md, "Ablation") the units before the ReLU kept a
   * validation mean of 84.49% against 81.96% after it (test: +1.55 points [+0.28, +2.75]). A model or
   * report that records no placement has its units after the activation, the earlier default.
   */
  placement: 'pre-activation',
  optimizer: SGD_NESTEROV,
} as const;

export const FINE_TUNE_DEFAULTS = { layers: 'all', optimizer: SGD_NESTEROV } as const;

/** The most seeds one study repeats over (each is a whole ranking and two trainings). */
export const MAX_STUDY_SEEDS = 50;

export const STUDY_DEFAULTS = {
  seeds: 1,
  /**
   * A ceiling, not the budget: each method stops once MIX_DEFAULTS.patience epochs have not improved its
   * validation mean (on the demo units stopped at 17, fine-tuning at 23: docs/correction.md).
   */
  epochs: MIX_DEFAULTS.epochs,
  beta: 0.5,
  rankMethod: 'both',
  /** Ranking images (RANK_DEFAULTS.images); `rankPerClass` is the alternative, with no default. */
  rankImages: 1000,
  fineTuneLayers: 'all',
  /** How many conv layers get units when none are named: the first ones. */
  firstLayers: 2,
} as const;

/**
 * Ranking: about 1,000 training images spread evenly over the classes (the authors used 1,000 on CIFAR-100 and
 * 5,000 on ImageNet), or the whole split when smaller; images per class is the alternative, with no default.
 * tau is the authors' (abs); the stability (two disjoint halves of the set) costs no extra pass, so it is on.
 */
export const RANK_DEFAULTS = {
  images: 1000,
  method: 'both',
  seed: 0,
  tau: 'abs',
  stability: true,
  stabilityBeta: 0.5,
} as const;
export const EXPERIMENT_DEFAULTS = {
  fractions: [0.1, 0.25, 0.5, 0.75, 0.9],
  evalPerClass: 50,
  split: 'test',
} as const;
export const EVALUATE_DEFAULTS = { split: 'test', seed: 0 } as const;
