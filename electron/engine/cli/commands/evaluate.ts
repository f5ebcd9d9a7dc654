import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { RequestOutput } from '../../../../shared/bridge/contract.ts';
import { EVALUATE_DEFAULTS } from '../../../../shared/bridge/defaults.ts';
import { SPLIT_NAMES, type SplitName } from '../../../../shared/datasets.ts';
import { parseDistortionKind, resolveLevels, type DistortionKind } from '../../../../shared/distortions.ts';
import { parseShard, shardText, type Shard } from '../../../../shared/shard.ts';
import type { EvaluationResult } from '../../eval/evaluation-counts.ts';
import type { EvaluationPartBody, EvaluationPartSettings } from '../../eval/evaluation-parts.ts';
import { writeFileAtomic } from '../../io/atomic-write.ts';
import { recordPath } from '../../io/recorded-path.ts';
import type { ModelMetadata } from '../../models/metadata.ts';
import {
  checkInput,
  checkOutput,
  checkWorkspaceFolder,
  DATASET,
  MODEL_FOLDER,
  type Expected,
} from '../input-check.ts';
import { commandLine } from '../command-line.ts';
import { keptLine } from '../kept-line.ts';
import { subcommandFlags } from '../subcommand-flags.ts';
import { withEngine } from '../lazy-engine.ts';
import { nonNegativeInt, parsed, positiveInt } from '../options.ts';
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
  shard?: Shard;
  out?: string;
  json?: boolean;
  workspace?: string;
}

interface MergeFlags {
  out?: string;
  json?: boolean;
  workspace?: string;
}

const RESULT_FILE: Expected = { kind: 'file', what: 'a JSON file for the result' };
const PART_FILE: Expected = { kind: 'file', what: "a shard's part file (JSON)" };

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
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

/** What `evaluate --json` prints and `--out` writes: the model and data it was measured on, then the result. */
interface EvaluationRecord {
  model: { path: string; metadata: ModelMetadata };
  dataset: { path: string; name: string };
  split: SplitName;
  seed: number;
  result: RequestOutput<'models.evaluate'> | EvaluationResult;
  /** Parts merged into it, for a merge. */
  shards?: number;
}

