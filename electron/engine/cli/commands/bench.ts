import type { Command } from 'commander';
import { runBench } from '../../../../bench/run.ts';
import { positiveInt } from '../main.ts';

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(
      'benchmark kernels and cnn4 training per backend, beside PyTorch on the same threads (JSON lines)',
    )
    .option('--backends <list>', 'comma-separated backends to measure (default: every available one but cpu)')
    .option('--images <n>', 'images in the timed epoch', positiveInt, 1024)
    .option('--batch <n>', 'batch size', positiveInt, 128)
    .option('--no-torch', 'skip the PyTorch peer')
    .action(async (opts: { backends?: string; images: number; batch: number; torch: boolean }) => {
      await runBench({
        ...(opts.backends === undefined ? {} : { backends: opts.backends.split(',') }),
        images: opts.images,
        batch: opts.batch,
        torch: opts.torch,
        print: (line) => process.stdout.write(`${JSON.stringify(line)}\n`),
        log: (line) => process.stderr.write(`${line}\n`),
      });
    });
}
