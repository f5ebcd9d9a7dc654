/**
 * The Models view's "Train baseline" form: its settings, the checks the contract's schema makes (so the form
 * says what is wrong before the engine would refuse it), the models.train input it builds, and the live
 * curves drawn from the job's progress metrics (electron/engine/train/run-training.ts reports epoch, batch,
 * batches, loss, accuracy, imagesPerSecond, learningRate and, after the first epoch, valAccuracy/valLoss).
 */
import type { RequestInput } from '../../../shared/bridge/contract.ts';

export type TrainBaselineInput = RequestInput<'models.train'>;
export const ARCHS = ['cnn4', 'allconv9', 'resnet8', 'resnet20'] as const;
export type Arch = (typeof ARCHS)[number];

export interface TrainBaselineForm {
  arch: Arch;
  epochs: number;
  batchSize: number;
  optimizer: 'sgd' | 'adam';
  learningRate: number;
  momentum: number;
  nesterov: boolean;
  schedule: 'constant' | 'step' | 'cosine';
  stepEvery: number;
  stepFactor: number;
  flip: boolean;
  shift: number;
  validationFraction: number;
  /** Empty (null or NaN from an emptied number field) for the whole training split. */
  trainPerClass: number | null;
  seed: number;
  outDir: string;
}

export function defaultTrainForm(): TrainBaselineForm {
  return {
    arch: 'cnn4',
    epochs: 2,
    batchSize: 64,
    optimizer: 'sgd',
    learningRate: 0.01,
    momentum: 0.9,
    nesterov: true,
    schedule: 'constant',
    stepEvery: 10,
    stepFactor: 0.1,
    flip: false,
    shift: 0,
    validationFraction: 0.1,
    trainPerClass: 200,
    seed: 1,
    outDir: '',
  };
}

const MAX_SEED = 0xffffffff;

function whole(v: number, lo: number, hi: number): boolean {
  return Number.isInteger(v) && v >= lo && v <= hi;
}

/** An optional number field: null/NaN/'' mean "not given". */
export function isBlank(v: number | null | undefined | string): boolean {
  return v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v));
}

/** What is wrong with the form, in words (the first problem), or null when it can be submitted. */
export function trainFormProblem(f: TrainBaselineForm, datasetId: string | null): string | null {
  if (datasetId === null)
    return 'Open a dataset first (Datasets view): the baseline trains on its train split.';
  if (!(ARCHS as readonly string[]).includes(f.arch)) return `Unknown architecture ${String(f.arch)}.`;
  if (!whole(f.epochs, 1, 500)) return 'Epochs must be a whole number from 1 to 500.';
  if (!whole(f.batchSize, 1, 4096)) return 'Batch size must be a whole number from 1 to 4096.';
  if (!(Number.isFinite(f.learningRate) && f.learningRate > 0 && f.learningRate <= 10))
    return 'The learning rate must be above 0 and at most 10.';
  if (f.optimizer === 'sgd' && !(Number.isFinite(f.momentum) && f.momentum >= 0 && f.momentum <= 0.999))
    return 'Momentum must be from 0 to 0.999.';
  if (f.schedule === 'step') {
    if (!whole(f.stepEvery, 1, Number.MAX_SAFE_INTEGER))
      return 'The step schedule needs "every" as a whole number of epochs, 1 or more.';
    if (!(Number.isFinite(f.stepFactor) && f.stepFactor > 0 && f.stepFactor <= 1))
      return 'The step factor must be above 0 and at most 1.';
  }
  if (!whole(f.shift, 0, 16)) return 'The shift augmentation must be a whole number of pixels from 0 to 16.';
  if (!(Number.isFinite(f.validationFraction) && f.validationFraction >= 0 && f.validationFraction <= 0.5))
    return 'The validation fraction must be from 0 to 0.5.';
  if (!isBlank(f.trainPerClass) && !whole(f.trainPerClass as number, 1, Number.MAX_SAFE_INTEGER))
    return 'Training images per class must be a whole number, 1 or more (or empty for all).';
  if (!whole(f.seed, 0, MAX_SEED)) return `The seed must be a whole number from 0 to ${MAX_SEED}.`;
  const out = f.outDir.trim();
  if (out === '') return 'Choose an output folder for the new model.';
  if (out.length > 4096) return 'The output folder path is too long (4096 characters at most).';
  return null;
}

/** The models.train input of a valid form (check trainFormProblem first). */
export function trainInput(f: TrainBaselineForm, datasetId: string): TrainBaselineInput {
  return {
    datasetId,
    arch: f.arch,
    epochs: f.epochs,
    batchSize: f.batchSize,
    seed: f.seed,
    optimizer:
      f.optimizer === 'adam'
        ? { kind: 'adam', learningRate: f.learningRate }
        : { kind: 'sgd', learningRate: f.learningRate, momentum: f.momentum, nesterov: f.nesterov },
    schedule:
      f.schedule === 'step'
        ? { kind: 'step', every: f.stepEvery, factor: f.stepFactor }
        : { kind: f.schedule },
    augment: { flip: f.flip, shift: f.shift },
    validationFraction: f.validationFraction,
    ...(isBlank(f.trainPerClass) ? {} : { trainPerClass: f.trainPerClass as number }),
    outDir: f.outDir.trim(),
  };
}

export interface ProgressLike {
  fraction: number;
  metrics: Record<string, number>;
}

export interface TrainCurves {
  /** [progress %, value] pairs. */
  loss: [number, number][];
  accuracy: [number, number][];
  valAccuracy: [number, number][];
  /** The latest report's figures (undefined before the first). */
  latest?: {
    epoch?: number;
    batch?: number;
    batches?: number;
    loss?: number;
    accuracy?: number;
    imagesPerSecond?: number;
    learningRate?: number;
    valAccuracy?: number;
  };
}

/** The curves of a training job's progress history (running loss and accuracy, validation per epoch). */
export function trainCurves(history: readonly ProgressLike[]): TrainCurves {
  const loss: [number, number][] = [];
  const accuracy: [number, number][] = [];
  const valAccuracy: [number, number][] = [];
  let lastVal: number | undefined;
  for (const p of history) {
    const x = p.fraction * 100;
    const m = p.metrics;
    if (Number.isFinite(m['loss'])) loss.push([x, m['loss'] as number]);
    if (Number.isFinite(m['accuracy'])) accuracy.push([x, m['accuracy'] as number]);
    const v = m['valAccuracy'];
    if (v !== undefined && Number.isFinite(v) && v !== lastVal) {
      valAccuracy.push([x, v]);
      lastVal = v;
    }
  }
  const last = history.at(-1)?.metrics;
  const pick = (k: string): Record<string, number> =>
    last !== undefined && Number.isFinite(last[k]) ? { [k]: last[k] as number } : {};
  return {
    loss,
    accuracy,
    valAccuracy,
    ...(last === undefined
      ? {}
      : {
          latest: {
            ...pick('epoch'),
            ...pick('batch'),
            ...pick('batches'),
            ...pick('loss'),
            ...pick('accuracy'),
            ...pick('imagesPerSecond'),
            ...pick('learningRate'),
            ...pick('valAccuracy'),
          },
        }),
  };
}
