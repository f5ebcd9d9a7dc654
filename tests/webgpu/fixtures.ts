// Tiny data and a tiny model for the webgpu suite: SwiftShader runs a GPU on the CPU, so every shape is small.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../../shared/backends.ts';
import { SHAPE_CLASSES, syntheticShapes } from '../../electron/engine/data/synthetic-shapes.ts';
import type { ModelMetadata } from '../../electron/engine/models/metadata.ts';
import { saveModel } from '../../electron/engine/models/model-io.ts';
import { summarize } from '../../electron/engine/models/summary.ts';
import { DataParallelTrainer } from '../../electron/engine/train/data-parallel.ts';
import { fit } from '../../electron/engine/train/fit.ts';

/** The suite's dataset and model folders, written once before every part of it runs. */
export interface Fixture {
  dir: string;
  /** writeShapesDataset's folder: 3 train and 2 test images per class. */
  data: string;
  /** writeTinyModel's folder. */
  model: string;
}

/** What the engine holds; after a job on the GPU both must be back where they started. */
export function held(): { numTensors: number; numBytes: number } {
  const { numTensors, numBytes } = tf.memory();
  return { numTensors, numBytes };
}

/** Side of the fixture's square grey images. */
export const SIZE = 8;
export const CLASSES = SHAPE_CLASSES.length;

function idxFile(magic: number, dims: number[], body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(body, 4 + 4 * dims.length);
  return out;
}

/**
 * An IDX dataset of the generated shapes (SIZE x SIZE grey, 10 classes) with `train` and `test` images per class,
 * written to `folder` as MNIST's files with a classes.txt.
 */
export async function writeShapesDataset(
  folder: string,
  perClass: { train: number; test: number },
): Promise<string> {
  await mkdir(folder, { recursive: true });
  const splits = [
    { prefix: 'train', n: perClass.train * CLASSES, seed: 11 },
    { prefix: 't10k', n: perClass.test * CLASSES, seed: 12 },
  ];
  for (const { prefix, n, seed } of splits) {
    const set = syntheticShapes(n, seed, SIZE);
    const pixels = Uint8Array.from(set.x, (v) => Math.round(v * 255));
    const labels = Uint8Array.from(set.labels);
    await writeFile(
      path.join(folder, `${prefix}-images-idx3-ubyte`),
      idxFile(0x803, [n, SIZE, SIZE], pixels),
    );
    await writeFile(path.join(folder, `${prefix}-labels-idx1-ubyte`), idxFile(0x801, [n], labels));
  }
  await writeFile(path.join(folder, 'classes.txt'), `${SHAPE_CLASSES.join('\n')}\n`);
  return folder;
}

/** A small convnet for the fixture's grey images: two 3x3 convs of 4 filters, a max-pool and a softmax layer. */
export function tinyModel(seed = 1): tf.LayersModel {
  const init = (offset: number) => tf.initializers.glorotUniform({ seed: seed * 101 + offset });
  return tf.sequential({
    name: 'tiny',
    layers: [
      tf.layers.conv2d({
        inputShape: [SIZE, SIZE, 1],
        filters: 4,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(1),
        name: 'conv1',
      }),
      tf.layers.conv2d({
        filters: 4,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(2),
        name: 'conv2',
      }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ units: CLASSES, activation: 'softmax', kernelInitializer: init(3), name: 'fc1' }),
    ],
  });
}

/**
 * tinyModel trained for a few epochs on the current backend (on other generated shapes than the dataset's), so
 * its predictions are not ties, and saved as a deepcorrect model folder.
 */
export async function writeTinyModel(folder: string, seed = 1): Promise<string> {
  const model = tinyModel(seed);
  const set = syntheticShapes(400, 99, SIZE);
  const optimizer = tf.train.adam(0.01);
  const trainer = await DataParallelTrainer.create(model, optimizer, {
    backend: tf.getBackend() as BackendName,
    replicas: 1,
  });
  try {
    const data = { x: set.x, labels: set.labels, n: set.n, imageShape: [SIZE, SIZE, 1], classes: CLASSES };
    await fit(trainer, data, { epochs: 30, batchSize: 50, seed });
  } finally {
    await trainer.dispose();
    optimizer.dispose();
  }
  const summary = summarize(model);
  const metadata: ModelMetadata = {
    format: 'deepcorrect-model',
    version: 1,
    arch: 'tiny',
    inputShape: [SIZE, SIZE, 1],
    classes: [...SHAPE_CLASSES],
    normalisation: { kind: 'unit' },
    parameters: summary.parameters,
    convLayers: summary.convLayers.map((l) => l.name),
    provenance: { dataset: 'generated shapes', seed },
  };
  try {
    await saveModel(model, folder, metadata);
  } finally {
    model.dispose();
  }
  return folder;
}
