import * as tf from '@tensorflow/tfjs';
import type { SplitName } from '../../../shared/datasets.ts';
import { DISTORTIONS } from '../../../shared/distortions.ts';
import { stratifiedSubset } from '../data/subset.ts';
import { distortBatch } from '../distort/apply.ts';
import { toUint8 } from '../distort/quantize.ts';
import { writeDistortedDataset } from '../ops/write-distorted.ts';
import { readImages } from '../session/datasets.ts';
import { reporting, type UseCase } from './context.ts';

/**
 * Largest image `distort.sample` distorts. A preview is a quick request, answered on the engine's one thread
 * while other requests wait: at the distortions' own bounds a 1024 x 1024 image took up to 7.6 s on wasm
 * (defocus radius 20; a 121-tap blur 2 s), and a 50-megapixel one, which the readers accept, 166 s and 3.9 GB.
 * Larger images are distorted by the distort.write job, which reports progress and can be cancelled.
 */
export const MAX_PREVIEW_PIXELS = 1024 * 1024;

function refuseLargePreview(summary: { name: string; width: number; height: number }): void {
  const pixels = summary.width * summary.height;
  if (pixels > MAX_PREVIEW_PIXELS)
    throw new Error(
      `${summary.name}: its ${summary.width} x ${summary.height} images are too large to preview a distortion here (at most ${MAX_PREVIEW_PIXELS.toLocaleString('en')} pixels, about 1024 x 1024); distort the dataset with Write (the distort.write job) or \`deepcorrect distort\`, or open it resized to a smaller size`,
    );
}

/** distort.sample: one image clean and distorted, seeded by its index. */
export const distortSample: UseCase<'distort.sample'> = {
  run: async (input, { session }) => {
    const dataset = session.datasets.get(input.datasetId);
    refuseLargePreview(dataset.summary);
    const clean = await readImages(dataset, input.split, [input.index]);
    const x = tf.tensor4d(Float32Array.from(clean.pixels), [1, clean.height, clean.width, clean.channels]);
    let out: tf.Tensor4D | undefined;
    try {
      out = distortBatch(x, input.spec, { seed: input.seed, ids: [input.index] });
      return { clean, distorted: { ...clean, pixels: await toUint8(out) } };
    } finally {
      x.dispose();
      out?.dispose();
    }
  },
};

/** distort.write: (a stratified subset of) a dataset distorted, written as PNG files into a folder. */
export const distortWrite: UseCase<'distort.write'> = {
  title: (input, session) =>
    `Write ${DISTORTIONS[input.spec.kind].label.toLowerCase()} ${input.spec.level} of ${session.datasets.get(input.datasetId).summary.name} to ${input.outDir}`,
  run: async (input, context) => {
    const { session } = context;
    const dataset = session.datasets.get(input.datasetId);
    const available = dataset.summary.splits.map((s) => s.name);
    const names: SplitName[] = input.splits ?? available;
    const splits = [];
    for (const name of names) {
      if (!available.includes(name))
        throw new Error(`split "${name}" is not in this dataset (it has ${available.join(', ')})`);
      const perClass = input.perClass;
      splits.push(
        perClass === undefined
          ? { name }
          : {
              name,
              indices: stratifiedSubset(
                await dataset.labels(name),
                perClass,
                input.subsetSeed ?? 0,
                dataset.summary.classes.length,
              ),
            },
      );
    }
    return writeDistortedDataset(dataset, {
      spec: input.spec,
      seed: input.seed,
      splits,
      outDir: input.outDir,
      ...(input.batchSize === undefined ? {} : { batchSize: input.batchSize }),
      ...reporting(context),
    });
  },
};
