import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseDistortionKind, resolveLevels } from '../../../../shared/distortions.ts';
import type { StudyConfig, StudyReport } from '../../../../shared/study.ts';
import { selectBackend } from '../../backend/ladder.ts';
import { releaseBackends } from '../../backend/probes.ts';
import { FINE_TUNE_OPTIMIZER, parseFineTuneLayers } from '../../correct/fine-tune.ts';
import { UNIT_OPTIMIZER } from '../../correct/train-correction.ts';
import { openDataset } from '../../data/open-dataset.ts';
import { loadModel } from '../../models/model-io.ts';
import { summarize } from '../../models/summary.ts';
import { demoDatasetDir, demoModelDir } from '../../resources.ts';
import { runStudy } from '../../study/run-study.ts';
import type { AugmentOptions } from '../../train/augment.ts';
import { AbortError } from '../../train/fit.ts';
import { describeOptimizer, type OptimizerSpec } from '../../train/optimizer.ts';
import type { LearningRateSchedule } from '../../train/schedule.ts';
import { finiteNumber, fraction, nonNegativeInt, parsed, positiveInt } from '../options.ts';
import { cancellableBySigint, terminalProgress } from '../progress-line.ts';
import { addMixOptions, commandLine } from './correct.ts';
import { addOpenOptions, openOptions, type OpenFlags } from './dataset.ts';
import { studyTarget, type StudyTarget } from './study-workspace.ts';

interface StudyFlags extends OpenFlags {
  model: string;
  dataset: string;
  distortion: string;
  levels: string;
  out?: string;
  workspace?: string;
  study?: string;
  epochs: number;
  layers?: string;
  beta: number;
  rank: string;
  rankPerClass: number;
  finetuneLayers: string;
  batch: number;
  optimizer: string;
  unitLr: number;
  finetuneLr: number;
  momentum: number;
  nesterov: boolean;
  schedule: LearningRateSchedule;
  augment: AugmentOptions;
  distorted: number;
  val: number;
  trainPerClass?: number;
  testPerClass?: number;
  seed: number;
  replicas?: number;
  resume: boolean;
  json: boolean;
}

const RANK_CHOICES = ['proxy', 'oracle', 'both'] as const;

function optimizer(flags: StudyFlags, learningRate: number): OptimizerSpec {
  const kind = flags.optimizer.trim().toLowerCase();
  if (!(learningRate > 0))
    throw new InvalidArgumentError(`learning rate must be positive, not ${learningRate}`);
  if (kind === 'adam') return { kind, learningRate };
  if (kind !== 'sgd') throw new InvalidArgumentError(`optimizer "${flags.optimizer}" is not sgd or adam`);
  if (!(flags.momentum >= 0 && flags.momentum < 1))
    throw new InvalidArgumentError(`momentum must be within [0, 1), not ${flags.momentum}`);
  return { kind, learningRate, momentum: flags.momentum, nesterov: flags.nesterov };
}

const pct = (v: number): string => `${(v * 100).toFixed(2)}%`;

