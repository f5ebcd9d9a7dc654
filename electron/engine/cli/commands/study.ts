import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseDistortionKind, resolveLevels } from '../../../../shared/distortions.ts';
import type { RequestInput } from '../../../../shared/bridge/contract.ts';
import {
  CORRECT_DEFAULTS,
  FINE_TUNE_DEFAULTS,
  MAX_STUDY_SEEDS,
  MIX_DEFAULTS,
  RANK_DEFAULTS,
  STUDY_DEFAULTS,
  TUNE_GRIDS,
  ADAM_TUNE_GRIDS,
  ADAM_LEARNING_RATE,
  tuneGrids,
} from '../../../../shared/bridge/defaults.ts';
import { TAU_KINDS, type TauKind } from '../../rank/tau.ts';
import type { AugmentOptions } from '../../train/augment.ts';
import {
  finiteNumber,
  fraction,
  intBetween,
  nonNegativeInt,
  parsed,
  placementOption,
  positiveInt,
} from '../options.ts';
import {
  checkInput,
  checkOutput,
  checkWorkspaceFolder,
  DATASET,
  MODEL_FOLDER,
  OUTPUT_FOLDER,
  RANKING_FILE,
} from '../input-check.ts';
import { seedIndexProblem } from '../../study/seed-index.ts';
import { registerStudyMerge } from './study-merge.ts';
import { isCancellation, withEngine } from '../lazy-engine.ts';
import { cancellableBySigint, terminalProgress } from '../progress-line.ts';
import { commandLine } from '../command-line.ts';
import { addMixOptions } from '../mixed-command.ts';
import {
  optimizerOf,
  RECORD_PATHS_FLAGS,
  RECORD_PATHS_HELP,
  recordPathsOf,
  type TrainingFlags,
} from '../training-flags.ts';
import { addOpenOptions } from './dataset.ts';
import { checkRankImages } from './rank.ts';
import { summaryTable } from '../study-summary.ts';
import { parseVariant, type StudyVariant } from '../../../../shared/study-variants.ts';

interface StudyFlags extends TrainingFlags {
  model?: string;
  dataset?: string;
  distortion: string;
  levels: string;
  out?: string;
  workspace?: string;
  study?: string;
  layers?: string;
  beta: number;
  seeds: number;
  seedIndex?: number;
  ranking?: string;
  placement: 'post-activation' | 'pre-activation';
  tune: boolean;
  /** The grids as typed; parsed after the paths are checked (the parser loads the training code). */
  tuneUnits?: string;
  tuneFinetune?: string;
  variant: StudyVariant[];
  ablation: boolean;
  rank: string;
  rankImages?: number;
  rankPerClass?: number;
  rankTau: TauKind;
  finetuneLayers: string;
  unitLr?: number;
  finetuneLr?: number;
  augment: AugmentOptions;
  distorted: number;
  testPerClass?: number;
  resume: boolean;
  json: boolean;
}

const RANK_CHOICES = ['proxy', 'oracle', 'both'] as const;

