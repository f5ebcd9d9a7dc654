/** The flags and the run of the mixed clean/distorted training commands: correct, finetune (and study's mix). */
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { RequestInput } from '../../../shared/bridge/contract.ts';
import { MIX_DEFAULTS, SGD_NESTEROV } from '../../../shared/bridge/defaults.ts';
import { parseDistortionKind, resolveLevels } from '../../../shared/distortions.ts';
import type { Progress } from '../../../shared/progress.ts';
import { describeStop, MAX_PATIENCE } from '../../../shared/training.ts';
import { describeAugment, parseAugment, type AugmentOptions } from '../train/augment.ts';
import { describeSchedule, parseSchedule } from '../train/schedule.ts';
import { commandLine } from './command-line.ts';
import {
  checkInput,
  checkOutput,
  checkWorkspaceFolder,
  DATASET,
  MODEL_FOLDER,
  OUTPUT_FOLDER,
} from './input-check.ts';
import { keptLine, WORKSPACE_HELP } from './kept-line.ts';
import { isCancellation, withEngine } from './lazy-engine.ts';
import { finiteNumber, fraction, intBetween, nonNegativeInt, parsed, positiveInt } from './options.ts';
import { cancellableBySigint, progressLine } from './progress-line.ts';
import { addOpenOptions } from './commands/dataset.ts';
import {
  optimizerOf,
  RECORD_PATHS_FLAGS,
  RECORD_PATHS_HELP,
  recordPathsOf,
  type TrainingFlags,
} from './training-flags.ts';

/** Flags shared by `correct` and `finetune`: the data, the distortion mix and the training budget. */
export interface MixedFlags extends TrainingFlags {
  model: string;
  dataset: string;
  distortion: string;
  levels: string;
  out: string;
  lr?: number;
  augment: AugmentOptions;
  distorted: number;
  resume?: boolean;
  workspace?: string;
}

/**
 * The options of the clean/distorted training mix and its schedule, shared by correct, finetune and study:
 * momentum, Nesterov, schedule, augmentation, distorted share, validation share, training subset.
 */
export function addMixOptions(command: Command): Command {
  return command
    .option('--momentum <m>', 'sgd momentum', finiteNumber, SGD_NESTEROV.momentum)
    .option('--no-nesterov', 'classical momentum instead of Nesterov momentum')
    .addOption(
      new Option(
        '--schedule <kind>',
        'learning rate per epoch: constant, cosine, step:<every>:<factor>, or plateau:<epochs>:<factor> (reduce after that many epochs without a better validation mean)',
      )
        .argParser(parsed(parseSchedule))
        .default(MIX_DEFAULTS.schedule, describeSchedule(MIX_DEFAULTS.schedule)),
    )
    .option(
      '--patience <n>',
      'stop after n epochs in a row without a better validation mean (clean + levels), keeping the best; 0: never',
      intBetween(0, MAX_PATIENCE),
      MIX_DEFAULTS.patience,
    )
    .addOption(
      new Option('--augment <list>', 'augmentation of the clean images: flip, shift:<px>, or none')
        .argParser(parsed(parseAugment))
        .default(MIX_DEFAULTS.augment, describeAugment(MIX_DEFAULTS.augment)),
    )
    .option(
      '--distorted <fraction>',
      'share of each batch distorted',
      fraction(0, 1),
      MIX_DEFAULTS.distortedFraction,
    )
    .option(
      '--val <fraction>',
      'share of the train split held out for model selection when the base model records no held-out images (else those, or with --train-per-class as many of them as this share implies)',
      fraction(0, 0.5),
      MIX_DEFAULTS.validationFraction,
    )
    .option(
      '--train-per-class <n>',
      'train on a seeded stratified subset of n images per class',
      positiveInt,
    );
}

/** Adds the options of a mixed clean/distorted training run; `lr` is the command's default learning rate. */
export function addMixedOptions(command: Command, lr: number): Command {
  return addOpenOptions(
    addMixOptions(command)
      .requiredOption('--model <folder>', 'the base model folder')
      .requiredOption(
        '--dataset <path>',
        'dataset to train on (its train split; its val split if it has one)',
      )
      .option('--distortion <kind>', 'distortion (one model per kind)', 'blur')
      .option(
        '--levels <levels>',
        'paper-cifar, paper-imagenet, severity, or a list of values',
        'paper-cifar',
      )
      .option(
        '--epochs <n>',
        'the most epochs to train (--patience may stop earlier)',
        positiveInt,
        MIX_DEFAULTS.epochs,
      )
      .requiredOption('--out <folder>', 'model folder to write')
      .option('--batch <n>', 'batch size', positiveInt, MIX_DEFAULTS.batchSize)
      .option('--optimizer <name>', 'sgd (Nesterov momentum) or adam', 'sgd')
      .option('--lr <rate>', `base learning rate (default ${lr} for sgd, 0.001 for adam)`, finiteNumber)
      .option(
        '--seed <n>',
        'seed of the split, batches, mix, distortions and units',
        nonNegativeInt,
        MIX_DEFAULTS.seed,
      )
      .option(
        '--replicas <n>',
        'data-parallel replicas (default: one per core on wasm; 1 when layers are frozen, docs/correction.md)',
        positiveInt,
      )
      .option(
        '--resume',
        'continue the checkpoint in <out>/checkpoint (same settings), if it has one; else start afresh',
      )
      .option('--workspace <folder>', WORKSPACE_HELP)
      .option(RECORD_PATHS_FLAGS, RECORD_PATHS_HELP),
  );
}

