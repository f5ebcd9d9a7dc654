import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { SPLIT_NAMES, type SplitName } from '../../../../shared/datasets.ts';
import { parseDistortionKind, resolveLevels } from '../../../../shared/distortions.ts';
import type { RequestOutput } from '../../../../shared/bridge/contract.ts';
import { EXPERIMENT_DEFAULTS, RANK_DEFAULTS } from '../../../../shared/bridge/defaults.ts';
import { writeFileAtomic } from '../../io/atomic-write.ts';
import { rankingSizeProblem } from '../../../../shared/ranking-size.ts';
import { TAU_KINDS, type TauKind } from '../../rank/tau.ts';
import { RANK_METHODS, type RankMethod } from '../../rank/types.ts';
import { ordersOf } from '../../use-cases/layer-orders.ts';
import type { CliEngine } from '../engine-session.ts';
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
import { fraction, nonNegativeInt, parsed, positiveInt } from '../options.ts';
import { parseShard, type Shard } from '../../../../shared/shard.ts';
import { rankOneShard, registerRankMerge } from './rank-shard.ts';
import { registerRankExperiment } from './rank-experiment.ts';
import { cancellableBySigint, terminalProgress } from '../progress-line.ts';
import { addOpenOptions, type OpenFlags } from './dataset.ts';

interface RankFlags extends OpenFlags {
  model?: string;
  dataset?: string;
  distortion: string;
  levels: string;
  layers?: string;
  rankImages?: number;
  perClass?: number;
  method: string;
  tau: TauKind;
  stability: boolean;
  stabilityBeta: number;
  seed: number;
  out?: string;
  json?: boolean;
  experiment?: boolean;
  evalPerClass: number;
  evalSplit: string;
  shard?: Shard;
  workspace?: string;
}

const percent = (v: number): string => `${(v * 100).toFixed(1)}%`;

/** Per layer: the ten most important filters, the agreement of the proxy with the oracle, the time taken. */
export function formatRanking(r: RequestOutput<'rank.filters'>): string {
  const tau = r.tauKind === 'signed' ? 'signed tau' : 'tau';
  const lines = [
    `${r.method} ranking of ${r.model}, ${r.kind} at ${r.levels.join(', ')}, ${r.rankingImages} ${r.split} images (${r.backend}, ${r.seconds.toFixed(1)} s):`,
  ];
  const st = r.stability;
  if (st)
    lines.push(
      `  stability: the set's two disjoint halves (${st.images.join(' and ')} images) ranked apart by ${st.score === 'tau' ? tau : 'the proxy'}; top ${percent(st.beta)} compared`,
    );
  for (const l of r.layers) {
    const score = l.tau ?? l.proxy ?? [];
    const top = l.order.slice(0, 10).map((i) => `${i} (${(score[i] ?? Number.NaN).toFixed(3)})`);
    lines.push(
      `  ${l.layer} (${l.filters} filters, ${l.seconds.toFixed(1)} s): top ${l.tau ? tau : 'proxy'}: ${top.join(', ')}`,
    );
    if (l.spearman !== undefined) lines.push(`    Spearman(tau, proxy) = ${l.spearman.toFixed(3)}`);
    if (l.ties)
      lines.push(
        `    ties: ${l.ties.filters} of ${l.filters} filters share their score with another (${l.ties.groups} groups, largest ${l.ties.largest})`,
      );
    if (l.stability)
      lines.push(
        `    stability: Spearman(half 1, half 2) = ${l.stability.spearman === null ? 'undefined (a constant score)' : l.stability.spearman.toFixed(3)}, top-${percent(st?.beta ?? Number.NaN)} overlap ${percent(l.stability.topOverlap)}`,
      );
    if (l.errors) {
      const e = l.errors;
      lines.push(`    errors: clean ${e.clean}/${e.images}, per level ${e.baseline.join(', ')}`);
    }
    if (l.worseCells !== undefined)
      lines.push(
        `    filter x level cells: ${l.worseCells} worse with the clean map, ${l.betterCells ?? 0} better, of ${l.filters * r.levels.length}`,
      );
    if (l.skippedLevels && l.skippedLevels.length > 0)
      lines.push(
        `    levels ${l.skippedLevels.join(', ')} left out of tau: no ranking image misclassified there`,
      );
  }
  return `${lines.join('\n')}\n`;
}

