/**
 * The study form's starting settings and the `deepcorrect study` command line its settings amount to. The form
 * starts from the README's study of the demo (the one resources/studies ships), so a first run from the app
 * repeats the study the README reports; the line under the form shows the same settings as a command, naming
 * only what differs from the command's defaults. tests/renderer/study-command.test.ts checks the starting
 * command against README.md.
 */
import {
  ADAM_LEARNING_RATE,
  FINE_TUNE_DEFAULTS,
  CORRECT_DEFAULTS,
  MIX_DEFAULTS,
  SGD_NESTEROV,
  STUDY_DEFAULTS,
} from '../../../shared/bridge/defaults.ts';
import type { DistortionKind } from '../../../shared/distortions.ts';
import { isBlank, type FormNumber } from './form-number.ts';

/**
 * The README's study: `npx deepcorrect study --distortion blur --seeds 3 --rank-images 200 --train-per-class 100
 * --val 0.5` (three seeds trained to convergence on 1,000 training images, validated on the base model's 1,000
 * held-out images; 41 minutes on 2 cores), every other setting at the command's defaults.
 */
export const README_STUDY = {
  kind: 'blur',
  levelsName: 'paper-cifar',
  seeds: 3,
  rankImages: 200,
  trainPerClass: 100,
  validationFraction: 0.5,
} as const;

/** The numbers the study form starts from: the README's study and, for the rest, `deepcorrect study`'s defaults. */
export function studyStart() {
  return {
    seeds: README_STUDY.seeds as FormNumber,
    rankImages: README_STUDY.rankImages as FormNumber,
    trainPerClass: README_STUDY.trainPerClass as FormNumber,
    validationFraction: README_STUDY.validationFraction as FormNumber,
    epochs: STUDY_DEFAULTS.epochs as FormNumber,
    batchSize: MIX_DEFAULTS.batchSize as FormNumber,
  };
}

/** What the form holds, as far as the command line has a flag for it. */
export interface StudyCommandSettings {
  kind: DistortionKind;
  /** A preset's name or the list of levels ("1,2,3"). */
  levelsName: string;
  seeds: FormNumber;
  epochs: FormNumber;
  rankImages: FormNumber;
  trainPerClass: FormNumber;
  validationFraction: FormNumber;
  placement: 'pre-activation' | 'post-activation';
  beta: FormNumber;
  /** The chosen conv layers, in the model's order, and the model's first STUDY_DEFAULTS.firstLayers ones. */
  layers: readonly string[];
  defaultLayers: readonly string[];
  rankMethod: 'proxy' | 'oracle' | 'both';
  fineTuneLayers: string;
  batchSize: FormNumber;
  optimizer: { kind: 'sgd' | 'adam'; learningRate: FormNumber; momentum: FormNumber; nesterov: boolean };
  testPerClass: FormNumber;
  seed: FormNumber;
  ablation: boolean;
  /** A saved ranking every seed follows (its file): the ranking's method and images are the file's. */
  ranking?: string;
  /** The study folder, when one is typed. */
  outDir?: string;
}

/** A flag and its value when the value differs from the default (a blank value: the default). */
function differs(flag: string, value: number | string, fallback: number | string | undefined): string[] {
  if (isBlank(value) || value === fallback) return [];
  return [flag, String(value)];
}

/** A word of a shell command, quoted when it holds anything but plain path characters. */
function shellWord(word: string): string {
  return /^[\w./:@%+=,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * `npx deepcorrect study ...` for these settings: the distortion always, then each setting that differs from
 * the command's default, in the README's order (levels, seeds, epochs, ranking images, training images,
 * validation share, placement, then the rest).
 */
export function studyCommand(s: StudyCommandSettings): string {
  const sameLayers =
    s.layers.length === s.defaultLayers.length && s.layers.every((l, i) => l === s.defaultLayers[i]);
  const sgd = s.optimizer.kind === 'sgd';
  const unitLr = sgd ? CORRECT_DEFAULTS.optimizer.learningRate : ADAM_LEARNING_RATE;
  const fineLr = sgd ? FINE_TUNE_DEFAULTS.optimizer.learningRate : ADAM_LEARNING_RATE;
  const words = [
    'npx',
    'deepcorrect',
    'study',
    '--distortion',
    s.kind,
    ...differs('--levels', s.levelsName, 'paper-cifar'),
    ...differs('--seeds', s.seeds, STUDY_DEFAULTS.seeds),
    ...differs('--epochs', s.epochs, STUDY_DEFAULTS.epochs),
    ...(s.ranking === undefined ? differs('--rank-images', s.rankImages, STUDY_DEFAULTS.rankImages) : []),
    ...differs('--train-per-class', s.trainPerClass, undefined),
    ...differs('--val', s.validationFraction, MIX_DEFAULTS.validationFraction),
    ...(s.placement === CORRECT_DEFAULTS.placement
      ? []
      : ['--placement', s.placement.startsWith('pre') ? 'pre' : 'post']),
    ...differs('--beta', s.beta, STUDY_DEFAULTS.beta),
    ...(sameLayers || s.layers.length === 0 ? [] : ['--layers', s.layers.join(',')]),
    ...(s.ranking === undefined
      ? differs('--rank', s.rankMethod, STUDY_DEFAULTS.rankMethod)
      : ['--ranking', s.ranking]),
    ...differs('--finetune-layers', s.fineTuneLayers, STUDY_DEFAULTS.fineTuneLayers),
    ...differs('--batch', s.batchSize, MIX_DEFAULTS.batchSize),
    ...(sgd ? [] : ['--optimizer', 'adam']),
    ...differs('--unit-lr', s.optimizer.learningRate, unitLr),
    ...differs('--finetune-lr', s.optimizer.learningRate, fineLr),
    ...(sgd ? differs('--momentum', s.optimizer.momentum, SGD_NESTEROV.momentum) : []),
    ...(sgd && !s.optimizer.nesterov ? ['--no-nesterov'] : []),
    ...differs('--test-per-class', s.testPerClass, undefined),
    ...differs('--seed', s.seed, MIX_DEFAULTS.seed),
    ...(s.ablation ? ['--ablation'] : []),
    ...(s.outDir === undefined || s.outDir.trim() === '' ? [] : ['--out', s.outDir.trim()]),
  ];
  return words.map(shellWord).join(' ');
}