function recordJson(r: EvaluationRecord): string {
  const { model, dataset, split, seed, result, shards } = r;
  const value = {
    model: { path: model.path, ...model.metadata },
    dataset: dataset.path,
    split,
    seed,
    ...(shards === undefined ? {} : { shards }),
    ...result,
  };
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Prints the record as `evaluate` always has: the table, or with --json the whole record. */
function printRecord(r: EvaluationRecord, json: boolean | undefined): void {
  if (json) process.stdout.write(recordJson(r));
  else {
    process.stdout.write(
      `${r.model.metadata.arch} model from ${r.model.path} on ${r.dataset.name} (${r.split}): `,
    );
    process.stdout.write(formatEvaluation(r.result));
  }
}

async function writeCreatingFolder(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFileAtomic(file, text);
}

export function registerEvaluate(program: Command): void {
  const evaluate = addOpenOptions(
    program
      .command('evaluate')
      .description(
        'accuracy of a model on clean images and at every level of a distortion (top-1; top-5 above ten classes; per class, confusion)',
      )
      // Required, but checked in the action: commander checks a command's required options in its
      // subcommands too, so 'evaluate merge' would ask for them.
      .option('--model <folder>', 'a model folder (tfjs LayersModel, with or without deepcorrect.json)')
      .option('--dataset <path>', 'the dataset to evaluate on')
      .option('--distortion <kind>', 'distortion', 'blur')
      .option(
        '--levels <levels>',
        'paper-cifar, paper-imagenet, severity, or a list of values',
        'paper-cifar',
      )
      .option('--split <name>', 'split to evaluate on', EVALUATE_DEFAULTS.split)
      .option('--per-class <n>', 'a seeded stratified subset of n images per class', positiveInt)
      .option('--seed <n>', 'seed of the distortions and the subset', nonNegativeInt, EVALUATE_DEFAULTS.seed)
      .option(
        '--shard <I/N>',
        "evaluate only shard I of N (counted from 0, as $SLURM_ARRAY_TASK_ID): the evaluation's images cut into " +
          'whole batches of 250, split into N contiguous runs of near-equal size, each run under every condition ' +
          "(clean and each level); writes the shard's counts to --out for 'evaluate merge'. With fewer batches " +
          'than shards the last shards hold no images',
        parsed(parseShard),
      )
      .option('--out <file>', "write the result as JSON; with --shard, the shard's part file")
      .option('--json', 'print the full result (per-class accuracy, confusion matrices) as JSON')
      .option(
        '--workspace <folder>',
        'also keep the evaluation in this workspace (its evaluations), where the app lists it; not with --shard',
      ),
  ).action(async (flags: Partial<EvaluateFlags>, command: Command) => {
    for (const [option, given] of [
      ['--model <folder>', flags.model],
      ['--dataset <path>', flags.dataset],
    ] as const)
      if (given === undefined) command.error(`required option '${option}' not specified`);
    const opts = flags as EvaluateFlags;
    if (opts.shard !== undefined && opts.json)
      throw new Error(
        `--json with --shard ${shardText(opts.shard)}: a shard holds counts, not a result; 'deepcorrect evaluate merge --json' prints the whole`,
      );
    if (opts.shard !== undefined && opts.workspace !== undefined)
      throw new Error(
        `--workspace with --shard ${shardText(opts.shard)}: a shard writes a part, not an evaluation; give --workspace to 'deepcorrect evaluate merge'`,
      );
    if (opts.shard !== undefined && opts.out === undefined)
      throw new Error(
        `--shard ${shardText(opts.shard)} needs --out FILE: the shard's part file, for 'deepcorrect evaluate merge'`,
      );
    const kind = parseDistortionKind(opts.distortion);
    const levels = resolveLevels(kind, opts.levels);
    if (!(SPLIT_NAMES as readonly string[]).includes(opts.split))
      throw new Error(`split "${opts.split}" is not one of ${SPLIT_NAMES.join(', ')}`);
    const split = opts.split as SplitName;
    await checkInput('--model', opts.model, MODEL_FOLDER);
    await checkInput('--dataset', opts.dataset, DATASET);
    if (opts.out !== undefined)
      await checkOutput('--out', opts.out, opts.shard === undefined ? RESULT_FILE : PART_FILE);
    if (opts.workspace !== undefined) await checkWorkspaceFolder('--workspace', opts.workspace);
    if (opts.shard !== undefined) {
      await evaluateShardCommand(
        program,
        { ...opts, shard: opts.shard, out: opts.out as string },
        {
          split,
          spec: { kind },
          levels,
        },
      );
      return;
    }
    await withEngine(program, async (engine) => {
      const datasetId = await engine.openDataset(opts.dataset, opts);
      const modelId = await engine.openModel(opts.model);
      const onProgress = terminalProgress(process.stderr);
      const { saved, ...result } = await cancellableBySigint((signal) =>
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
            ...(opts.workspace === undefined ? {} : { workspace: path.resolve(opts.workspace) }),
          },
          {
            signal,
            command: commandLine(),
            tool: 'deepcorrect evaluate',
            ...(onProgress ? { progress: onProgress } : {}),
          },
        ),
      );
      if (onProgress) process.stderr.write('\n');
      keptLine(saved);
      const base = engine.session.models.get(modelId);
      const dataset = engine.session.datasets.get(datasetId).summary;
      const measured = { split, seed: opts.seed, result };
      // On the terminal the paths as given; in a file, recorded as every file the engine writes records them.
      printRecord(
        {
          ...measured,
          model: { path: opts.model, metadata: base.metadata },
          dataset: { path: dataset.path, name: dataset.name },
        },
        opts.json,
      );
      if (opts.out !== undefined)
        await writeCreatingFolder(
          opts.out,
          recordJson({
            ...measured,
            model: { path: recordPath(base.path), metadata: base.metadata },
            dataset: { path: recordPath(dataset.path), name: dataset.name },
          }),
        );
    });
  });

  evaluate
    .command('merge')
    .description(
      "one evaluation from the part files of 'evaluate --shard I/N --out PART' (every shard 0..N-1 once, of the same settings), printed as evaluate prints it; equal to the unsharded evaluation in every figure",
    )
    .argument('<parts...>', 'the part files, in any order')
    .option('--out <file>', 'write the merged result as JSON')
    .option('--json', 'print the full result as JSON')
    .option(
      '--workspace <folder>',
      'also keep the merged evaluation in this workspace (its evaluations), where the app lists it',
    )
    .action(async (files: string[], own: MergeFlags, command: Command) => {
      const opts = subcommandFlags(
        command.parent,
        'merge',
        own,
        ['out', 'json', 'workspace'],
        'the parts hold the settings they were evaluated with',
      );
      for (const file of files) await checkInput('', file, PART_FILE);
      if (opts.out !== undefined) await checkOutput('--out', opts.out, RESULT_FILE);
      if (opts.workspace !== undefined) await checkWorkspaceFolder('--workspace', opts.workspace);
      const { readParts } = await import('../../shard/part-file.ts');
      const { mergeEvaluationParts } = await import('../../eval/evaluation-parts.ts');
      const parts = await readParts<EvaluationPartSettings, EvaluationPartBody>(files, 'evaluate');
      const merged = mergeEvaluationParts(parts);
      const { settings } = merged;
      process.stderr.write(
        `merged ${parts.length} parts (${settings.images} images, ${merged.backend}); seconds are the parts' sum\n`,
      );
      const record: EvaluationRecord = {
        model: merged.model,
        dataset: { path: settings.dataset.path, name: settings.dataset.name },
        split: settings.split,
        seed: settings.seed,
        result: merged.result,
        shards: parts.length,
      };
      printRecord(record, opts.json);
      if (opts.out !== undefined) await writeCreatingFolder(opts.out, recordJson(record));
      if (opts.workspace !== undefined) {
        const { saveMergedEvaluation } = await import('../../use-cases/save-merged.ts');
        keptLine(await saveMergedEvaluation(opts.workspace, merged, parts.length, commandLine()));
      }
    });
}

