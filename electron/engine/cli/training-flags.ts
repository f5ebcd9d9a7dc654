import { InvalidArgumentError } from 'commander';
import { ADAM_LEARNING_RATE } from '../../../shared/bridge/defaults.ts';
import type { OptimizerSpec } from '../train/optimizer.ts';
import type { LearningRateSchedule } from '../train/schedule.ts';
import type { OpenFlags } from './commands/dataset.ts';

/** The flags every training command has (train, correct, finetune, study), as commander parses them. */
export interface TrainingFlags extends OpenFlags {
  /** The budget: the most epochs trained. */
  epochs: number;
  /** Epochs in a row without a better validation score that stop training (0: never). */
  patience: number;
  batch: number;
  optimizer: string;
  momentum: number;
  nesterov: boolean;
  schedule: LearningRateSchedule;
  val: number;
  trainPerClass?: number;
  seed: number;
  replicas?: number;
  /** --record-paths: absolute paths in what is written (else portable ones, io/recorded-path.ts). */
  recordPaths?: boolean;
}

/** --record-paths, the same words in every training command. */
export const RECORD_PATHS_FLAGS = '--record-paths';
export const RECORD_PATHS_HELP =
  "record absolute paths in what is written (provenance, study.json, report.json); by default a bundled resource is recorded as resources/..., a path inside the study's folder or workspace relative to it, anything else by its folder name";

/** The run option --record-paths asks for. */
export function recordPathsOf(flags: Pick<TrainingFlags, 'recordPaths'>): { recordPaths?: true } {
  return flags.recordPaths === true ? { recordPaths: true } : {};
}

/** The optimiser the flags ask for: sgd (with their momentum) or adam, at `learningRate` or the kind's default. */
export function optimizerOf(
  flags: Pick<TrainingFlags, 'optimizer' | 'momentum' | 'nesterov'>,
  learningRate: number | undefined,
  sgdDefault: number,
): OptimizerSpec {
  const kind = flags.optimizer.trim().toLowerCase();
  if (kind !== 'sgd' && kind !== 'adam')
    throw new InvalidArgumentError(`optimizer "${flags.optimizer}" is not sgd or adam`);
  const rate = learningRate ?? (kind === 'adam' ? ADAM_LEARNING_RATE : sgdDefault);
  if (!(rate > 0)) throw new InvalidArgumentError(`learning rate must be positive, not ${rate}`);
  if (kind === 'adam') return { kind, learningRate: rate };
  if (!(flags.momentum >= 0 && flags.momentum < 1))
    throw new InvalidArgumentError(`momentum must be within [0, 1), not ${flags.momentum}`);
  return { kind, learningRate: rate, momentum: flags.momentum, nesterov: flags.nesterov };
}
