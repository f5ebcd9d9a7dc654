import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Progress } from '../../../../shared/progress.ts';
import { selectBackend } from '../../backend/ladder.ts';
import { releaseBackends } from '../../backend/probes.ts';
import { openDataset } from '../../data/open-dataset.ts';
import { ARCHITECTURES, parseArchitecture, type Architecture } from '../../models/registry.ts';
import { describeAugment, NO_AUGMENT, parseAugment, type AugmentOptions } from '../../train/augment.ts';
import { CHECKPOINT_FOLDER } from '../../train/checkpoint.ts';
import { AbortError } from '../../train/fit.ts';
import { describeOptimizer, type OptimizerSpec } from '../../train/optimizer.ts';
import { runTraining, type EpochSummary } from '../../train/run-training.ts';
import { describeSchedule, parseSchedule, type LearningRateSchedule } from '../../train/schedule.ts';
import { finiteNumber, nonNegativeInt, positiveInt } from '../options.ts';
import { cancellableBySigint } from '../progress-line.ts';
import { addOpenOptions, openOptions, type OpenFlags } from './dataset.ts';

interface TrainFlags extends OpenFlags {
  dataset: string;
  arch: Architecture;
  epochs: number;
  out: string;
  batch: number;
  optimizer: string;
  lr?: number;
  momentum: number;
  nesterov: boolean;
  schedule: LearningRateSchedule;
  /** The parsed list, or false for --no-augment. */
  augment: AugmentOptions | false;
  val: number;
  trainPerClass?: number;
  seed: number;
  resume?: boolean;
  replicas?: number;
}

/** Default learning rates: safe for training the small architectures from scratch. */
const DEFAULT_LR = { sgd: 0.01, adam: 0.001 } as const;

/** Wraps a parser that throws RangeError into one commander reports as a bad option value. */
function asOption<T>(parse: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (error) {
      throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
    }
  };
}

/** An option parsed by `parse`, whose default is shown in --help as typed rather than as the parsed object. */
function parsedOption<T>(
  flags: string,
  description: string,
  parse: (value: string) => T,
  fallback: string,
): Option {
  return new Option(flags, description).argParser(asOption(parse)).default(parse(fallback), fallback);
}

function validationFraction(value: string): number {
  const n = finiteNumber(value);
  if (n < 0 || n > 0.5) throw new InvalidArgumentError(`"${value}" is not a fraction within 0..0.5`);
  return n;
}

function optimizerOf(flags: TrainFlags): OptimizerSpec {
  const kind = flags.optimizer.trim().toLowerCase();
  if (kind !== 'sgd' && kind !== 'adam')
    throw new InvalidArgumentError(`optimizer "${flags.optimizer}" is not sgd or adam`);
  const learningRate = flags.lr ?? DEFAULT_LR[kind];
  if (!(learningRate > 0))
    throw new InvalidArgumentError(`learning rate must be positive, not ${learningRate}`);
  if (kind === 'adam') return { kind, learningRate };
  if (!(flags.momentum >= 0 && flags.momentum < 1))
    throw new InvalidArgumentError(`momentum must be within [0, 1), not ${flags.momentum}`);
  return { kind, learningRate, momentum: flags.momentum, nesterov: flags.nesterov };
}

const percent = (v: number): string => (Number.isNaN(v) ? 'n/a' : `${(v * 100).toFixed(1)}%`);

/** The TTY progress line: where the run is, the epoch's running figures, the last validation, time left. */
function trainingLine(p: Progress): string {
  const m = p.metrics ?? {};
  const parts = [`${p.stage}: ${(p.fraction * 100).toFixed(0).padStart(3)}%`];
  if (m.loss !== undefined) parts.push(`loss ${m.loss.toFixed(3)}`);
  if (m.accuracy !== undefined) parts.push(`acc ${percent(m.accuracy)}`);
  if (m.valAccuracy !== undefined) parts.push(`val ${percent(m.valAccuracy)}`);
  if (m.imagesPerSecond !== undefined) parts.push(`${m.imagesPerSecond.toFixed(0)} images/s`);
  if (p.etaSeconds !== undefined) parts.push(`${Math.ceil(p.etaSeconds)} s left`);
  return `\r${parts.join(', ')}\x1b[K`;
}

export function epochLine(r: EpochSummary, epochs: number): string {
  return (
    `epoch ${r.epoch}/${epochs}: loss ${r.loss.toFixed(4)}, acc ${percent(r.accuracy)}, ` +
    `val loss ${Number.isNaN(r.valLoss) ? 'n/a' : r.valLoss.toFixed(4)}, val acc ${percent(r.valAccuracy)}, ` +
    `lr ${r.learningRate.toPrecision(3)}, ${r.imagesPerSecond.toFixed(0)} images/s, ${r.seconds.toFixed(1)} s`
  );
}

