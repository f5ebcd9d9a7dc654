import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { ADAM_LEARNING_RATE, SGD_NESTEROV, TRAIN_DEFAULTS } from '../../../../shared/bridge/defaults.ts';
import type { Progress } from '../../../../shared/progress.ts';
import { MAX_PATIENCE } from '../../../../shared/training.ts';
import { ARCHITECTURES, parseArchitecture, type Architecture } from '../../models/architectures.ts';
import { NO_AUGMENT, parseAugment, type AugmentOptions } from '../../train/augment.ts';
import { describeSchedule, parseSchedule } from '../../train/schedule.ts';
import { checkInput, checkOutput, checkWorkspaceFolder, DATASET, OUTPUT_FOLDER } from '../input-check.ts';
import { isCancellation, withEngine } from '../lazy-engine.ts';
import { finiteNumber, intBetween, nonNegativeInt, parsed, positiveInt } from '../options.ts';
import { cancellableBySigint } from '../progress-line.ts';
import {
  optimizerOf,
  RECORD_PATHS_FLAGS,
  RECORD_PATHS_HELP,
  recordPathsOf,
  type TrainingFlags,
} from '../training-flags.ts';
import { addOpenOptions } from './dataset.ts';
import { commandLine } from '../command-line.ts';
import { keptLine, WORKSPACE_HELP } from '../kept-line.ts';

interface TrainFlags extends TrainingFlags {
  dataset: string;
  arch: Architecture;
  out: string;
  lr?: number;
  /** The parsed list, or false for --no-augment. */
  augment: AugmentOptions | false;
  resume?: boolean;
  workspace?: string;
}

/** An option parsed by `parse`, whose default is shown in --help as typed rather than as the parsed object. */
function parsedOption<T>(
  flags: string,
  description: string,
  parse: (value: string) => T,
  fallback: string,
): Option {
  return new Option(flags, description).argParser(parsed(parse)).default(parse(fallback), fallback);
}

function validationFraction(value: string): number {
  const n = finiteNumber(value);
  if (n < 0 || n > 0.5) throw new InvalidArgumentError(`"${value}" is not a fraction within 0..0.5`);
  return n;
}

/** The TTY progress line: where the run is, the epoch's running figures, the last validation, time left. */
function trainingLine(p: Progress, percent: (v: number) => string): string {
  const m = p.metrics ?? {};
  const parts = [`${p.stage}: ${(p.fraction * 100).toFixed(0).padStart(3)}%`];
  if (m.loss !== undefined) parts.push(`loss ${m.loss.toFixed(3)}`);
  if (m.accuracy !== undefined) parts.push(`acc ${percent(m.accuracy)}`);
  if (m.valAccuracy !== undefined) parts.push(`val ${percent(m.valAccuracy)}`);
  if (m.imagesPerSecond !== undefined) parts.push(`${m.imagesPerSecond.toFixed(0)} images/s`);
  if (p.etaSeconds !== undefined) parts.push(`${Math.ceil(p.etaSeconds)} s left`);
  return `\r${parts.join(', ')}\x1b[K`;
}

