import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../../../shared/backends.ts';
import type { DistortionSpec } from '../../../shared/distortions.ts';
import type { Progress, ProgressListener } from '../../../shared/progress.ts';
import { loadImages, toUnitFloat } from '../data/load-images.ts';
import { openDataset } from '../data/open-dataset.ts';
import { stratifiedSubset } from '../data/subset.ts';
import { evaluate } from '../eval/evaluate.ts';
import { cnn4 } from '../models/cnn4.ts';
import { demoDatasetDir } from '../resources.ts';
import { DataParallelTrainer } from '../train/data-parallel.ts';
import { fit, type EpochRecord } from '../train/fit.ts';

export interface DemoBaselineOptions {
  backend: BackendName;
  trainPerClass: number;
  testPerClass: number;
  epochs: number;
  seed: number;
  spec: Omit<DistortionSpec, 'level'>;
  levels: number[];
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Told once the data is loaded and the trainer is up, before the first step. */
  onStart?: (info: { trainImages: number; testImages: number; replicas: number; classes: number }) => void;
}

export interface DemoBaselineResult {
  epochs: EpochRecord[];
  /** Top-1 accuracy on clean images (no level) and at each level. */
  rows: { level?: number; accuracy: number }[];
  testImages: number;
}

/**
 * Trains cnn4 on a stratified subset of the bundled Fashion-MNIST, then measures its accuracy on the test
 * subset clean and at each level of a distortion: the workbench's first question, "how much does distortion
 * hurt this model?", end to end on real data. Training is 90% of the progress, evaluation the rest.
 */
export async function demoBaseline(options: DemoBaselineOptions): Promise<DemoBaselineResult> {
  const dataset = await openDataset(demoDatasetDir());
  const classes = dataset.summary.classes.length;
  const model = cnn4({
    inputShape: [dataset.summary.height, dataset.summary.width, dataset.summary.channels],
    classes,
    seed: options.seed,
  });
  const optimizer = tf.train.adam(1e-3);
  let trainer: DataParallelTrainer | undefined;
  try {
    const train = await loadImages(
      dataset,
      'train',
      stratifiedSubset(await dataset.labels('train'), options.trainPerClass, options.seed, classes),
      options.signal,
    );
    const test = stratifiedSubset(await dataset.labels('test'), options.testPerClass, options.seed, classes);
    trainer = await DataParallelTrainer.create(model, optimizer, { backend: options.backend });
    options.onStart?.({
      trainImages: train.n,
      testImages: test.length,
      replicas: trainer.replicaCount,
      classes,
    });
    const report = options.onProgress;
    const epochs = await fit(
      trainer,
      {
        x: toUnitFloat(train.images),
        labels: train.labels,
        n: train.n,
        imageShape: train.imageShape,
        classes,
      },
      {
        epochs: options.epochs,
        batchSize: 128,
        seed: options.seed,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(report ? { onProgress: (p) => report({ ...p, fraction: 0.9 * p.fraction }) } : {}),
      },
    );
    const evaluation = await evaluate({
      model,
      dataset,
      split: 'test',
      indices: test,
      spec: options.spec,
      levels: options.levels,
      seed: options.seed,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(report
        ? {
            onProgress: (p: Progress) =>
              report({ ...p, stage: `evaluating: ${p.stage}`, fraction: 0.9 + 0.1 * p.fraction }),
          }
        : {}),
    });
    const rows = evaluation.conditions.map((c) => ({
      ...(c.level === undefined ? {} : { level: c.level }),
      accuracy: c.top1,
    }));
    return { epochs, rows, testImages: evaluation.images };
  } finally {
    await trainer?.dispose();
    // Adam's moment estimates: in the engine host, which runs demo after demo, they would stay on the GPU.
    optimizer.dispose();
    model.dispose();
    await dataset.close();
  }
}