export function registerStudy(program: Command): void {
  const study = program.command('study');
  registerStudyMerge(study);
  addOpenOptions(
    addMixOptions(study)
      .description(
        'the whole DeepCorrect comparison on one distortion: baseline, ranking, correction units, fine-tuning, report',
      )
      .option('--model <folder>', 'the base model (default: the bundled demo model)')
      .option(
        '--dataset <path>',
        'dataset: train split to rank and train on, test split to test (default: the demo)',
      )
      .option('--distortion <kind>', 'distortion', 'blur')
      .option(
        '--levels <levels>',
        'paper-cifar, paper-imagenet, severity, or a list of values',
        'paper-cifar',
      )
      .option('--out <folder>', 'study folder to write (new or empty; or this study with --resume)')
      .option(
        '--workspace <folder>',
        'write the study into this workspace (studies/<id>), registered and checksummed; not with --out',
      )
      .option(
        '--study <id>',
        'with --workspace --resume: the study to resume (default: the newest interrupted one with these settings)',
      )
      .option(
        '--epochs <n>',
        'the most epochs of unit training and of fine-tuning (the same for both; --patience stops each earlier)',
        positiveInt,
        STUDY_DEFAULTS.epochs,
      )
      .option(
        '--layers <names>',
        `comma-separated conv layers to correct (default: the first ${STUDY_DEFAULTS.firstLayers})`,
      )
      .option(
        '--beta <fraction>',
        "share of each layer's filters to correct",
        fraction(0, 1),
        STUDY_DEFAULTS.beta,
      )
      .addOption(
        new Option('--rank <method>', 'ranking').choices(RANK_CHOICES).default(STUDY_DEFAULTS.rankMethod),
      )
      .option(
        '--rank-images <n>',
        `ranking images, spread evenly over the classes (default ${STUDY_DEFAULTS.rankImages}, or the whole training split when smaller)`,
        positiveInt,
      )
      .option('--rank-per-class <n>', 'or: ranking images per class (not with --rank-images)', positiveInt)
      .addOption(
        new Option('--rank-tau <kind>', "the ranking's tau: abs (the authors') or signed (docs/ranking.md)")
          .choices(TAU_KINDS)
          .default(RANK_DEFAULTS.tau),
      )
      .option(
        '--finetune-layers <which>',
        'fine-tuning trains all, or first:<k> conv layers',
        STUDY_DEFAULTS.fineTuneLayers,
      )
      .option('--batch <n>', 'batch size', positiveInt, MIX_DEFAULTS.batchSize)
      .option('--optimizer <name>', 'sgd (Nesterov momentum) or adam, for both', 'sgd')
      .option(
        '--unit-lr <rate>',
        `learning rate of the units (default ${CORRECT_DEFAULTS.optimizer.learningRate} for sgd, ${ADAM_LEARNING_RATE} for adam)`,
        finiteNumber,
      )
      .option(
        '--finetune-lr <rate>',
        `learning rate of fine-tuning (default ${FINE_TUNE_DEFAULTS.optimizer.learningRate} for sgd, ${ADAM_LEARNING_RATE} for adam)`,
        finiteNumber,
      )
      .option('--test-per-class <n>', 'test on a seeded stratified subset of n images per class', positiveInt)
      .option('--seed <n>', 'seed of every draw', nonNegativeInt, MIX_DEFAULTS.seed)
      .option(
        '--seeds <n>',
        `repeat the comparison over n seeds (--seed, --seed + 1, ...): intervals and paired tests (1 to ${MAX_STUDY_SEEDS})`,
        intBetween(1, MAX_STUDY_SEEDS),
        STUDY_DEFAULTS.seeds,
      )
      .option(
        '--seed-index <k>',
        "run only the seed at index k of the --seeds (from 0, as $SLURM_ARRAY_TASK_ID) into --out, beside the other seeds' tasks; then 'deepcorrect study merge' writes the report",
        nonNegativeInt,
      )
      .option(
        '--ranking <file>',
        'follow this ranking (the file of deepcorrect rank --out or rank merge --out) in every seed instead of ranking: it must rank the base model under the same distortion and levels',
      )
      .option(
        '--placement <where>',
        "units before (pre) or after (post) the corrected layers' activation",
        placementOption,
        CORRECT_DEFAULTS.placement,
      )
      .option(
        '--tune',
        `choose each method's learning rate on the validation split (units ${TUNE_GRIDS.units.join(', ')}; fine-tuning ${TUNE_GRIDS.fineTune.join(', ')}; with adam ${ADAM_TUNE_GRIDS.units.join(', ')} and ${ADAM_TUNE_GRIDS.fineTune.join(', ')})`,
        false,
      )
      .option('--tune-units <rates>', "the units' learning-rate grid (implies --tune)")
      .option('--tune-finetune <rates>', "fine-tuning's learning-rate grid (implies --tune)")
      .option(
        '--variant <settings>',
        "also train units with these settings changed, in every seed, paired with the study's own (repeatable): placement=pre|post, layers=a+b, beta=<fraction>, rank=oracle|proxy, comma-separated",
        (value: string, previous: StudyVariant[]) => [...previous, parsed(parseVariant)(value)],
        [] as StudyVariant[],
      )
      .option(
        '--ablation',
        'add the standard ablation, one choice changed at a time: the other placement, the first 4 conv layers, beta 0.25 / 0.5 / 0.75, the other ranking (with --resume: add it to a finished study)',
        false,
      )
      .option('--replicas <n>', 'data-parallel replicas (default: one per core on wasm)', positiveInt)
      .option('--resume', 'continue the study in --out (or the workspace) from its finished stages', false)
      .option('--json', 'print report.json instead of the table', false)
      .option(RECORD_PATHS_FLAGS, RECORD_PATHS_HELP),
  ).action(async (flags: StudyFlags, command: Command) => {
    const kind = parseDistortionKind(flags.distortion);
    const levels = resolveLevels(kind, flags.levels);
    checkTarget(flags);
    checkSplit(flags, command);
    if (flags.ranking !== undefined) await checkInput('--ranking', flags.ranking, RANKING_FILE);
    if (flags.rankImages !== undefined && flags.rankPerClass !== undefined)
      throw new InvalidArgumentError(
        '--rank-images and --rank-per-class are two ways to size the ranking set: give one',
      );
    if (flags.model !== undefined) await checkInput('--model', flags.model, MODEL_FOLDER);
    if (flags.dataset !== undefined) await checkInput('--dataset', flags.dataset, DATASET);
    if (flags.out !== undefined) await checkOutput('--out', flags.out, OUTPUT_FOLDER);
    if (flags.workspace !== undefined) await checkWorkspaceFolder('--workspace', flags.workspace);
    const { parseFineTuneLayers } = await import('../../correct/fine-tune.ts');
    parsed(parseFineTuneLayers)(flags.finetuneLayers);
    const { parseGrid } = await import('../../study/tune.ts');
    const tuneUnits =
      flags.tuneUnits === undefined
        ? undefined
        : parsed((v) => parseGrid(v, '--tune-units'))(flags.tuneUnits);
    const tuneFinetune =
      flags.tuneFinetune === undefined
        ? undefined
        : parsed((v) => parseGrid(v, '--tune-finetune'))(flags.tuneFinetune);
    const grids = tuneGrids(flags.optimizer.trim().toLowerCase() === 'adam' ? 'adam' : 'sgd');
    const tune =
      flags.tune || flags.tuneUnits !== undefined || flags.tuneFinetune !== undefined
        ? {
            units: tuneUnits ?? [...grids.units],
            fineTune: tuneFinetune ?? [...grids.fineTune],
          }
        : undefined;
    const log = (line: string): void => void process.stderr.write(`${line}\n`);
    const tty = process.stderr.isTTY;
    try {
      await withEngine(
        program,
        async (engine) => {
          const datasetId = await engine.openDataset(flags.dataset, flags);
          checkRankImages(engine, datasetId, flags.rankImages);
          const modelId = await engine.openModel(flags.model);
          const progress = terminalProgress(process.stderr);
          const layers = flags.layers
            ?.split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '');
          const report = await cancellableBySigint((signal) =>
            engine.run(
              'study.run',
              {
                modelId,
                datasetId,
                spec: { kind },
                levelsName: flags.levels,
                levels,
                seed: flags.seed,
                seeds: flags.seeds,
                epochs: flags.epochs,
                batchSize: flags.batch,
                ...(layers === undefined ? {} : { layers }),
                beta: flags.beta,
                rankMethod: flags.rank as RequestInput<'study.run'>['rankMethod'],
                ...(flags.rankImages === undefined ? {} : { rankImages: flags.rankImages }),
                ...(flags.rankPerClass === undefined ? {} : { rankPerClass: flags.rankPerClass }),
                rankTau: flags.rankTau,
                placement: flags.placement,
                ...(tune === undefined ? {} : { tune }),
                ...(flags.variant.length === 0
                  ? {}
                  : { variants: flags.variant.map(({ name: _name, ...settings }) => settings) }),
                ...(flags.ablation ? { ablation: true } : {}),
                fineTuneLayers: flags.finetuneLayers,
                unitOptimizer: optimizerOf(flags, flags.unitLr, CORRECT_DEFAULTS.optimizer.learningRate),
                fineTuneOptimizer: optimizerOf(
                  flags,
                  flags.finetuneLr,
                  FINE_TUNE_DEFAULTS.optimizer.learningRate,
                ),
                schedule: flags.schedule,
                augment: flags.augment,
                distortedFraction: flags.distorted,
                validationFraction: flags.val,
                ...(flags.trainPerClass === undefined ? {} : { trainPerClass: flags.trainPerClass }),
                ...(flags.testPerClass === undefined ? {} : { testPerClass: flags.testPerClass }),
                resume: flags.resume,
                ...(flags.seedIndex === undefined ? {} : { seedIndex: flags.seedIndex }),
                ...(flags.ranking === undefined ? {} : { ranking: path.resolve(flags.ranking) }),
                ...(flags.out === undefined ? {} : { outDir: path.resolve(flags.out) }),
                ...(flags.workspace === undefined ? {} : { workspace: path.resolve(flags.workspace) }),
                ...(flags.study === undefined ? {} : { studyId: flags.study }),
              },
              {
                signal,
                command: commandLine(),
                ...recordPathsOf(flags),
                tool: 'deepcorrect study',
                ...(flags.replicas === undefined ? {} : { replicas: flags.replicas }),
                ...(progress ? { progress } : {}),
                log: (line) => log(`${tty ? '\r\x1b[K' : ''}${line}`),
              },
            ),
          );
          if (tty) process.stderr.write('\r\x1b[K');
          if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
          else if (flags.seedIndex !== undefined) {
            process.stdout.write(summaryTable(report));
            process.stdout.write(
              `seed index ${flags.seedIndex} of ${flags.seeds} (seed ${report.config.seed}) finished in ${report.outDir ?? ''}; ` +
                `once every seed has, 'deepcorrect study merge ${report.outDir ?? ''}' writes the study's report\n`,
            );
          } else {
            process.stdout.write(summaryTable(report));
            process.stdout.write(
              `report: ${path.join(report.outDir ?? '', 'report.html')} (numbers: report.json); ` +
                `${report.totalSeconds.toFixed(0)} s on ${report.backend}\n`,
            );
          }
        },
        log,
      );
    } catch (error) {
      if (!(await isCancellation(error))) throw error;
      const where =
        flags.out === undefined
          ? ` in the workspace ${path.resolve(flags.workspace ?? '')}`
          : ` in ${path.resolve(flags.out)}`;
      log(`${tty ? '\n' : ''}cancelled: finished stages are kept${where}; --resume continues`);
      process.exitCode = 130;
    }
  });
}