export function registerTrain(program: Command): void {
  addOpenOptions(
    program
      .command('train')
      .description(
        'train a baseline classifier from scratch: schedule, augmentation, validation, per-epoch checkpoints and resume',
      )
      .requiredOption(
        '--dataset <path>',
        'dataset to train on (its train split; its val split if it has one)',
      )
      .requiredOption('--arch <name>', `architecture: ${ARCHITECTURES.join(', ')}`, parsed(parseArchitecture))
      .option(
        '--epochs <n>',
        'the most epochs to train (--patience may stop earlier; a resumed run continues up to this many)',
        positiveInt,
        TRAIN_DEFAULTS.epochs,
      )
      .option(
        '--patience <n>',
        'stop after n epochs in a row without a better validation accuracy, keeping the best; 0: never',
        intBetween(0, MAX_PATIENCE),
        TRAIN_DEFAULTS.patience,
      )
      .requiredOption(
        '--out <folder>',
        'model folder to write (new or empty; holds the checkpoint while training)',
      )
      .option('--batch <n>', 'batch size', positiveInt, 128)
      .option('--optimizer <name>', 'sgd (with momentum) or adam', TRAIN_DEFAULTS.optimizer)
      .option(
        '--lr <rate>',
        `base learning rate (default ${SGD_NESTEROV.learningRate} for sgd, ${ADAM_LEARNING_RATE} for adam)`,
        finiteNumber,
      )
      .option('--momentum <m>', 'sgd momentum, 0 for plain sgd', finiteNumber, 0.9)
      .option('--no-nesterov', 'classical momentum instead of Nesterov momentum')
      .addOption(
        parsedOption(
          '--schedule <kind>',
          'learning-rate schedule per epoch: constant, cosine, step:<every>:<factor>, or plateau:<epochs>:<factor> (reduce after that many epochs without a better validation accuracy)',
          parseSchedule,
          describeSchedule(TRAIN_DEFAULTS.schedule),
        ),
      )
      .addOption(
        parsedOption(
          '--augment <list>',
          'training augmentation: comma list of flip and shift:<pixels>, or none',
          parseAugment,
          'flip,shift:2',
        ),
      )
      .option('--no-augment', 'no augmentation')
      .option(
        '--val <fraction>',
        'share of the train split held out (stratified) to validate on, 0..0.5, when there is no val split',
        validationFraction,
        0.1,
      )
      .option(
        '--train-per-class <n>',
        'train on a seeded stratified subset of n images per class',
        positiveInt,
      )
      .option(
        '--seed <n>',
        'seed of the weights, the split, the batch order and the augmentation',
        nonNegativeInt,
        1,
      )
      .option('--resume', 'continue the checkpoint in the --out folder (same data settings), if it has one')
      .option('--replicas <n>', 'data-parallel replicas (default: one per core on wasm)', positiveInt)
      .option('--workspace <folder>', WORKSPACE_HELP)
      .option(RECORD_PATHS_FLAGS, RECORD_PATHS_HELP),
  ).action(async (flags: TrainFlags) => {
    const { arch } = flags;
    const optimizer = optimizerOf(flags, flags.lr, SGD_NESTEROV.learningRate);
    const augment = flags.augment === false ? NO_AUGMENT : flags.augment;
    const out = path.resolve(flags.out);
    const tty = process.stdout.isTTY;
    const print = (line: string): void => void process.stdout.write(`${line}\n`);
    await checkInput('--dataset', flags.dataset, DATASET);
    await checkOutput('--out', flags.out, OUTPUT_FOLDER);
    if (flags.workspace !== undefined) await checkWorkspaceFolder('--workspace', flags.workspace);
    const { percent } = await import('../../use-cases/training-lines.ts');
    try {
      await withEngine(
        program,
        async (engine) => {
          const datasetId = await engine.openDataset(flags.dataset, flags);
          const result = await cancellableBySigint((signal) =>
            engine.run(
              'models.train',
              {
                datasetId,
                arch,
                outDir: out,
                epochs: flags.epochs,
                patience: flags.patience,
                batchSize: flags.batch,
                seed: flags.seed,
                optimizer,
                schedule: flags.schedule,
                augment,
                validationFraction: flags.val,
                ...(flags.trainPerClass === undefined ? {} : { trainPerClass: flags.trainPerClass }),
                resume: flags.resume === true,
                ...(flags.workspace === undefined ? {} : { workspace: path.resolve(flags.workspace) }),
              },
              {
                signal,
                command: commandLine(),
                tool: 'deepcorrect train',
                ...recordPathsOf(flags),
                ...(flags.replicas === undefined ? {} : { replicas: flags.replicas }),
                ...(tty ? { progress: (p: Progress) => process.stdout.write(trainingLine(p, percent)) } : {}),
                log: (line) => print(`${tty ? '\r\x1b[K' : ''}${line}`),
              },
            ),
          );
          print(
            `${tty ? '\r\x1b[K' : ''}model: ${out} (${arch}, ${result.metadata.parameters.toLocaleString('en-US')} parameters), ` +
              `best val accuracy ${percent(result.bestValAccuracy ?? NaN)} at epoch ${result.bestEpoch}`,
          );
          keptLine(result.saved);
        },
        print,
      );
    } catch (error) {
      if (!(await isCancellation(error))) throw error;
      const { cancelNote } = await import('../cancel-note.ts');
      process.stderr.write(`${tty ? '\n' : ''}cancelled: ${await cancelNote(out, 'baseline')}\n`);
      process.exitCode = 130;
    }
  });
}