/** The request's input of the flags every mixed training command shares, with the base model and dataset. */
function mixedInput(flags: MixedFlags, lr: number, modelId: string, datasetId: string) {
  const kind = parseDistortionKind(flags.distortion);
  return {
    modelId,
    datasetId,
    spec: { kind },
    levels: resolveLevels(kind, flags.levels),
    epochs: flags.epochs,
    patience: flags.patience,
    batchSize: flags.batch,
    seed: flags.seed,
    optimizer: optimizerOf(flags, flags.lr, lr),
    schedule: flags.schedule,
    augment: flags.augment,
    distortedFraction: flags.distorted,
    validationFraction: flags.val,
    ...(flags.trainPerClass === undefined ? {} : { trainPerClass: flags.trainPerClass }),
    resume: flags.resume === true,
    outDir: path.resolve(flags.out),
    ...(flags.workspace === undefined ? {} : { workspace: path.resolve(flags.workspace) }),
  };
}

/** Refuses a --workspace that is not a workspace (the commands check it before anything loads tfjs). */
export async function checkMixedWorkspace(flags: Pick<MixedFlags, 'workspace'>): Promise<void> {
  if (flags.workspace !== undefined) await checkWorkspaceFolder('--workspace', flags.workspace);
}

type MixedName = 'correct.train' | 'finetune.train';

/**
 * Runs unit training or fine-tuning from the command line: opens the dataset and base model, runs the use
 * case cancellable by Ctrl-C, prints each epoch and the ending lines. A cancel exits with 130 and leaves the
 * checkpoint of the last finished epoch, if any (the model is saved only at the end); it says how to resume.
 */
export async function runMixedCommand<N extends MixedName>(
  program: Command,
  name: N,
  flags: MixedFlags,
  lr: number,
  extra: Omit<RequestInput<N>, keyof ReturnType<typeof mixedInput>>,
): Promise<void> {
  const tty = process.stdout.isTTY;
  const print = (line: string): void => void process.stdout.write(`${line}\n`);
  await checkInput('--model', flags.model, MODEL_FOLDER);
  await checkInput('--dataset', flags.dataset, DATASET);
  await checkOutput('--out', flags.out, OUTPUT_FOLDER);
  await checkMixedWorkspace(flags);
  const { percent } = await import('../use-cases/training-lines.ts');
  try {
    await withEngine(
      program,
      async (engine) => {
        const datasetId = await engine.openDataset(flags.dataset, flags);
        const modelId = await engine.openModel(flags.model);
        const input = { ...mixedInput(flags, lr, modelId, datasetId), ...extra } as RequestInput<N>;
        const result = await cancellableBySigint((signal) =>
          engine.run(name, input, {
            signal,
            command: commandLine(),
            tool: `deepcorrect ${name === 'correct.train' ? 'correct' : 'finetune'}`,
            ...recordPathsOf(flags),
            ...(flags.replicas === undefined ? {} : { replicas: flags.replicas }),
            ...(tty ? { progress: (p: Progress) => process.stdout.write(progressLine(p)) } : {}),
            log: (line) => print(`${tty ? '\r\x1b[K' : ''}${line}`),
          }),
        );
        const best = result.history.find((h) => h.epoch === result.bestEpoch);
        process.stdout.write(
          (result.resumedFrom === undefined ? '' : `resumed after epoch ${result.resumedFrom}\n`) +
            `model: ${result.modelDir}\n` +
            `trainable parameters: ${result.trainableParameters.toLocaleString('en-US')}\n` +
            `best epoch: ${result.bestEpoch} (val mean over clean + ${input.levels.length} levels ${percent(best?.valMean ?? NaN)}), ` +
            `${result.seconds.toFixed(1)} s\n` +
            `stopped: ${describeStop(result.stop)}\n` +
            `validation: ${result.validation}\n`,
        );
        keptLine(result.saved);
      },
      print,
    );
  } catch (error) {
    if (!(await isCancellation(error))) throw error;
    const { cancelNote } = await import('./cancel-note.ts');
    process.stderr.write(`${tty ? '\n' : ''}cancelled: ${await cancelNote(flags.out, 'mixed')}\n`);
    process.exitCode = 130;
  }
}