/** `evaluate --shard I/N --out PART`: one shard's counts, written whole (a killed task leaves no part). */
async function evaluateShardCommand(
  program: Command,
  opts: EvaluateFlags & { shard: Shard; out: string },
  what: { split: SplitName; spec: { kind: DistortionKind }; levels: number[] },
): Promise<void> {
  const { split, spec, levels } = what;
  await withEngine(program, async (engine) => {
    const datasetId = await engine.openDataset(opts.dataset, opts);
    const modelId = await engine.openModel(opts.model);
    const { modelAndDataset } = await import('../../use-cases/open-pair.ts');
    const { evaluateShard } = await import('../../eval/evaluate-shard.ts');
    const { writePart } = await import('../../shard/part-file.ts');
    const { base, dataset } = modelAndDataset(engine.session, modelId, datasetId);
    const onProgress = terminalProgress(process.stderr);
    const part = await cancellableBySigint((signal) =>
      evaluateShard({
        model: base,
        dataset,
        split,
        ...(opts.perClass === undefined ? {} : { perClass: opts.perClass }),
        spec,
        levels,
        seed: opts.seed,
        shard: opts.shard,
        backend: engine.backend.name,
        signal,
        ...(onProgress ? { onProgress } : {}),
      }),
    );
    if (onProgress) process.stderr.write('\n');
    await mkdir(path.dirname(path.resolve(opts.out)), { recursive: true });
    await writePart(opts.out, part);
    const [from, to] = part.body.range;
    const { images, batchSize } = part.settings;
    const held =
      from === to
        ? `no images (the ${images} images make ${plural(Math.ceil(images / batchSize), 'batch', 'batches')} of ${batchSize}, fewer than the ${opts.shard.count} shards)`
        : `images ${from + 1}-${to} of ${images}${part.body.images === to - from ? '' : ` (${part.body.images} read)`} under ${levels.length + 1} conditions`;
    process.stdout.write(
      `shard ${shardText(opts.shard)}: ${held}, ${part.seconds.toFixed(1)} s -> ${opts.out}\n`,
    );
  });
}
