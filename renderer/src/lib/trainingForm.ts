/**
 * The training settings the Correction and Results views share (distortion levels, budget, optimiser), checked
 * with the limits of the bridge contract's schemas so a form never submits what the engine would refuse.
 */
import { resolveLevels, type DistortionKind } from '../../../shared/distortions.ts';

export const LEVEL_CHOICES = [
  { id: 'paper-cifar', label: 'paper, CIFAR levels' },
  { id: 'paper-imagenet', label: 'paper, ImageNet levels' },
  { id: 'severity', label: 'severity 1..5' },
  { id: 'custom', label: 'custom list' },
] as const;
export type LevelChoice = (typeof LEVEL_CHOICES)[number]['id'];

/** The levels of a preset (or of a typed list), with the name a study records, or why they are not valid. */
export function levelsFor(
  kind: DistortionKind,
  choice: LevelChoice,
  custom: string,
): { values: number[]; name: string } | { error: string } {
  const text = choice === 'custom' ? custom.trim() : choice;
  if (text === '') return { error: 'Type the levels as numbers separated by commas (e.g. 1, 2, 3).' };
  try {
    const values = resolveLevels(kind, text);
    if (values.length < 1 || values.length > 20) return { error: 'Give 1 to 20 levels.' };
    return { values, name: choice === 'custom' ? values.join(',') : choice };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** A form number (v-model.number gives '' for an empty field). */
export type FormNumber = number | '';

/** Why a whole number is out of range, or null. */
export function wholeProblem(label: string, value: FormNumber, lo: number, hi: number): string | null {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < lo || value > hi)
    return `${label} must be a whole number from ${lo.toLocaleString('en-US')} to ${hi.toLocaleString('en-US')}.`;
  return null;
}

/** An optional whole number at least 1 (empty means "not set"). */
export function optionalWholeProblem(label: string, value: FormNumber | null): string | null {
  if (value === '' || value === null) return null;
  return wholeProblem(label, value, 1, 1_000_000);
}

export function optionalValue(value: FormNumber | null): number | undefined {
  return value === '' || value === null ? undefined : value;
}

/** Why a beta is not in (0, 1], or null. */
export function betaProblem(beta: FormNumber): string | null {
  return typeof beta === 'number' && beta > 0 && beta <= 1 ? null : 'Beta must be more than 0 and at most 1.';
}

export interface OptimizerSettings {
  kind: 'sgd' | 'adam';
  learningRate: FormNumber;
  momentum: FormNumber;
  nesterov: boolean;
}

/** SGD with Nesterov momentum 0.9 at learning rate 0.01 (method.md section 4; the engine's default). */
export function defaultOptimizer(): OptimizerSettings {
  return { kind: 'sgd', learningRate: 0.01, momentum: 0.9, nesterov: true };
}

export type OptimizerInput =
  | { kind: 'sgd'; learningRate: number; momentum: number; nesterov: boolean }
  | { kind: 'adam'; learningRate: number };

export function optimizerProblem(s: OptimizerSettings): string | null {
  if (typeof s.learningRate !== 'number' || !(s.learningRate > 0 && s.learningRate <= 10))
    return 'The learning rate must be more than 0 and at most 10.';
  if (s.kind === 'sgd' && (typeof s.momentum !== 'number' || !(s.momentum >= 0 && s.momentum <= 0.999)))
    return 'Momentum must be from 0 to 0.999.';
  return null;
}

/** The contract's optimiser input (call after optimizerProblem returned null). */
export function optimizerInput(s: OptimizerSettings): OptimizerInput {
  const learningRate = Number(s.learningRate);
  return s.kind === 'adam'
    ? { kind: 'adam', learningRate }
    : { kind: 'sgd', learningRate, momentum: Number(s.momentum), nesterov: s.nesterov };
}

/** Why a typed output folder cannot be used, or null. */
export function folderProblem(label: string, path: string): string | null {
  const p = path.trim();
  if (p === '') return `Choose ${label}.`;
  if (p.length > 4096) return `${label[0]?.toUpperCase() ?? ''}${label.slice(1)} is too long.`;
  return null;
}

/**
 * The training mix every training form has (the distortion and its levels, the budget, the optimiser, the data
 * per class and the seed); TrainingMixFields.vue edits it.
 */
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

/** The level presets a distortion offers: the paper's levels exist for blur and noise only. */
export function levelChoicesFor(kind: DistortionKind): (typeof LEVEL_CHOICES)[number][] {
  return LEVEL_CHOICES.filter((c) => !c.id.startsWith('paper-') || kind === 'blur' || kind === 'noise');
}

/** The preset to keep once the distortion is kind: a paper preset it lacks falls back to the severities. */
export function levelChoiceFor(kind: DistortionKind, choice: LevelChoice): LevelChoice {
  return choice.startsWith('paper-') && kind !== 'blur' && kind !== 'noise' ? 'severity' : choice;
}

/** Why the epochs or the batch size are out of the contract's range, or null. */
export function budgetProblem(mix: TrainingMix): string | null {
  return wholeProblem('Epochs', mix.epochs, 1, 500) ?? wholeProblem('The batch size', mix.batchSize, 1, 4096);
}

/** The contract's distortion, levels, budget, seed and images per class (call once the form has no problem). */
export function trainingMixInput(
  mix: TrainingMix,
  levels: number[],
): {
  spec: { kind: DistortionKind };
  levels: number[];
  epochs: number;
  batchSize: number;
  seed: number;
  trainPerClass?: number;
} {
  const trainPerClass = optionalValue(mix.trainPerClass);
  return {
    spec: { kind: mix.kind },
    levels,
    epochs: Number(mix.epochs),
    batchSize: Number(mix.batchSize),
    seed: Number(mix.seed),
    ...(trainPerClass === undefined ? {} : { trainPerClass }),
  };
}
