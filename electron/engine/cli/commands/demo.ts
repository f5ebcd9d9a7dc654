import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { parseDistortionKind, resolveLevels, DISTORTIONS } from '../../../../shared/distortions.ts';
import { selectBackend } from '../../backend/ladder.ts';
import { releaseBackends } from '../../backend/probes.ts';
import { loadImages, toUnitFloat } from '../../data/load-images.ts';
import { openDataset } from '../../data/open-dataset.ts';
import { stratifiedSubset } from '../../data/subset.ts';
import { accuracyVersusLevel } from '../../eval/distorted-accuracy.ts';
import { cnn4 } from '../../models/cnn4.ts';
import { demoDatasetDir } from '../../resources.ts';
import { DataParallelTrainer } from '../../train/data-parallel.ts';
import { fit } from '../../train/fit.ts';
import { nonNegativeInt, positiveInt } from '../options.ts';
import { cancellableBySigint, terminalProgress } from '../progress-line.ts';

interface DemoOptions {
  trainPerClass: number;
  testPerClass: number;
  epochs: number;
  seed: number;
  distortion: string;
  levels: string;
}

const percent = (v: number): string => `${(v * 100).toFixed(1)}%`;
const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'train cnn4 on the bundled Fashion-MNIST subset, then measure its accuracy on clean and distorted test images',
    )
    .option('--train-per-class <n>', 'training images per class (the bundle has 1,000)', positiveInt, 1000)
    .option('--test-per-class <n>', 'test images per class (the bundle has 200)', positiveInt, 200)
    .option('--epochs <n>', 'epochs', positiveInt, 2)
    .option(
      '--seed <n>',
      'seed of the subset, the weights, the batch order and the distortions',
      nonNegativeInt,
      1,
    )
    .option('--distortion <kind>', 'distortion to measure', 'blur')
    .option('--levels <levels>', 'paper-cifar, paper-imagenet, severity, or a list of values', 'paper-cifar')
    .action(async (opts: DemoOptions) => {
      const kind = parseDistortionKind(opts.distortion);
      const levels = resolveLevels(kind, opts.levels);
      const { backend } = program.opts<{ backend?: string }>();
      const choice = await selectBackend({ forced: backend, log: (l) => process.stderr.write(`${l}\n`) });
      process.stdout.write(`backend: ${choice.name} (${choice.reason}) on ${choice.device}\n`);
      const dataset = await openDataset(demoDatasetDir());
      const classes = dataset.summary.classes.length;
      const pick = async (split: 'train' | 'test', perClass: number) =>
        loadImages(
          dataset,
          split,
          stratifiedSubset(await dataset.labels(split), perClass, opts.seed, classes),
        );
      const train = await pick('train', opts.trainPerClass);
      const test = await pick('test', opts.testPerClass);
      await dataset.close();

      const model = cnn4({ inputShape: train.imageShape, classes, seed: opts.seed });
      const trainer = await DataParallelTrainer.create(model, tf.train.adam(1e-3), { backend: choice.name });
      process.stdout.write(
        `training cnn4 on ${train.n} Fashion-MNIST images (${classes} classes), ${trainer.replicaCount} replica(s)\n`,
      );
      const onProgress = terminalProgress(process.stdout);
      try {
        const history = await cancellableBySigint((signal) =>
          fit(
            trainer,
            {
              x: toUnitFloat(train.images),
              labels: train.labels,
              n: train.n,
              imageShape: train.imageShape,
              classes,
            },
            {
              epochs: opts.epochs,
              batchSize: 128,
              seed: opts.seed,
              signal,
              ...(onProgress ? { onProgress } : {}),
            },
          ),
        );
        if (onProgress) process.stdout.write('\n');
        for (const h of history) {
          process.stdout.write(
            `epoch ${h.epoch}: loss ${h.loss.toFixed(4)}, ${h.imagesPerSecond.toFixed(0)} images/s\n`,
          );
        }
        const rows = accuracyVersusLevel(model, test, { kind }, levels, opts.seed, onProgress);
        if (onProgress) process.stdout.write('\n');
        const info = DISTORTIONS[kind];
        process.stdout.write(
          `\naccuracy on ${test.n} test images, ${info.label.toLowerCase()} (${opts.levels}):\n`,
        );
        for (const r of rows) {
          const label = r.level === undefined ? 'clean' : `${info.parameter.split(' ')[0]} ${r.level}`;
          process.stdout.write(`  ${label.padEnd(14)} ${percent(r.accuracy).padStart(6)}\n`);
        }
        const all = rows.map((r) => r.accuracy);
        process.stdout.write(
          `  mean over clean + ${levels.length} levels: ${percent(mean(all))}; over the ${levels.length} levels alone: ${percent(mean(all.slice(1)))}\n`,
        );
      } finally {
        await trainer.dispose();
        model.dispose();
        releaseBackends();
      }
    });
}
