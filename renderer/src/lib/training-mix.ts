/**
 * The training mix the Correction and Results forms share (the distortion and its levels, the budget, the
 * optimiser, the training images per class and the seed; TrainingMixFields.vue edits it): its defaults, the part
 * of a request it makes, and how its fields are named when the contract's schema finds a problem.
 */
import { SGD_NESTEROV } from '../../../shared/bridge/defaults.ts';
import type { DistortionKind } from '../../../shared/distortions.ts';
import { ifGiven, type FormNumber } from './form-number.ts';
import type { LevelChoice } from './level-choices.ts';
import type { FieldLabel } from './schema-issues.ts';

export interface OptimizerSettings {
  kind: 'sgd' | 'adam';
  learningRate: FormNumber;
  momentum: FormNumber;
  nesterov: boolean;
}

/** The engine's default: SGD with Nesterov momentum 0.9 at learning rate 0.01 (docs/method.md §4). */
export function defaultOptimizer(): OptimizerSettings {
  return { ...SGD_NESTEROV };
}

/** The contract's optimiser input, with the numbers as typed (the schema judges them). */
export function optimizerDraft(s: OptimizerSettings): Record<string, unknown> {
  return s.kind === 'adam'
    ? { kind: 'adam', learningRate: s.learningRate }
    : { kind: 'sgd', learningRate: s.learningRate, momentum: s.momentum, nesterov: s.nesterov };
}

export interface TrainingMix {
  kind: DistortionKind;
  levelChoice: LevelChoice;
  customLevels: string;
  epochs: FormNumber;
  batchSize: FormNumber;
  optimizer: OptimizerSettings;
  trainPerClass: FormNumber;
  seed: FormNumber;
}

/** Blur at the paper's CIFAR levels, one epoch of batches of 32, the default optimiser, every image, seed 1. */
export function defaultTrainingMix(): TrainingMix {
  return {
    kind: 'blur',
    levelChoice: 'paper-cifar',
    customLevels: '',
    epochs: 1,
    batchSize: 32,
    optimizer: defaultOptimizer(),
    trainPerClass: '',
    seed: 1,
  };
}

/** The request's distortion, levels, budget, seed and training images per class (left out while empty). */
export function trainingMixDraft(mix: TrainingMix, levels: number[]): Record<string, unknown> {
  return {
    spec: { kind: mix.kind },
    levels,
    epochs: mix.epochs,
    batchSize: mix.batchSize,
    seed: mix.seed,
    ...ifGiven('trainPerClass', mix.trainPerClass),
  };
}

/** The names of the mix's fields, keyed by their path in a request whose optimiser is at `optimizer`. */
export function trainingMixLabels(optimizer = 'optimizer'): Record<string, FieldLabel> {
  return {
    levels: 'The levels',
    epochs: 'Epochs',
    batchSize: 'The batch size',
    [`${optimizer}.learningRate`]: 'The learning rate',
    [`${optimizer}.momentum`]: 'Momentum',
    trainPerClass: { label: 'Training images per class', empty: 'all' },
    seed: 'The seed',
  };
}
