import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseDistortionKind, resolveLevels, type DistortionKind } from '../../../../shared/distortions.ts';
import type { Progress } from '../../../../shared/progress.ts';
import { selectBackend } from '../../backend/ladder.ts';
import { releaseBackends } from '../../backend/probes.ts';
import { PLACEMENTS, type Placement } from '../../correct/build.ts';
import { MIXED_CHECKPOINT, MIXED_CHECKPOINT_FOLDER } from '../../correct/mixed-checkpoint.ts';
import { planFromRanking } from '../../correct/plan.ts';
import { trainCorrection, UNIT_OPTIMIZER, type TrainedModel } from '../../correct/train-correction.ts';
import type { MixedEpoch, MixedTrainingOptions } from '../../correct/train-loop.ts';
import type { Dataset } from '../../data/dataset.ts';
import { openDataset } from '../../data/open-dataset.ts';
import { loadModel } from '../../models/model-io.ts';
import type { ModelMetadata } from '../../models/metadata.ts';
import { rankFilters } from '../../rank/rank-filters.ts';
import type { RankingResult } from '../../rank/types.ts';
import { parseAugment, type AugmentOptions } from '../../train/augment.ts';
import { readCheckpointAt } from '../../train/checkpoint-store.ts';
import { AbortError } from '../../train/fit.ts';
import type { OptimizerSpec } from '../../train/optimizer.ts';
import { parseSchedule, type LearningRateSchedule } from '../../train/schedule.ts';
import { finiteNumber, fraction, nonNegativeInt, parsed, positiveInt } from '../options.ts';
import { cancellableBySigint, progressLine } from '../progress-line.ts';
import { addOpenOptions, openOptions, type OpenFlags } from './dataset.ts';

/** Flags shared by `correct` and `finetune`: the data, the distortion mix and the training budget. */
export interface MixedFlags extends OpenFlags {
  model: string;
  dataset: string;
  distortion: string;
  levels: string;
  epochs: number;
  out: string;
  batch: number;
  optimizer: string;
  lr?: number;
  momentum: number;
  nesterov: boolean;
  schedule: LearningRateSchedule;
  augment: AugmentOptions;
  distorted: number;
  val: number;
  trainPerClass?: number;
  seed: number;
  replicas?: number;
  resume?: boolean;
}

interface CorrectFlags extends MixedFlags {
  ranking?: string;
  rank?: string;
  rankPerClass: number;
  layers?: string;
  beta: number;
  placement: string;
}

/**
 * The options of the clean/distorted training mix and its schedule, shared by correct, finetune and study:
 * momentum, Nesterov, schedule, augmentation, distorted share, validation share, training subset.
 */
export function addMixOptions(command: Command): Command {
  return command
    .option('--momentum <m>', 'sgd momentum', finiteNumber, 0.9)
    .option('--no-nesterov', 'classical momentum instead of Nesterov momentum')
    .addOption(
      new Option('--schedule <kind>', 'constant, cosine, or step:<every>:<factor>')
        .argParser(parsed(parseSchedule))
        .default(parseSchedule('step:10:0.1'), 'step:10:0.1'),
    )
    .addOption(
      new Option('--augment <list>', 'augmentation of the clean images: flip, shift:<px>, or none')
        .argParser(parsed(parseAugment))
        .default(parseAugment('flip,shift:2'), 'flip,shift:2'),
    )
    .option('--distorted <fraction>', 'share of each batch distorted', fraction(0, 1), 0.5)
    .option(
      '--val <fraction>',
      'share of the train split held out for model selection',
      fraction(0, 0.5),
      0.1,
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
      .requiredOption('--epochs <n>', 'epochs to train', positiveInt)
      .requiredOption('--out <folder>', 'model folder to write')
      .option('--batch <n>', 'batch size', positiveInt, 128)
      .option('--optimizer <name>', 'sgd (Nesterov momentum) or adam', 'sgd')
      .option('--lr <rate>', `base learning rate (default ${lr} for sgd, 0.001 for adam)`, finiteNumber)
      .option('--seed <n>', 'seed of the split, batches, mix, distortions and units', nonNegativeInt, 1)
      .option(
        '--replicas <n>',
        'data-parallel replicas (default: one per core on wasm; 1 when layers are frozen, docs/correction.md)',
        positiveInt,
      )
      .option(
        '--resume',
        'continue the checkpoint in <out>/checkpoint (same settings), if it has one; else start afresh',
      ),
  );
}

