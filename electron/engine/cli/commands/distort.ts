import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { SplitName } from '../../../../shared/datasets.ts';
import {
  MAX_BLUR_KERNEL,
  MOTION_ANGLE_RANGE,
  parseDistortionKind,
  validateSpec,
  type DistortionSpec,
} from '../../../../shared/distortions.ts';
import { checkInput, checkOutput } from '../input-check.ts';
import { withBackend, withEngine } from '../lazy-engine.ts';
import { finiteNumber, nonNegativeInt, positiveInt } from '../options.ts';
import { cancellableBySigint, terminalProgress } from '../progress-line.ts';
import { addOpenOptions, type OpenFlags } from './dataset.ts';

export interface DistortFlags extends OpenFlags {
  in: string;
  kind: string;
  level: number;
  kernelSize?: number;
  clip?: boolean;
  angle?: number;
  seed: number;
  out: string;
  split?: string;
  perClass?: number;
  subsetSeed: number;
  batch: number;
}

function specOf(opts: DistortFlags): DistortionSpec {
  return validateSpec({
    kind: parseDistortionKind(opts.kind),
    level: opts.level,
    ...(opts.kernelSize === undefined ? {} : { kernelSize: opts.kernelSize }),
    ...(opts.clip ? { clip: true } : {}),
    ...(opts.angle === undefined ? {} : { angle: opts.angle }),
  });
}

export function registerDistort(program: Command): void {
  addOpenOptions(
    program
      .command('distort')
      .description('distort an image file or a dataset at one level and write 8-bit PNG files')
      .requiredOption('--in <path>', 'an image file (PNG, JPEG, WebP) or a dataset')
      .requiredOption(
        '--kind <name>',
        'blur, noise, motion-blur, defocus, jpeg, contrast, brightness, salt-pepper, speckle or pixelate',
      )
      .requiredOption(
        '--level <value>',
        "the distortion's parameter (e.g. blur sigma in px, noise sigma on 0..255)",
        finiteNumber,
      )
      .requiredOption(
        '--out <path>',
        'output PNG file, or folder (a dataset is written as <split>/<class>/<index>.png)',
      )
      .option('--seed <n>', 'seed of the random draws (noise, salt-and-pepper, speckle)', nonNegativeInt, 0)
      .option(
        '--kernel-size <n>',
        `blur kernel size (odd, 1..${MAX_BLUR_KERNEL}; default 4*sigma+1)`,
        positiveInt,
      )
      .option('--clip', 'clip noise to 0..255 before saving (saving always clips; this matters for tensors)')
      .option(
        '--angle <degrees>',
        `motion-blur direction (${MOTION_ANGLE_RANGE.min}..${MOTION_ANGLE_RANGE.max})`,
        finiteNumber,
      )
      .option('--split <names>', 'dataset splits to write, comma-separated (default: all)')
      .option('--per-class <n>', 'a seeded stratified subset of n images per class and split', positiveInt)
      .option(
        '--subset-seed <n>',
        'seed of the subset draw (apart from --seed, so noise can vary alone)',
        nonNegativeInt,
        0,
      )
      .option('--batch <n>', 'images per batch', positiveInt, 256),
  ).action(async (opts: DistortFlags) => {
    const spec = specOf(opts);
    await checkInput('--in', opts.in, {
      kind: 'file or folder',
      what: 'an image file (PNG, JPEG, WebP) or a dataset',
    });
    const { isImageName } = await import('../../data/image-folder.ts');
    if ((await stat(opts.in)).isFile() && isImageName(opts.in)) {
      await checkOutput('--out', opts.out, { kind: 'file or folder', what: 'a PNG file or a folder' });
      const { distortFile } = await import('../distort-file.ts');
      await withBackend(program, async () => {
        process.stdout.write(`wrote ${await distortFile(opts, spec)}\n`);
      });
      return;
    }
    await checkOutput('--out', opts.out, {
      kind: 'folder',
      what: 'a folder (a dataset is written as PNG files)',
    });
    await withEngine(program, async (engine) => {
      const datasetId = await engine.openDataset(opts.in, opts);
      const onProgress = terminalProgress(process.stderr);
      const splits = opts.split?.split(',').map((name) => name.trim() as SplitName);
      const result = await cancellableBySigint((signal) =>
        engine.run(
          'distort.write',
          {
            datasetId,
            spec,
            seed: opts.seed,
            ...(splits ? { splits } : {}),
            ...(opts.perClass === undefined ? {} : { perClass: opts.perClass }),
            subsetSeed: opts.subsetSeed,
            batchSize: opts.batch,
            outDir: path.resolve(opts.out),
          },
          { signal, ...(onProgress ? { progress: onProgress } : {}) },
        ),
      );
      if (onProgress) process.stderr.write('\n');
      process.stdout.write(`wrote ${result.written} images to ${result.outDir}\n`);
    });
  });
}