/** Layer x fraction: mean accuracy over the distorted levels, with the clean and baseline figures. */
export function formatExperiment(e: RequestOutput<'rank.experiment'>): string {
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

/** Refuses a --rank-images the open dataset's training split cannot give, before any work. */
export function checkRankImages(engine: CliEngine, datasetId: string, images: number | undefined): void {
  if (images === undefined) return;
  const { splits, classes } = engine.session.datasets.get(datasetId).summary;
  const available = splits.find((s) => s.name === 'train')?.count ?? 0;
  const problem = rankingSizeProblem(images, available, classes.length, '--rank-images');
  if (problem !== undefined) throw new InvalidArgumentError(problem);
}

export function registerRank(program: Command): void {
  const rank = addOpenOptions(
    program
      .command('rank')
      .description(
        'rank conv filters by correction priority (the oracle of DeepCorrect, and/or a one-pass proxy)',
      )
      // Checked in the action rather than by commander, which would ask them of `rank merge` too.
      .option('--model <folder>', 'a model folder (tfjs LayersModel, with or without deepcorrect.json)')
      .option('--dataset <path>', 'the dataset: the ranking set is drawn from its training split')
      .option('--distortion <kind>', 'distortion', 'blur')
      .option(
        '--levels <levels>',
        'paper-cifar, paper-imagenet, severity, or a list of values',
        'paper-cifar',
      )
      .option('--layers <names>', 'comma-separated conv layers (default: all)')
      .option(
        '--rank-images <n>',
        `ranking images, spread evenly over the classes (default ${RANK_DEFAULTS.images}, or the whole training split when smaller)`,
        positiveInt,
      )
      .option('--per-class <n>', 'or: ranking images per class (not with --rank-images)', positiveInt)
      .option('--method <name>', 'oracle, proxy or both', RANK_DEFAULTS.method)
      .addOption(
        new Option('--tau <kind>', "abs: the authors' sum |e_ij - e_j| / e_j; signed: sum (e_j - e_ij) / e_j")
          .choices(TAU_KINDS)
          .default(RANK_DEFAULTS.tau),
      )
      .option(
        '--no-stability',
        "skip the order's stability (Spearman and top-beta overlap of the set's two disjoint halves; no extra passes)",
      )
      .option(
        '--stability-beta <fraction>',
        'the top share of filters the stability compares',
        fraction(0, 1),
        RANK_DEFAULTS.stabilityBeta,
      )
      .option('--seed <n>', 'seed of the subsets and the distortions', nonNegativeInt, RANK_DEFAULTS.seed)
      .option('--out <file>', 'write the full result as JSON')
      .option('--json', 'print the full result as JSON')
      .option(
        '--experiment',
        "also correct the top 10..90% of each layer with clean maps and report accuracy (for a saved ranking: 'rank experiment')",
      )
      .option(
        '--eval-per-class <n>',
        'experiment images per class',
        positiveInt,
        EXPERIMENT_DEFAULTS.evalPerClass,
      )
      .option('--eval-split <name>', 'split of the experiment images', EXPERIMENT_DEFAULTS.split)
      .option(
        '--shard <I/N>',
        'rank only slice I of N (counted from 0, as SLURM_ARRAY_TASK_ID) and write it as a part with --out; put the N parts together with `rank merge`',
        parsed(parseShard),
      )
      .option(
        '--workspace <folder>',
        'also keep the ranking (and with --experiment the experiment) in this workspace, where the app lists them; not with --shard',
      ),
  );
  rank.action(async (opts: RankFlags) => {
    const { model, dataset } = opts;
    if (model === undefined) return rank.error("required option '--model <folder>' not specified");
    if (dataset === undefined) return rank.error("required option '--dataset <path>' not specified");
    const kind = parseDistortionKind(opts.distortion);
    const levels = resolveLevels(kind, opts.levels);
    const method = parseMethod(opts.method);
    if (!(SPLIT_NAMES as readonly string[]).includes(opts.evalSplit))
      throw new Error(`split "${opts.evalSplit}" is not one of ${SPLIT_NAMES.join(', ')}`);
    if (opts.rankImages !== undefined && opts.perClass !== undefined)
      throw new InvalidArgumentError(
        '--rank-images and --per-class are two ways to size the ranking set: give one',
      );
    const layers = opts.layers
      ?.split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const { shard } = opts;
    if (shard !== undefined) {
      if (opts.out === undefined)
        throw new InvalidArgumentError('--shard writes a part file: give it with --out PART.json');
      if (opts.experiment === true)
        throw new InvalidArgumentError(
          "--shard writes a part, not a ranking: leave out --experiment and run 'deepcorrect rank experiment --ranking MERGED' on the merged ranking",
        );
      if (opts.json === true)
        throw new InvalidArgumentError(
          "--shard writes a part, not a ranking: leave out --json and give it to 'deepcorrect rank merge'",
        );
      if (opts.workspace !== undefined)
        throw new InvalidArgumentError(
          "--shard writes a part, not a ranking: leave out --workspace and give it to 'deepcorrect rank merge', which keeps the merged ranking",
        );
    }
    await checkInput('--model', model, MODEL_FOLDER);
    await checkInput('--dataset', dataset, DATASET);
    if (opts.out !== undefined) await checkOutput('--out', opts.out, RANKING_FILE);
    if (opts.workspace !== undefined) await checkWorkspaceFolder('--workspace', opts.workspace);
    const workspace = opts.workspace === undefined ? {} : { workspace: path.resolve(opts.workspace) };
    const recorded = { command: commandLine(), tool: 'deepcorrect rank' };
    await withEngine(program, async (engine) => {
      const datasetId = await engine.openDataset(dataset, opts);
      checkRankImages(engine, datasetId, opts.rankImages);
      const modelId = await engine.openModel(model);
      const onProgress = terminalProgress(process.stderr);
      const shown = onProgress ? { progress: onProgress } : {};
      if (shard !== undefined) {
        const line = await cancellableBySigint((signal) =>
          rankOneShard(
            engine,
            { modelId, datasetId },
            {
              ...(layers ? { layers } : {}),
              spec: { kind },
              levels,
              seed: opts.seed,
              ...(opts.rankImages === undefined ? {} : { images: opts.rankImages }),
              ...(opts.perClass === undefined ? {} : { perClass: opts.perClass }),
              imagesOption: '--rank-images',
              method,
              tau: opts.tau,
              stability: opts.stability,
              stabilityBeta: opts.stabilityBeta,
            },
            shard,
            opts.out as string,
            { signal, ...(onProgress ? { onProgress } : {}) },
          ),
        );
        if (onProgress) process.stderr.write('\n');
        process.stdout.write(line);
        return;
      }
      const common = { modelId, datasetId, spec: { kind }, levels, seed: opts.seed };
      const { ranking, experiment } = await cancellableBySigint(async (signal) => {
        const { saved, ...ranking } = await engine.run(
          'rank.filters',
          {
            ...common,
            ...(layers ? { layers } : {}),
            ...(opts.rankImages === undefined ? {} : { images: opts.rankImages }),
            ...(opts.perClass === undefined ? {} : { perClass: opts.perClass }),
            method,
            tau: opts.tau,
            stability: opts.stability,
            stabilityBeta: opts.stabilityBeta,
            ...workspace,
          },
          { signal, ...recorded, ...shown },
        );
        if (onProgress) process.stderr.write('\n');
        keptLine(saved);
        if (!opts.experiment) return { ranking, experiment: undefined };
        const { saved: savedExperiment, ...experiment } = await engine.run(
          'rank.experiment',
          {
            ...common,
            orders: ordersOf(ranking),
            evalPerClass: opts.evalPerClass,
            split: opts.evalSplit as SplitName,
            ...workspace,
          },
          { signal, ...recorded, ...shown },
        );
        if (onProgress) process.stderr.write('\n');
        keptLine(savedExperiment);
        return { ranking, experiment };
      });
      const full = { ...ranking, ...(experiment ? { experiment } : {}) };
      if (opts.out !== undefined) await writeFileAtomic(opts.out, `${JSON.stringify(full, null, 2)}\n`);
      if (opts.json) process.stdout.write(`${JSON.stringify(full, null, 2)}\n`);
      else {
        process.stdout.write(formatRanking(ranking));
        if (experiment) process.stdout.write(formatExperiment(experiment));
      }
    });
  });
  registerRankMerge(rank, formatRanking);
  registerRankExperiment(rank, formatExperiment);
}
