import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { SPLIT_NAMES, type SplitName } from '../../../../shared/datasets.ts';
import type { RequestOutput } from '../../../../shared/bridge/contract.ts';
import { EXPERIMENT_DEFAULTS } from '../../../../shared/bridge/defaults.ts';
import { ordersOf } from '../../use-cases/layer-orders.ts';
import {
  checkInput,
  checkOutput,
  checkWorkspaceFolder,
  DATASET,
  MODEL_FOLDER,
  RANKING_FILE,
} from '../input-check.ts';
import { commandLine } from '../command-line.ts';
import { keptLine } from '../kept-line.ts';
import { withEngine } from '../lazy-engine.ts';
import { nonNegativeInt, positiveInt } from '../options.ts';
import { cancellableBySigint, terminalProgress } from '../progress-line.ts';
import { subcommandFlags } from '../subcommand-flags.ts';
import { addOpenOptions, type OpenFlags } from './dataset.ts';

interface ExperimentFlags extends OpenFlags {
  model?: string;
  dataset?: string;
  ranking?: string;
  evalPerClass?: number;
  evalSplit?: string;
  seed?: number;
  out?: string;
  json?: boolean;
  workspace?: string;
}

/** The options `rank experiment` shares with `rank`, whose values commander may hand to `rank` (subcommandFlags). */
const SHARED = [
  'model',
  'dataset',
  'evalPerClass',
  'evalSplit',
  'seed',
  'out',
  'json',
  'workspace',
  'size',
  'channels',
  'skipBad',
  'labels',
] as const;

/**
 * `rank experiment --ranking FILE`: the oracle experiment of a saved ranking, for a ranking that was not made
 * with --experiment: a merged sharded ranking (`rank --shard` writes parts, which have no orders yet), a
 * workspace's or a study's. Its distortion, levels and seed are the ranking's; the model must be the ranked one.
 */
export function registerRankExperiment(
  rank: Command,
  format: (e: RequestOutput<'rank.experiment'>) => string,
): void {
  addOpenOptions(
    rank
      .command('experiment')
      .description(
        "the oracle experiment of a saved ranking (rank --out, rank merge --out, a study's ranking.json): its distortion, levels and seed, on the model it ranked",
      )
      .option('--model <folder>', 'the ranked model (its weights must be the ranking’s)')
      .option('--dataset <path>', 'the dataset the experiment images come from')
      .option('--ranking <file>', 'the ranking file')
      .option(
        '--eval-per-class <n>',
        `experiment images per class (default: ${EXPERIMENT_DEFAULTS.evalPerClass})`,
        positiveInt,
      )
      .option('--eval-split <name>', `split of the experiment images (default: ${EXPERIMENT_DEFAULTS.split})`)
      .option('--seed <n>', "seed of the images and the distortions (default: the ranking's)", nonNegativeInt)
      .option(
        '--out <file>',
        'write the ranking with the experiment beside it (the format of rank --experiment --out)',
      )
      .option('--json', 'print the ranking with the experiment as JSON')
      .option('--workspace <folder>', 'also keep the experiment in this workspace, where the app lists it'),
  ).action(async (own: ExperimentFlags) => {
    const opts = subcommandFlags(
      rank,
      'experiment',
      own,
      [...SHARED],
      "the ranking file's distortion, levels and layers are the experiment's",
    );
    const { model, dataset, ranking: file } = opts;
    const missing = [
      model === undefined ? '--model <folder>' : undefined,
      dataset === undefined ? '--dataset <path>' : undefined,
      file === undefined ? '--ranking <file>' : undefined,
    ].filter((m) => m !== undefined);
    if (model === undefined || dataset === undefined || file === undefined)
      throw new InvalidArgumentError(`'rank experiment' needs ${missing.join(', ')}`);
    const split = opts.evalSplit ?? EXPERIMENT_DEFAULTS.split;
    if (!(SPLIT_NAMES as readonly string[]).includes(split))
      throw new InvalidArgumentError(`split "${split}" is not one of ${SPLIT_NAMES.join(', ')}`);
    await checkInput('--model', model, MODEL_FOLDER);
    await checkInput('--dataset', dataset, DATASET);
    await checkInput('--ranking', file, RANKING_FILE);
    if (opts.out !== undefined) {
      if (path.resolve(opts.out) === path.resolve(file))
        throw new InvalidArgumentError(
          `--out ${opts.out} is the ranking file itself: write the ranking with its experiment to another file`,
        );
      await checkOutput('--out', opts.out, RANKING_FILE);
    }
    if (opts.workspace !== undefined) await checkWorkspaceFolder('--workspace', opts.workspace);
    // Read and checked before the engine loads: a file of another format is refused at once, by name.
    const { openRanking, RankingFileError } = await import('../../rank/open-ranking.ts');
    const { path: rankingFile, ranking } = await openRanking(file);
    await withEngine(rank.parent as Command, async (engine) => {
      const datasetId = await engine.openDataset(dataset, opts);
      const modelId = await engine.openModel(model);
      // Checked here rather than by the engine (which checks a weightsSha256 the app sends), to name the file.
      if (ranking.weightsSha256 !== undefined) {
        const { weightsSha256 } = await import('../../models/weights-hash.ts');
        const own = await weightsSha256(engine.session.models.get(modelId).model);
        if (own !== ranking.weightsSha256)
          throw new RankingFileError(
            rankingFile,
            `ranks a model whose weights hash ${ranking.weightsSha256.slice(0, 12)}..., not --model ${model} (${own.slice(0, 12)}...); the experiment needs the ranked model`,
          );
      }
      const onProgress = terminalProgress(process.stderr);
      const { saved, ...experiment } = await cancellableBySigint((signal) =>
        engine.run(
          'rank.experiment',
          {
            modelId,
            datasetId,
            spec: { kind: ranking.kind },
            levels: ranking.levels,
            seed: opts.seed ?? ranking.seed,
            orders: ordersOf(ranking),
            evalPerClass: opts.evalPerClass ?? EXPERIMENT_DEFAULTS.evalPerClass,
            split: split as SplitName,
            ...(opts.workspace === undefined ? {} : { workspace: path.resolve(opts.workspace) }),
          },
          {
            signal,
            command: commandLine(),
            tool: 'deepcorrect rank experiment',
            ...(onProgress ? { progress: onProgress } : {}),
          },
        ),
      );
      if (onProgress) process.stderr.write('\n');
      keptLine(saved);
      const full = `${JSON.stringify({ ...ranking, experiment }, null, 2)}\n`;
      if (opts.out !== undefined) {
        const { writeFileAtomic } = await import('../../io/atomic-write.ts');
        await writeFileAtomic(opts.out, full);
      }
      if (opts.json) process.stdout.write(full);
      else process.stdout.write(format(experiment));
    });
  });
}
