import type { Command } from 'commander';
import { SPLIT_NAMES, type SplitName } from '../../../../shared/datasets.ts';
import { parseDistortionKind, resolveLevels } from '../../../../shared/distortions.ts';
import { selectBackend } from '../../backend/ladder.ts';
import { releaseBackends } from '../../backend/probes.ts';
import { openDataset } from '../../data/open-dataset.ts';
import { writeFileAtomic } from '../../io/atomic-write.ts';
import { loadModel } from '../../models/model-io.ts';
import { oracleExperiment } from '../../rank/experiment.ts';
import { rankFilters } from '../../rank/rank-filters.ts';
import {
  RANK_METHODS,
  type ExperimentResult,
  type RankingResult,
  type RankMethod,
} from '../../rank/types.ts';
import { nonNegativeInt, positiveInt } from '../options.ts';
import { cancellableBySigint, terminalProgress } from '../progress-line.ts';
import { addOpenOptions, openOptions, type OpenFlags } from './dataset.ts';

interface RankFlags extends OpenFlags {
  model: string;
  dataset: string;
  distortion: string;
  levels: string;
  layers?: string;
  perClass: number;
  method: string;
  seed: number;
  out?: string;
  json?: boolean;
  experiment?: boolean;
  evalPerClass: number;
  evalSplit: string;
}

const percent = (v: number): string => `${(v * 100).toFixed(1)}%`;

/** Per layer: the ten most important filters, the agreement of the proxy with the oracle, the time taken. */
export function formatRanking(r: RankingResult): string {
  const lines = [
    `${r.method} ranking of ${r.model}, ${r.kind} at ${r.levels.join(', ')}, ${r.rankingImages} ${r.split} images (${r.backend}, ${r.seconds.toFixed(1)} s):`,
  ];
  for (const l of r.layers) {
    const score = l.tau ?? l.proxy ?? [];
    const top = l.order.slice(0, 10).map((i) => `${i} (${(score[i] ?? Number.NaN).toFixed(3)})`);
    lines.push(
      `  ${l.layer} (${l.filters} filters, ${l.seconds.toFixed(1)} s): top ${l.tau ? 'tau' : 'proxy'}: ${top.join(', ')}`,
    );
    if (l.spearman !== undefined) lines.push(`    Spearman(tau, proxy) = ${l.spearman.toFixed(3)}`);
    if (l.errors) {
      const e = l.errors;
      lines.push(`    errors: clean ${e.clean}/${e.images}, per level ${e.baseline.join(', ')}`);
    }
    if (l.skippedLevels && l.skippedLevels.length > 0)
      lines.push(
        `    levels ${l.skippedLevels.join(', ')} left out of tau: no ranking image misclassified there`,
      );
  }
  return `${lines.join('\n')}\n`;
}

/** Layer x fraction: mean accuracy over the distorted levels, with the clean and baseline figures. */
export function formatExperiment(e: ExperimentResult): string {
  const fractions = e.layers[0]?.fractions.map((f) => f.fraction) ?? [];
  const lines = [
    `oracle experiment on ${e.images} ${e.split} images: mean top-1 over the ${e.levels.length} distorted levels, top fraction of filters given clean maps`,
    `  clean ${percent(e.clean)}, uncorrected ${percent(e.baselineMeanLevels)}`,
    `  ${'layer'.padEnd(8)}${fractions.map((f) => `${Math.round(f * 100)}%`.padStart(8)).join('')}`,
  ];
  for (const l of e.layers) {
    lines.push(`  ${l.layer.padEnd(8)}${l.fractions.map((f) => percent(f.meanLevels).padStart(8)).join('')}`);
  }
  lines.push(`  (${e.seconds.toFixed(1)} s)`);
  return `${lines.join('\n')}\n`;
}

function parseMethod(value: string): RankMethod {
  if ((RANK_METHODS as readonly string[]).includes(value)) return value as RankMethod;
  throw new Error(`method "${value}" is not one of ${RANK_METHODS.join(', ')}`);
}

export function registerRank(program: Command): void {
  addOpenOptions(
    program
      .command('rank')
      .description(
        'rank conv filters by correction priority (the oracle of DeepCorrect, and/or a one-pass proxy)',
      )
      .requiredOption(
        '--model <folder>',
        'a model folder (tfjs LayersModel, with or without deepcorrect.json)',
      )
      .requiredOption('--dataset <path>', 'the dataset: the ranking set is drawn from its training split')
      .option('--distortion <kind>', 'distortion', 'blur')
      .option(
        '--levels <levels>',
        'paper-cifar, paper-imagenet, severity, or a list of values',
        'paper-cifar',
      )
      .option('--layers <names>', 'comma-separated conv layers (default: all)')
      .option('--per-class <n>', 'ranking images per class', positiveInt, 10)
      .option('--method <name>', 'oracle, proxy or both', 'both')
      .option('--seed <n>', 'seed of the subsets and the distortions', nonNegativeInt, 0)
      .option('--out <file>', 'write the full result as JSON')
      .option('--json', 'print the full result as JSON')
      .option(
        '--experiment',
        'also correct the top 10..90% of each layer with clean maps and report accuracy',
      )
      .option('--eval-per-class <n>', 'experiment images per class', positiveInt, 50)
      .option('--eval-split <name>', 'split of the experiment images', 'test'),
  ).action(async (opts: RankFlags) => {
    const kind = parseDistortionKind(opts.distortion);
    const levels = resolveLevels(kind, opts.levels);
    const method = parseMethod(opts.method);
    if (!(SPLIT_NAMES as readonly string[]).includes(opts.evalSplit))
      throw new Error(`split "${opts.evalSplit}" is not one of ${SPLIT_NAMES.join(', ')}`);
    const layers = opts.layers
      ?.split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
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
        const onProgress = terminalProgress(process.stderr);
        const { ranking, experiment } = await cancellableBySigint(async (signal) => {
          const ranking = await rankFilters({
            model,
            dataset,
            ...(layers ? { layers } : {}),
            spec: { kind },
            levels,
            seed: opts.seed,
            perClass: opts.perClass,
            method,
            modelName: `${metadata.arch} (${opts.model})`,
            signal,
            ...(onProgress ? { onProgress } : {}),
          });
          if (onProgress) process.stderr.write('\n');
          const experiment = opts.experiment
            ? await oracleExperiment({
                model,
                dataset,
                ranking,
                evalPerClass: opts.evalPerClass,
                split: opts.evalSplit as SplitName,
                seed: opts.seed,
                signal,
                ...(onProgress ? { onProgress } : {}),
              })
            : undefined;
          if (onProgress && experiment) process.stderr.write('\n');
          return { ranking, experiment };
        });
        const full = { ...ranking, ...(experiment ? { experiment } : {}) };
        if (opts.out !== undefined) await writeFileAtomic(opts.out, `${JSON.stringify(full, null, 2)}\n`);
        if (opts.json) process.stdout.write(`${JSON.stringify(full, null, 2)}\n`);
        else {
          process.stdout.write(formatRanking(ranking));
          if (experiment) process.stdout.write(formatExperiment(experiment));
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