/** The command as typed, for the model's provenance (arguments with spaces quoted). */
function commandLine(): string {
  const args = process.argv.slice(2).map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a));
  return ['deepcorrect', ...args].join(' ');
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
      .requiredOption(
        '--arch <name>',
        `architecture: ${ARCHITECTURES.join(', ')}`,
        asOption(parseArchitecture),
      )
      .requiredOption(
        '--epochs <n>',
        'epochs to train in all (a resumed run continues up to this many)',
        positiveInt,
      )
      .requiredOption(
        '--out <folder>',
        'model folder to write (new or empty; holds the checkpoint while training)',
      )
      .option('--batch <n>', 'batch size', positiveInt, 128)
      .option('--optimizer <name>', 'sgd (with momentum) or adam', 'sgd')
      .option(
        '--lr <rate>',
        `base learning rate (default ${DEFAULT_LR.sgd} for sgd, ${DEFAULT_LR.adam} for adam)`,
        finiteNumber,
      )
      .option('--momentum <m>', 'sgd momentum, 0 for plain sgd', finiteNumber, 0.9)
      .option('--no-nesterov', 'classical momentum instead of Nesterov momentum')
      .addOption(
        parsedOption(
          '--schedule <kind>',
          'learning-rate schedule per epoch: constant, cosine, or step:<every>:<factor>',
          parseSchedule,
          'step:10:0.1',
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
      .option('--replicas <n>', 'data-parallel replicas (default: one per core on wasm)', positiveInt),
  ).action(async (flags: TrainFlags) => {
    const { arch } = flags;
    const optimizer = optimizerOf(flags);
    const augment = flags.augment === false ? NO_AUGMENT : flags.augment;
    const { backend } = program.opts<{ backend?: string }>();
    const choice = await selectBackend({ forced: backend, log: (l) => process.stderr.write(`${l}\n`) });
    process.stdout.write(`backend: ${choice.name} (${choice.reason}) on ${choice.device}\n`);
    const dataset = await openDataset(flags.dataset, openOptions(flags));
    const out = path.resolve(flags.out);
    const tty = process.stdout.isTTY;
    let lastEpoch = 0;
    try {
      const result = await cancellableBySigint((signal) =>
        runTraining({
          dataset,
          arch,
          outDir: out,
          epochs: flags.epochs,
          batchSize: flags.batch,
          seed: flags.seed,
          optimizer,
          schedule: flags.schedule,
          augment,
          validationFraction: flags.val,
          ...(flags.trainPerClass === undefined ? {} : { trainPerClass: flags.trainPerClass }),
          resume: flags.resume === true,
          backend: choice.name,
          ...(flags.replicas === undefined ? {} : { replicas: flags.replicas }),
          signal,
          command: commandLine(),
          onStart: (i) => {
            lastEpoch = i.firstEpoch - 1;
            if (i.firstEpoch > 1) process.stdout.write(`resuming ${out} after epoch ${i.firstEpoch - 1}\n`);
            const validation =
              i.valImages === 0
                ? 'no validation (the last epoch is kept)'
                : `validating on ${i.valImages} (${i.valSource === 'val' ? 'the val split' : `${flags.val} of the train split, held out`})`;
            process.stdout.write(
              `training ${arch} (${i.parameters.toLocaleString('en-US')} parameters) on ${i.trainImages} images of ` +
                `${dataset.summary.name} (${i.classes} classes), ${validation}, ` +
                `${i.replicas} replica(s)\n` +
                `${describeOptimizer(optimizer)}; schedule ${describeSchedule(flags.schedule)}; ` +
                `augment ${describeAugment(augment)}; batch ${flags.batch}; seed ${flags.seed}\n`,
            );
          },
          ...(tty ? { onProgress: (p: Progress) => process.stdout.write(trainingLine(p)) } : {}),
          onEpoch: (r) => {
            lastEpoch = r.epoch;
            process.stdout.write(`${tty ? '\r\x1b[K' : ''}${epochLine(r, flags.epochs)}\n`);
          },
        }),
      );
      const best = result.history.find((h) => h.epoch === result.bestEpoch);
      result.model.dispose();
      process.stdout.write(
        `${tty ? '\r\x1b[K' : ''}model: ${out} (${arch}, ${result.metadata.parameters.toLocaleString('en-US')} parameters), ` +
          `best val accuracy ${percent(best?.valAccuracy ?? NaN)} at epoch ${result.bestEpoch}\n`,
      );
    } catch (error) {
      if (!(error instanceof AbortError)) throw error;
      const where = path.join(out, CHECKPOINT_FOLDER);
      const kept =
        lastEpoch > 0
          ? `the checkpoint after epoch ${lastEpoch} is in ${where}; run the same command with --resume to continue`
          : flags.resume === true
            ? `the checkpoint in ${where}, if any, is unchanged; run the same command again to continue`
            : 'no epoch had finished, so there is no checkpoint to resume';
      process.stderr.write(`${tty ? '\n' : ''}cancelled: ${kept}\n`);
      process.exitCode = 130;
    } finally {
      await dataset.close();
      releaseBackends();
    }
  });
}
