import type { Command } from 'commander';
import { SPLIT_NAMES, imageCount, type Channels, type DatasetSummary } from '../../../../shared/datasets.ts';
import type { OpenOptions } from '../../data/open-dataset.ts';
import { checkInput, checkOutput, DATASET, OUTPUT_FOLDER } from '../input-check.ts';
import { channelCount, imageSize, nonNegativeInt } from '../options.ts';
import { cancellableBySigint } from '../progress-line.ts';

/** The flags addOpenOptions adds, as commander parses them. */
export interface OpenFlags {
  size?: [number, number];
  channels?: Channels;
  skipBad?: boolean;
  labels?: 'fine' | 'coarse';
}

/** The options every command that opens a dataset takes. */
export function addOpenOptions(command: Command): Command {
  return command
    .option(
      '--size <HxW>',
      'resize and centre-crop folder images to this size (default: the first image)',
      imageSize,
    )
    .option('--channels <1|3>', 'convert folder images to grayscale (1) or RGB (3)', channelCount)
    .option('--skip-bad', 'leave out unreadable folder images and report them, instead of failing')
    .option('--labels <fine|coarse>', 'CIFAR-100 label set', 'fine');
}

export function openOptions(flags: OpenFlags): OpenOptions {
  return {
    ...(flags.size ? { size: flags.size } : {}),
    ...(flags.channels ? { channels: flags.channels } : {}),
    ...(flags.skipBad ? { skipBad: true } : {}),
    ...(flags.labels ? { labels: flags.labels } : {}),
  };
}

/** The summary as a table: one row per class, one column per split. */
export function formatSummary(summary: DatasetSummary): string {
  const splits = summary.splits;
  const width = Math.max(5, ...summary.classes.map((c) => c.length));
  const header = ['class'.padEnd(width), ...splits.map((s) => s.name.padStart(8))].join('  ');
  const rows = summary.classes.map((name, c) =>
    [name.padEnd(width), ...splits.map((s) => String(s.perClass[c] ?? 0).padStart(8))].join('  '),
  );
  const total = ['total'.padEnd(width), ...splits.map((s) => String(s.count).padStart(8))].join('  ');
  const lines = [
    `${summary.name} (${summary.format}) at ${summary.path}`,
    `images: ${imageCount(summary)}, ${summary.height}x${summary.width}, ${summary.channels === 1 ? 'grayscale' : 'RGB'}; ${summary.classes.length} classes`,
    '',
    header,
    ...rows,
    total,
  ];
  if (summary.skipped.length > 0) {
    lines.push('', `skipped ${summary.skipped.length} bad file(s):`);
    for (const s of summary.skipped) lines.push(`  ${s.file}: ${s.problem}`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerDataset(program: Command): void {
  const dataset = program.command('dataset').description('inspect local datasets and write subsets of them');

  addOpenOptions(
    dataset
      .command('info')
      .description('classes, counts per class and split, image size and channels of a dataset')
      .argument('<path>', 'IDX files (MNIST layout, plain or .gz), CIFAR-10/100 binary, or an image folder')
      .option('--json', 'print the summary as JSON'),
  ).action(async (target: string, opts: OpenFlags & { json?: boolean }) => {
    await checkInput('', target, DATASET);
    const { openDataset } = await import('../../data/open-dataset.ts');
    const opened = await openDataset(target, openOptions(opts));
    try {
      process.stdout.write(
        opts.json ? `${JSON.stringify(opened.summary, null, 2)}\n` : formatSummary(opened.summary),
      );
    } finally {
      await opened.close();
    }
  });

  addOpenOptions(
    dataset
      .command('subset')
      .description('write a seeded, stratified subset of a dataset as gzipped IDX files (plus classes.txt)')
      .argument('<path>', 'the dataset to draw from')
      .requiredOption('--out <folder>', 'output folder (created; files written atomically)')
      .option('--train-per-class <n>', 'training images per class (default: all)', nonNegativeInt)
      .option('--val-per-class <n>', 'validation images per class (default: all)', nonNegativeInt)
      .option('--test-per-class <n>', 'test images per class (default: all)', nonNegativeInt)
      .option('--seed <n>', 'seed of the draw', nonNegativeInt, 0),
  ).action(
    async (
      target: string,
      opts: OpenFlags & {
        out: string;
        trainPerClass?: number;
        valPerClass?: number;
        testPerClass?: number;
        seed: number;
      },
    ) => {
      await checkInput('', target, DATASET);
      await checkOutput('--out', opts.out, OUTPUT_FOLDER);
      const { openDataset } = await import('../../data/open-dataset.ts');
      const { writeIdxDataset } = await import('../../data/idx-writer.ts');
      const opened = await openDataset(target, openOptions(opts));
      try {
        const perClass = Object.fromEntries(
          SPLIT_NAMES.flatMap((name) => {
            const n = { train: opts.trainPerClass, val: opts.valPerClass, test: opts.testPerClass }[name];
            return n === undefined ? [] : [[name, n]];
          }),
        );
        const written = await cancellableBySigint((signal) =>
          writeIdxDataset(opened, opts.out, { perClass, seed: opts.seed, signal }),
        );
        process.stdout.write(formatSummary(written));
      } finally {
        await opened.close();
      }
    },
  );
}