/** The paper's table for this study: one row per model. */
export function summaryTable(report: StudyReport): string {
  const levels = report.config.levels.map((l) => String(l));
  const head = ['model', 'mean clean+levels', 'mean levels', 'clean', ...levels, 'trainable'];
  const rows = report.models.map((m) => [
    m.label,
    pct(m.meanWithClean),
    pct(m.meanLevels),
    ...m.top1.map(pct),
    m.trainableParameters.toLocaleString('en-US'),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const paper = report.paper
    ? `\nthe authors' ${report.paper.dataset} (mean clean + 6 levels): baseline ${pct(report.paper.baseline)}, ` +
      `fine-tuned ${pct(report.paper.fineTuned)}, DeepCorrect ${pct(report.paper.deepCorrect)}`
    : '';
  return `${report.parameter} levels: ${levels.join(', ')}\n${[head, ...rows].map(line).join('\n')}${paper}\n`;
}

export function registerStudy(program: Command): void {
  addOpenOptions(
    addMixOptions(program.command('study'))
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
      .option('--epochs <n>', 'epochs of unit training and of fine-tuning (the same budget)', positiveInt, 3)
      .option('--layers <names>', 'comma-separated conv layers to correct (default: the first two)')
      .option('--beta <fraction>', "share of each layer's filters to correct", fraction(0, 1), 0.5)
      .addOption(new Option('--rank <method>', 'ranking').choices(RANK_CHOICES).default('both'))
      .option('--rank-per-class <n>', 'ranking images per class', positiveInt, 10)
      .option('--finetune-layers <which>', 'fine-tuning trains all, or first:<k> conv layers', 'all')
      .option('--batch <n>', 'batch size', positiveInt, 128)
      .option('--optimizer <name>', 'sgd (Nesterov momentum) or adam, for both', 'sgd')
      .option('--unit-lr <rate>', 'learning rate of the units', finiteNumber, UNIT_OPTIMIZER.learningRate)
      .option(
        '--finetune-lr <rate>',
        'learning rate of fine-tuning',
        finiteNumber,
        FINE_TUNE_OPTIMIZER.learningRate,
      )
      .option('--test-per-class <n>', 'test on a seeded stratified subset of n images per class', positiveInt)
      .option('--seed <n>', 'seed of every draw', nonNegativeInt, 1)
      .option('--replicas <n>', 'data-parallel replicas (default: one per core on wasm)', positiveInt)
      .option('--resume', 'continue the study in --out (or the workspace) from its finished stages', false)
      .option('--json', 'print report.json instead of the table', false),
  ).action(async (flags: StudyFlags) => {
    const kind = parseDistortionKind(flags.distortion);
    const levels = resolveLevels(kind, flags.levels);
    const fineTuneLayers = parsed(parseFineTuneLayers)(flags.finetuneLayers);
    const unitOptimizer = optimizer(flags, flags.unitLr);
    const fineTuneOptimizer = optimizer(flags, flags.finetuneLr);
    const modelDir = path.resolve(flags.model ?? demoModelDir());
    const datasetPath = path.resolve(flags.dataset ?? demoDatasetDir());
    const { backend } = program.opts<{ backend?: string }>();
    const log = (line: string): void => void process.stderr.write(`${line}\n`);
    const choice = await selectBackend({ forced: backend, log });
    const dataset = await openDataset(datasetPath, openOptions(flags));
    const tty = process.stderr.isTTY;
    let target: StudyTarget | undefined;
    try {
      const { height, width, channels, classes } = dataset.summary;
      const base = await loadModel(modelDir, {
        expectInput: [height, width, channels],
        expectClasses: classes.length,
      });
      try {
        const layers =
          flags.layers
            ?.split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '') ??
          summarize(base.model)
            .convLayers.slice(0, 2)
            .map((c) => c.name);
        const config: StudyConfig = {
          model: modelDir,
          dataset: datasetPath,
          kind,
          levelsName: flags.levels,
          levels,
          seed: flags.seed,
          epochs: flags.epochs,
          batchSize: flags.batch,
          layers,
          beta: flags.beta,
          rankMethod: flags.rank as StudyConfig['rankMethod'],
          rankPerClass: flags.rankPerClass,
          fineTuneLayers: flags.finetuneLayers,
          unitOptimizer: describeOptimizer(unitOptimizer),
          fineTuneOptimizer: describeOptimizer(fineTuneOptimizer),
          ...(flags.trainPerClass === undefined ? {} : { trainPerClass: flags.trainPerClass }),
          ...(flags.testPerClass === undefined ? {} : { testPerClass: flags.testPerClass }),
          testSplit: 'test',
        };
        target = await studyTarget(flags, config, commandLine(), log);
        const { outDir } = target;
        log(`backend: ${choice.name} (${choice.reason}) on ${choice.device}`);
        const progress = terminalProgress(process.stderr);
        const report = await cancellableBySigint((signal) =>
          runStudy({
            config,
            base,
            dataset,
            outDir,
            resume: target?.resume ?? flags.resume,
            unitOptimizer,
            fineTuneOptimizer,
            fineTuneLayers,
            schedule: flags.schedule,
            augment: flags.augment,
            distortedFraction: flags.distorted,
            validationFraction: flags.val,
            ...(flags.replicas === undefined ? {} : { replicas: flags.replicas }),
            backend: choice.name,
            device: choice.device,
            command: commandLine(),
            signal,
            ...(progress ? { onProgress: progress } : {}),
            onLog: (line) => log(`${tty ? '\r\x1b[K' : ''}${line}`),
          }),
        );
        if (tty) process.stderr.write('\r\x1b[K');
        await target.finish();
        if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
        else {
          process.stdout.write(summaryTable(report));
          const out = path.resolve(outDir);
          process.stdout.write(
            `report: ${path.join(out, 'report.html')} (numbers: report.json); ` +
              `${report.totalSeconds.toFixed(0)} s on ${report.backend}\n`,
          );
        }
      } finally {
        base.model.dispose();
      }
    } catch (error) {
      await target?.failed();
      if (!(error instanceof AbortError)) throw error;
      const where = target === undefined ? '' : ` in ${path.resolve(target.outDir)}`;
      log(`${tty ? '\n' : ''}cancelled: finished stages are kept${where}; --resume continues`);
      process.exitCode = 130;
    } finally {
      await target?.close();
      await dataset.close();
      releaseBackends();
    }
  });
}