/** The options that describe a ranking the study makes itself, which a given --ranking decides instead. */
const RANKING_OPTIONS = ['rank', 'rankImages', 'rankPerClass', 'rankTau'] as const;

/** --seed-index within --seeds and into --out; --ranking without the options of a ranking made here. */
function checkSplit(flags: StudyFlags, command: Command): void {
  if (flags.seedIndex !== undefined) {
    const problem = seedIndexProblem(flags.seedIndex, flags.seeds);
    if (problem !== undefined) throw new InvalidArgumentError(problem);
    if (flags.workspace !== undefined)
      throw new InvalidArgumentError(
        "--seed-index writes one seed into a study folder (--out) beside the other seeds; 'deepcorrect study merge <folder> --workspace <folder>' then registers the study in a workspace",
      );
  }
  if (flags.ranking === undefined) return;
  const given = RANKING_OPTIONS.filter((o) => command.getOptionValueSource(o) === 'cli');
  if (given.length > 0)
    throw new InvalidArgumentError(
      `--ranking gives the ranking, so ${given.map((o) => `--${o.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} (how to make one) cannot apply: leave ${given.length === 1 ? 'it' : 'them'} out; the study records the file's method, images and tau`,
    );
}

/** --out or --workspace, and --study only to name a workspace study to resume. */
function checkTarget(flags: StudyFlags): void {
  if (flags.out !== undefined && flags.workspace !== undefined)
    throw new InvalidArgumentError(
      '--out and --workspace are mutually exclusive: a workspace chooses the study folder itself',
    );
  if (flags.study !== undefined && (flags.workspace === undefined || !flags.resume))
    throw new InvalidArgumentError(
      '--study <id> names the study to resume: use it with --workspace and --resume',
    );
  if (flags.out === undefined && flags.workspace === undefined)
    throw new InvalidArgumentError('--out <folder> or --workspace <folder> is required');
}