export function optimizerOf(flags: MixedFlags, lr: number): OptimizerSpec {
  const kind = flags.optimizer.trim().toLowerCase();
  if (kind === 'adam') return { kind, learningRate: flags.lr ?? 0.001 };
  if (kind !== 'sgd') throw new InvalidArgumentError(`optimizer "${flags.optimizer}" is not sgd or adam`);
  const learningRate = flags.lr ?? lr;
  if (!(learningRate > 0))
    throw new InvalidArgumentError(`learning rate must be positive, not ${learningRate}`);
  if (!(flags.momentum >= 0 && flags.momentum < 1))
    throw new InvalidArgumentError(`momentum must be within [0, 1), not ${flags.momentum}`);
  return { kind, learningRate, momentum: flags.momentum, nesterov: flags.nesterov };
}

const percent = (v: number): string => (Number.isNaN(v) ? 'n/a' : `${(v * 100).toFixed(1)}%`);

export function mixedEpochLine(r: MixedEpoch, epochs: number): string {
  return (
    `epoch ${r.epoch}/${epochs}: loss ${r.loss.toFixed(4)}, acc ${percent(r.accuracy)}, ` +
    `val mean (clean + ${r.valAccuracy.length - 1} levels) ${percent(r.valMean)} ` +
    `[${r.valAccuracy.map((a) => (a * 100).toFixed(1)).join(' ')}], lr ${r.learningRate.toPrecision(3)}, ` +
    `${r.imagesPerSecond.toFixed(0)} images/s, ${r.seconds.toFixed(1)} s`
  );
}

export function commandLine(): string {
  const args = process.argv.slice(2).map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a));
  return ['deepcorrect', ...args].join(' ');
}

/** The context a mixed training command runs in: backend, dataset, base model; closed afterwards. */
export interface MixedContext {
  dataset: Dataset;
  base: Awaited<ReturnType<typeof loadModel>>;
  kind: DistortionKind;
  common: MixedTrainingOptions;
}

/**
 * Opens everything, runs `work` cancellable by Ctrl-C, prints the ending lines, and cleans up. A cancel
 * exits with 130 and leaves the checkpoint of the last finished epoch, if any (the model is saved only at
 * the end); it says how to resume.
 */
export async function runMixedCommand(
  program: Command,
  flags: MixedFlags,
  lr: number,
  work: (context: MixedContext, signal: AbortSignal) => Promise<TrainedModel>,
): Promise<void> {
  const kind = parseDistortionKind(flags.distortion);
  const levels = resolveLevels(kind, flags.levels);
  const optimizer = optimizerOf(flags, lr);
  const { backend } = program.opts<{ backend?: string }>();
  const choice = await selectBackend({ forced: backend, log: (l) => process.stderr.write(`${l}\n`) });
  process.stdout.write(`backend: ${choice.name} (${choice.reason}) on ${choice.device}\n`);
  const dataset = await openDataset(flags.dataset, openOptions(flags));
  const tty = process.stdout.isTTY;
  try {
    const { height, width, channels, classes } = dataset.summary;
    const base = await loadModel(flags.model, {
      expectInput: [height, width, channels],
      expectClasses: classes.length,
    });
    try {
      const result = await cancellableBySigint((signal) =>
        work(
          {
            dataset,
            base,
            kind,
            common: {
              dataset,
              spec: { kind },
              levels,
              epochs: flags.epochs,
              batchSize: flags.batch,
              seed: flags.seed,
              optimizer,
              schedule: flags.schedule,
              distortedFraction: flags.distorted,
              augment: flags.augment,
              validationFraction: flags.val,
              ...(flags.trainPerClass === undefined ? {} : { trainPerClass: flags.trainPerClass }),
              backend: choice.name,
              ...(flags.replicas === undefined ? {} : { replicas: flags.replicas }),
              resume: flags.resume === true,
              ...(tty ? { onProgress: (p: Progress) => process.stdout.write(progressLine(p)) } : {}),
              onEpoch: (r) =>
                process.stdout.write(`${tty ? '\r\x1b[K' : ''}${mixedEpochLine(r, flags.epochs)}\n`),
            },
          },
          signal,
        ),
      );
      const best = result.history.find((h) => h.epoch === result.bestEpoch);
      result.model.dispose();
      process.stdout.write(
        (result.resumedFrom === undefined ? '' : `resumed after epoch ${result.resumedFrom}\n`) +
          `model: ${path.resolve(flags.out)}\n` +
          `trainable parameters: ${result.trainableParameters.toLocaleString('en-US')}\n` +
          `best epoch: ${result.bestEpoch} (val mean over clean + ${levels.length} levels ${percent(best?.valMean ?? NaN)}), ` +
          `${result.seconds.toFixed(1)} s\n`,
      );
    } finally {
      base.model.dispose();
    }
  } catch (error) {
    if (!(error instanceof AbortError)) throw error;
    process.stderr.write(`${tty ? '\n' : ''}cancelled: ${await cancelNote(flags.out)}\n`);
    process.exitCode = 130;
  } finally {
    await dataset.close();
    releaseBackends();
  }
}

