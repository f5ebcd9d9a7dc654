import type { Command } from 'commander';
import { SPLIT_NAMES, type SplitName } from '../../../../shared/datasets.ts';
import { parseDistortionKind, resolveLevels } from '../../../../shared/distortions.ts';
import { selectBackend } from '../../backend/ladder.ts';
import { releaseBackends } from '../../backend/probes.ts';
import { openDataset } from '../../data/open-dataset.ts';
import { stratifiedSubset } from '../../data/subset.ts';
import { evaluate, type EvaluationResult } from '../../eval/evaluate.ts';
import { loadModel } from '../../models/model-io.ts';
import { nonNegativeInt, positiveInt } from '../options.ts';
import { cancellableBySigint, terminalProgress } from '../progress-line.ts';
import { addOpenOptions, openOptions, type OpenFlags } from './dataset.ts';

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

/** The accuracy-versus-level table, with both means named for what they average. */
export function formatEvaluation(r: EvaluationResult): string {
  const lines = [`${r.images} images, ${r.kind} (${r.parameter}):`, '  level          top-1     top-5'];
  for (const c of r.conditions) {
    const label = c.level === undefined ? 'clean' : String(c.level);
    lines.push(`  ${label.padEnd(12)} ${percent(c.top1).padStart(7)}  ${percent(c.top5).padStart(8)}`);
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
        'accuracy of a model on clean images and at every level of a distortion (top-1, top-5, per class, confusion)',
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
      .option('--split <name>', 'split to evaluate on', 'test')
      .option('--per-class <n>', 'a seeded stratified subset of n images per class', positiveInt)
      .option('--seed <n>', 'seed of the distortions and the subset', nonNegativeInt, 0)
      .option('--json', 'print the full result (per-class accuracy, confusion matrices) as JSON'),
  ).action(async (opts: EvaluateFlags) => {
    const kind = parseDistortionKind(opts.distortion);
    const levels = resolveLevels(kind, opts.levels);
    if (!(SPLIT_NAMES as readonly string[]).includes(opts.split))
      throw new Error(`split "${opts.split}" is not one of ${SPLIT_NAMES.join(', ')}`);
    const split = opts.split as SplitName;
    const { backend } = program.opts<{ backend?: string }>();
    await selectBackend({ forced: backend, log: (l) => process.stderr.write(`${l}\n`) });
    const dataset = await openDataset(opts.dataset, openOptions(opts));
    try {
      const { height, width, channels, classes } = dataset.summary;
      const { model, metadata } = await loadModel(opts.model, {
        expectInput: [height, width, channels],
        expectClasses: classes.length,
      });
      try {
        const indices =
          opts.perClass === undefined
            ? undefined
            : stratifiedSubset(await dataset.labels(split), opts.perClass, opts.seed, classes.length);
        const onProgress = terminalProgress(process.stderr);
        const result = await cancellableBySigint((signal) =>
          evaluate({
            model,
            dataset,
            split,
            ...(indices ? { indices } : {}),
            spec: { kind },
            levels,
            seed: opts.seed,
            signal,
            ...(onProgress ? { onProgress } : {}),
          }),
        );
        if (onProgress) process.stderr.write('\n');
        if (opts.json) {
          process.stdout.write(
            `${JSON.stringify({ model: { path: opts.model, ...metadata }, dataset: dataset.summary.path, split, seed: opts.seed, ...result }, null, 2)}\n`,
          );
        } else {
          process.stdout.write(
            `${metadata.arch} model from ${opts.model} on ${dataset.summary.name} (${split}): `,
          );
          process.stdout.write(formatEvaluation(result));
        }
      } finally {
        model.dispose();
      }
    } finally {
      await dataset.close();
      releaseBackends();
    }
  });
}
