import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import type { Progress } from '../../../../shared/progress.ts';
import { selectBackend } from '../../backend/ladder.ts';
import { releaseBackends } from '../../backend/probes.ts';
import { syntheticShapes } from '../../data/synthetic-shapes.ts';
import { accuracy } from '../../eval/accuracy.ts';
import { cnn4 } from '../../models/cnn4.ts';
import { DataParallelTrainer } from '../../train/data-parallel.ts';
import { fit } from '../../train/fit.ts';
import { positiveInt } from '../options.ts';
import { progressLine } from '../progress-line.ts';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('train cnn4 on the generated shapes demo and report its test accuracy (Ctrl-C cancels)')
    .option('--train <n>', 'training images', positiveInt, 4000)
    .option('--test <n>', 'test images', positiveInt, 1000)
    .option('--epochs <n>', 'epochs', positiveInt, 3)
    .option('--seed <n>', 'seed of the data and the weights', positiveInt, 1)
    .action(async (opts: { train: number; test: number; epochs: number; seed: number }) => {
      const { backend } = program.opts<{ backend?: string }>();
      const choice = await selectBackend({ forced: backend, log: (l) => process.stderr.write(`${l}\n`) });
      process.stdout.write(`backend: ${choice.name} (${choice.reason}) on ${choice.device}\n`);
      const train = syntheticShapes(opts.train, opts.seed);
      const test = syntheticShapes(opts.test, opts.seed + 1000);
      const imageShape = [train.size, train.size, 1];
      const model = cnn4({
        inputShape: [train.size, train.size, 1],
        classes: train.classes.length,
        seed: opts.seed,
      });
      const trainer = await DataParallelTrainer.create(model, tf.train.adam(1e-3), { backend: choice.name });
      process.stdout.write(
        `training cnn4 on ${train.n} generated shape images (${train.classes.length} classes), ${trainer.replicaCount} replica(s)\n`,
      );
      const abort = new AbortController();
      const onSigint = (): void => abort.abort();
      process.once('SIGINT', onSigint);
      try {
        const before = accuracy(model, test.x, test.labels, imageShape);
        const history = await fit(
          trainer,
          { x: train.x, labels: train.labels, n: train.n, imageShape, classes: train.classes.length },
          {
            epochs: opts.epochs,
            batchSize: 128,
            seed: opts.seed,
            signal: abort.signal,
            // A terminal gets a live line; a log gets nothing per batch (the epoch lines follow).
            ...(process.stdout.isTTY
              ? { onProgress: (p: Progress) => process.stdout.write(progressLine(p)) }
              : {}),
          },
        );
        if (process.stdout.isTTY) process.stdout.write('\n');
        for (const h of history) {
          process.stdout.write(
            `epoch ${h.epoch}: loss ${h.loss.toFixed(4)}, ${h.imagesPerSecond.toFixed(0)} images/s\n`,
          );
        }
        const after = accuracy(model, test.x, test.labels, imageShape);
        process.stdout.write(
          `test accuracy on ${test.n} images: ${(before * 100).toFixed(1)}% before, ${(after * 100).toFixed(1)}% after training\n`,
        );
      } finally {
        process.off('SIGINT', onSigint);
        await trainer.dispose();
        model.dispose();
        releaseBackends();
      }
    });
}