/** What a cancelled run left: the committed checkpoint, if any epoch finished (in this run or before). */
async function cancelNote(out: string): Promise<string> {
  const root = path.join(path.resolve(out), MIXED_CHECKPOINT_FOLDER);
  const state = await readCheckpointAt(root, MIXED_CHECKPOINT).catch(() => undefined);
  return state === undefined
    ? 'no epoch had finished, so nothing was written'
    : `the checkpoint after epoch ${state.epoch} is in ${root}; run the same command with --resume to continue`;
}

async function readRanking(file: string): Promise<RankingResult> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(
      `${file}: not a readable ranking (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const layers = (json as { layers?: unknown }).layers;
  if (!Array.isArray(layers)) throw new Error(`${file}: not a ranking from deepcorrect rank (no layers)`);
  return json as RankingResult;
}

function splitList(text: string | undefined): string[] | undefined {
  const names = text
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return names === undefined || names.length === 0 ? undefined : names;
}

/** The ranking from --ranking, or a fresh one by --rank; its method name for the provenance. */
async function rankingFor(
  flags: CorrectFlags,
  context: MixedContext,
  layers: string[] | undefined,
  signal: AbortSignal,
): Promise<{ ranking: RankingResult; method: string }> {
  if ((flags.ranking === undefined) === (flags.rank === undefined))
    throw new InvalidArgumentError('give either --ranking <file> or --rank proxy|oracle');
  if (flags.ranking !== undefined) {
    const ranking = await readRanking(flags.ranking);
    return { ranking, method: `${ranking.method} (${path.resolve(flags.ranking)})` };
  }
  const method = flags.rank;
  if (method !== 'proxy' && method !== 'oracle')
    throw new InvalidArgumentError(`--rank must be proxy or oracle, not ${method}`);
  process.stdout.write(`ranking ${layers?.join(', ') ?? 'every conv layer'} by the ${method}...\n`);
  const ranking = await rankFilters({
    model: context.base.model,
    dataset: context.dataset,
    ...(layers ? { layers } : {}),
    spec: { kind: context.kind },
    levels: context.common.levels,
    seed: flags.seed,
    perClass: flags.rankPerClass,
    method,
    signal,
  });
  return { ranking, method };
}

export function registerCorrect(program: Command): void {
  addMixedOptions(
    program
      .command('correct')
      .description('train DeepCorrect correction units on the top-ranked filters of chosen conv layers'),
    UNIT_OPTIMIZER.learningRate,
  )
    .option('--ranking <file>', 'a ranking JSON written by deepcorrect rank --out')
    .option('--rank <method>', 'rank now instead: proxy or oracle')
    .option('--rank-per-class <n>', 'ranking images per class for --rank', positiveInt, 10)
    .option('--layers <names>', 'comma-separated conv layers to correct (default: every ranked layer)')
    .option(
      '--beta <fraction>',
      "share of each layer's filters to correct (top of the ranking)",
      fraction(0, 1),
      0.5,
    )
    .option('--placement <where>', `unit placement: ${PLACEMENTS.join(' or ')}`, 'post-activation')
    .action(async (flags: CorrectFlags) => {
      const placement = flags.placement as Placement;
      if (!PLACEMENTS.includes(placement))
        throw new InvalidArgumentError(
          `placement must be ${PLACEMENTS.join(' or ')}, not ${flags.placement}`,
        );
      await runMixedCommand(program, flags, UNIT_OPTIMIZER.learningRate, async (context, signal) => {
        const layers = splitList(flags.layers);
        const { ranking, method } = await rankingFor(flags, context, layers, signal);
        const plan = planFromRanking(ranking, flags.beta, layers);
        process.stdout.write(
          `correcting ${plan.map((p) => `${p.layer} (${p.filters.length} filters)`).join(', ')}, ${placement}\n`,
        );
        const baseMetadata: ModelMetadata = context.base.metadata;
        return trainCorrection({
          ...context.common,
          model: context.base.model,
          plan,
          placement,
          baseMetadata,
          outDir: flags.out,
          baseModelPath: flags.model,
          beta: flags.beta,
          rankingMethod: method,
          command: commandLine(),
          signal,
        });
      });
    });
}
