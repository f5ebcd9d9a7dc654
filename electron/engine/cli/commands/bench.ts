import { InvalidArgumentError, type Command } from 'commander';
import { BENCH_GROUPS, type BenchGroup } from '../../../../bench/groups.ts';
import { watchGpuFaults } from '../lazy-engine.ts';
import { positiveInt } from '../options.ts';

function groupList(value: string): BenchGroup[] {
  return value.split(',').map((g) => {
    const group = g.trim() as BenchGroup;
    if (!BENCH_GROUPS.includes(group)) {
      throw new InvalidArgumentError(`unknown group "${g}"; valid: ${BENCH_GROUPS.join(', ')}`);
    }
    return group;
  });
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(
      'benchmark dataset reading, distortions, kernels and cnn4 training per backend, beside PyTorch (JSON lines)',
    )
    .option('--backends <list>', 'comma-separated backends to measure (default: every available one but cpu)')
    .option('--images <n>', 'images in the timed epoch', positiveInt, 1024)
    .option('--batch <n>', 'batch size', positiveInt, 128)
    .option('--no-torch', 'skip the PyTorch peer')
    .option(
      '--only <groups>',
      `comma-separated groups to run: ${BENCH_GROUPS.join(', ')} (default: all)`,
      groupList,
    )
    .action(
      async (opts: {
        backends?: string;
        images: number;
        batch: number;
        torch: boolean;
        only?: BenchGroup[];
      }) => {
        await watchGpuFaults();
        const { runBench } = await import('../../../../bench/run.ts');
        await runBench({
          ...(opts.backends === undefined ? {} : { backends: opts.backends.split(',') }),
          images: opts.images,
          batch: opts.batch,
          torch: opts.torch,
          ...(opts.only === undefined ? {} : { only: opts.only }),
          print: (line) => process.stdout.write(`${JSON.stringify(line)}\n`),
          log: (line) => process.stderr.write(`${line}\n`),
        });
      },
    );
}
