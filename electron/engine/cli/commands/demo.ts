import type { Command } from 'commander';
import { parseDistortionKind, resolveLevels, DISTORTIONS } from '../../../../shared/distortions.ts';
import { withEngine } from '../lazy-engine.ts';
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
      const print = (line: string): void => void process.stdout.write(`${line}\n`);
      await withEngine(
        program,
        async (engine) => {
          const onProgress = terminalProgress(process.stdout);
          const result = await cancellableBySigint((signal) =>
            engine.run(
              'demo.train',
              {
                trainPerClass: opts.trainPerClass,
                testPerClass: opts.testPerClass,
                epochs: opts.epochs,
                seed: opts.seed,
                spec: { kind },
                levels,
              },
              { signal, ...(onProgress ? { progress: onProgress } : {}), log: print },
            ),
          );
          if (onProgress) process.stdout.write('\n');
          for (const h of result.epochs) {
            process.stdout.write(
              `epoch ${h.epoch}: loss ${h.loss.toFixed(4)}, ${h.imagesPerSecond.toFixed(0)} images/s\n`,
            );
          }
          const { rows } = result;
          const info = DISTORTIONS[kind];
          process.stdout.write(
            `\naccuracy on ${result.testImages} test images, ${info.label.toLowerCase()} (${opts.levels}):\n`,
          );
          for (const r of rows) {
            const label = r.level === undefined ? 'clean' : `${info.parameter.split(' ')[0]} ${r.level}`;
            process.stdout.write(`  ${label.padEnd(14)} ${percent(r.accuracy).padStart(6)}\n`);
          }
          const all = rows.map((r) => r.accuracy);
          process.stdout.write(
            `  mean over clean + ${levels.length} levels: ${percent(mean(all))}; over the ${levels.length} levels alone: ${percent(mean(all.slice(1)))}\n`,
          );
        },
        print,
      );
    });
}
