import type { Command } from 'commander';
import type { RequestOutput } from '../../../../shared/bridge/contract.ts';
import { EVALUATE_DEFAULTS } from '../../../../shared/bridge/defaults.ts';
import { SPLIT_NAMES, type SplitName } from '../../../../shared/datasets.ts';
import { parseDistortionKind, resolveLevels } from '../../../../shared/distortions.ts';
import { checkInput, DATASET, MODEL_FOLDER } from '../input-check.ts';
import { withEngine } from '../lazy-engine.ts';
import { nonNegativeInt, positiveInt } from '../options.ts';
import { cancellableBySigint, terminalProgress } from '../progress-line.ts';
import { addOpenOptions, type OpenFlags } from './dataset.ts';

interface EvaluateFlags extends OpenFlags {
  model: string;
  dataset: string;
  distortion: string;
  levels: string;
  split: string;
  perClass?: number;
  seed: number;
  json?: boolean;
}

const percent = (v: number): string => `${(v * 100).toFixed(2)}%`;

/**
 * The accuracy-versus-level table, with both means named for what they average. Top-5 only above ten classes:
 * with ten or fewer it is right for half the classes by chance or more, and says nothing (--json keeps it).
 */
export function formatEvaluation(r: RequestOutput<'models.evaluate'>): string {
  const top5 = r.classes.length > 10;
  const lines = [
    `${r.images} images, ${r.kind} (${r.parameter}):`,
    `  level          top-1${top5 ? '     top-5' : ''}`,
  ];
  for (const c of r.conditions) {
    const label = c.level === undefined ? 'clean' : String(c.level);
    const five = top5 ? `  ${percent(c.top5).padStart(8)}` : '';
    lines.push(`  ${label.padEnd(12)} ${percent(c.top1).padStart(7)}${five}`);
  }
  const levels = r.conditions.length - 1;
  lines.push(
    `  mean over clean + ${levels} levels (the paper's tables): ${percent(r.meanWithClean)}`,
    `  mean over the ${levels} distorted levels alone:        ${percent(r.meanLevels)}`,
    `  (${r.seconds.toFixed(1)} s)`,
  );
  return `${lines.join('\n')}\n`;
}

export function registerEvaluate(program: Command): void {
  addOpenOptions(
    program
      .command('evaluate')
      .description(
        'accuracy of a model on clean images and at every level of a distortion (top-1; top-5 above ten classes; per class, confusion)',
      )
      .requiredOption(
        '--model <folder>',
        'a model folder (tfjs LayersModel, with or without deepcorrect.json)',
      )
      .requiredOption('--dataset <path>', 'the dataset to evaluate on')
      .option('--distortion <kind>', 'distortion', 'blur')
      .option(
        '--levels <levels>',
        'paper-cifar, paper-imagenet, severity, or a list of values',
        'paper-cifar',
      )
      .option('--split <name>', 'split to evaluate on', EVALUATE_DEFAULTS.split)
      .option('--per-class <n>', 'a seeded stratified subset of n images per class', positiveInt)
      .option('--seed <n>', 'seed of the distortions and the subset', nonNegativeInt, EVALUATE_DEFAULTS.seed)
      .option('--json', 'print the full result (per-class accuracy, confusion matrices) as JSON'),
  ).action(async (opts: EvaluateFlags) => {
    const kind = parseDistortionKind(opts.distortion);
    const levels = resolveLevels(kind, opts.levels);
    if (!(SPLIT_NAMES as readonly string[]).includes(opts.split))
      throw new Error(`split "${opts.split}" is not one of ${SPLIT_NAMES.join(', ')}`);
    const split = opts.split as SplitName;
    await checkInput('--model', opts.model, MODEL_FOLDER);
    await checkInput('--dataset', opts.dataset, DATASET);
    await withEngine(program, async (engine) => {
      const datasetId = await engine.openDataset(opts.dataset, opts);
      const modelId = await engine.openModel(opts.model);
      const onProgress = terminalProgress(process.stderr);
      const result = await cancellableBySigint((signal) =>
        engine.run(
          'models.evaluate',
          {
            modelId,
            datasetId,
            split,
            ...(opts.perClass === undefined ? {} : { perClass: opts.perClass }),
            spec: { kind },
            levels,
            seed: opts.seed,
          },
          { signal, ...(onProgress ? { progress: onProgress } : {}) },
        ),
      );
      if (onProgress) process.stderr.write('\n');
      const { metadata } = engine.session.models.get(modelId);
      const dataset = engine.session.datasets.get(datasetId).summary;
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify({ model: { path: opts.model, ...metadata }, dataset: dataset.path, split, seed: opts.seed, ...result }, null, 2)}\n`,
        );
      } else {
        process.stdout.write(`${metadata.arch} model from ${opts.model} on ${dataset.name} (${split}): `);
        process.stdout.write(formatEvaluation(result));
      }
    });
  });
}
