/**
 * The Models view's "Train baseline" form: its settings, checked with the contract's models.train schema (so the
 * form says what is wrong before the engine would refuse it), and the live curves drawn from the job's progress
 * metrics (electron/engine/train/run-training.ts reports epoch, batch, batches, loss, accuracy, imagesPerSecond,
 * learningRate and, after the first epoch, valAccuracy/valLoss).
 */
import { CONTRACT, type RequestInput } from '../../../shared/bridge/contract.ts';
import { ADAM_LEARNING_RATE, SGD_NESTEROV, TRAIN_DEFAULTS } from '../../../shared/bridge/defaults.ts';
import { ifGiven, type FormNumber } from './form-number.ts';
import { checkDraft, type CheckedDraft } from './schema-issues.ts';

export type TrainBaselineInput = RequestInput<'models.train'>;
export const ARCHS = CONTRACT['models.train'].input.shape.arch.options;
export type Arch = TrainBaselineInput['arch'];

export interface TrainBaselineForm {
  arch: Arch;
  epochs: FormNumber;
  /** Epochs in a row without a better validation accuracy that end the run early (0: never). */
  patience: FormNumber;
  batchSize: FormNumber;
  optimizer: 'sgd' | 'adam';
  learningRate: FormNumber;
  momentum: FormNumber;
  nesterov: boolean;
  schedule: 'constant' | 'step' | 'cosine';
  stepEvery: FormNumber;
  stepFactor: FormNumber;
  flip: boolean;
  shift: FormNumber;
  validationFraction: FormNumber;
  /** Empty (null or NaN from an emptied number field) for the whole training split. */
  trainPerClass: FormNumber | null;
  seed: FormNumber;
  outDir: string;
}

/**
 * `deepcorrect train`'s defaults (TRAIN_DEFAULTS: Adam 0.001, the rate divided by 10 every 10 epochs, at most
 * 30 epochs with early stopping, flips and 2-pixel shifts), so a base trained in the app is trained as well as
 * one from the command line; only the training set starts small (200 a class) so a first run takes minutes.
 */
export function defaultTrainForm(): TrainBaselineForm {
  return {
    arch: 'cnn4',
    epochs: TRAIN_DEFAULTS.epochs,
    patience: TRAIN_DEFAULTS.patience,
    batchSize: 128,
    optimizer: TRAIN_DEFAULTS.optimizer,
    learningRate: ADAM_LEARNING_RATE,
    momentum: SGD_NESTEROV.momentum,
    nesterov: SGD_NESTEROV.nesterov,
    schedule: TRAIN_DEFAULTS.schedule.kind,
    stepEvery: TRAIN_DEFAULTS.schedule.every,
    stepFactor: TRAIN_DEFAULTS.schedule.factor,
    flip: true,
    shift: 2,
    validationFraction: 0.1,
    trainPerClass: 200,
    seed: 1,
    outDir: '',
  };
}

const LABELS = {
  arch: 'The architecture',
  epochs: 'Epochs',
  patience: 'Patience (epochs)',
  batchSize: 'Batch size',
  'optimizer.learningRate': 'The learning rate',
  'optimizer.momentum': 'Momentum',
  'schedule.every': 'The step schedule’s "every" (epochs)',
  'schedule.factor': 'The step factor',
  'augment.shift': 'The shift augmentation (pixels)',
  validationFraction: 'The validation fraction',
  trainPerClass: { label: 'Training images per class', empty: 'all' },
  seed: 'The seed',
  outDir: { label: 'The output folder path', missing: 'Choose an output folder for the new model.' },
};

/** The form as a models.train input, checked by the contract's schema. */
export function checkTrainForm(f: TrainBaselineForm, datasetId: string): CheckedDraft<TrainBaselineInput> {
  const draft = {
    datasetId,
    arch: f.arch,
    epochs: f.epochs,
    patience: f.patience,
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
    ...ifGiven('trainPerClass', f.trainPerClass),
    outDir: f.outDir.trim(),
  };
  return checkDraft(CONTRACT['models.train'].input, draft, LABELS);
}

/** What is wrong with the form, in words (the first problem), or null when it can be submitted. */
export function trainFormProblem(f: TrainBaselineForm, datasetId: string | null): string | null {
  if (datasetId === null)
    return 'Open a dataset first (Datasets view): the baseline trains on its train split.';
  return checkTrainForm(f, datasetId).first;
}

/** The models.train input of a valid form (check trainFormProblem first). */
export function trainInput(f: TrainBaselineForm, datasetId: string): TrainBaselineInput {
  const checked = checkTrainForm(f, datasetId);
  if (!checked.ok) throw new Error(checked.first);
  return checked.input;
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
