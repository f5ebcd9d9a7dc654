import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import { validateMetadata } from '../../electron/engine/models/metadata.ts';
import { loadModel, ModelError, saveModel } from '../../electron/engine/models/model-io.ts';
import { ARCHITECTURES, buildModel } from '../../electron/engine/models/registry.ts';
import { DataParallelTrainer } from '../../electron/engine/train/data-parallel.ts';
import { editJson, metadataFor, predict, saveLikeTfjs, snapshot } from './models-fixtures.ts';

const SHAPE: [number, number, number] = [8, 8, 1];
const CLASSES = ['circle', 'square', 'triangle'];

let root: string;
/** A saved resnet8 that every bad-input case starts from (functional model, batch norm, one shard). */
let base: string;
let counter = 0;

async function copyOfBase(): Promise<string> {
  const dir = path.join(root, `case${++counter}`);
  await cp(base, dir, { recursive: true });
  return dir;
}

/** Loading must fail with a ModelError naming `file`, leave no tensors behind and write nothing. */
async function expectRefused(
  dir: string,
  file: string,
  problem: RegExp,
  options?: Parameters<typeof loadModel>[1],
): Promise<void> {
  const tensors = tf.memory().numTensors;
  const files = await snapshot(root);
  const error: unknown = await loadModel(dir, options).then(
    ({ model }) => {
      model.dispose();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelError);
  const { file: named, problem: said, message } = error as ModelError;
  expect(named).toBe(path.join(dir, file));
  expect(said).toMatch(problem);
  expect(message).toBe(`${named}: ${said}`);
  expect(tf.memory().numTensors).toBe(tensors);
  expect(await snapshot(root)).toEqual(files);
}

type Manifest = { paths: string[]; weights: Record<string, unknown>[] }[];

describe('model folders', () => {
  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
    root = await mkdtemp(path.join(os.tmpdir(), 'deepcorrect-models-'));
    base = path.join(root, 'base');
    const model = buildModel('resnet8', { inputShape: SHAPE, classes: 3, seed: 1 });
    await saveModel(model, base, metadataFor(model, 'resnet8', CLASSES));
    model.dispose();
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('round-trips every architecture: same predictions, batch-norm statistics and metadata', async () => {
    for (const arch of ARCHITECTURES) {
      const shape: [number, number, number] = [8, 8, 3];
      const model = buildModel(arch, { inputShape: shape, classes: 4, seed: 3 });
      // One training step moves the batch-norm moving statistics away from 0 and 1.
      const trainer = await DataParallelTrainer.create(model, tf.train.sgd(0.1), {
        backend: 'wasm',
        replicas: 1,
      });
      const n = 4;
      const x = Float32Array.from({ length: n * 8 * 8 * 3 }, (_, i) => (i % 13) / 13);
      const y = Float32Array.from({ length: n * 4 }, (_, i) => (i % 5 === 0 ? 1 : 0));
      await trainer.step({ x, y, n }, shape, 4);
      await trainer.dispose();
      if (arch !== 'cnn4') {
        const movingMean = model.getLayer('bn1').getWeights()[2] as tf.Tensor;
        expect(movingMean.dataSync().some((v) => v !== 0)).toBe(true);
      }
      const metadata = metadataFor(model, arch, ['a', 'b', 'c', 'd']);
      const dir = path.join(root, `roundtrip-${arch}`);
      const tensors = tf.memory().numTensors;
      await saveModel(model, dir, metadata);
      expect((await readdir(dir)).sort()).toEqual(['deepcorrect.json', 'model.json', 'weights.bin']);

      const loaded = await loadModel(dir, { expectInput: shape, expectClasses: 4 });
      expect(predict(loaded.model, shape)).toEqual(predict(model, shape));
      expect(loaded.model.weights.map((w) => w.originalName)).toEqual(
        model.weights.map((w) => w.originalName),
      );
      const { weightsSha256, ...rest } = loaded.metadata;
      expect(rest).toEqual(metadata);
      expect(weightsSha256).toMatch(/^[0-9a-f]{64}$/);
      loaded.model.dispose();
      expect(tf.memory().numTensors).toBe(tensors);
      model.dispose();
    }
  });

  it('writes a folder that plain tfjs loads (tf.loadLayersModel)', async () => {
    const dir = path.join(root, 'roundtrip-resnet20');
    const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as {
      modelTopology: object;
      weightsManifest: Manifest;
    };
    const bytes = await readFile(path.join(dir, 'weights.bin'));
    const plain = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0]?.weights as unknown as tf.io.WeightsManifestEntry[],
        weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
      }),
    );
    const ours = await loadModel(dir);
    expect(predict(plain, [8, 8, 3])).toEqual(predict(ours.model, [8, 8, 3]));
    plain.dispose();
    ours.model.dispose();
  });

  it('loads an imported tfjs model without deepcorrect.json, deriving its metadata', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 5, activation: 'softmax' }),
      ],
    });
    const dir = path.join(root, 'imported');
    await mkdir(dir);
    await saveLikeTfjs(model, dir);
    const { model: loaded, metadata } = await loadModel(dir, { expectInput: [8, 8, 3], expectClasses: 5 });
    expect(predict(loaded, [8, 8, 3])).toEqual(predict(model, [8, 8, 3]));
    expect(metadata).toEqual({
      format: 'deepcorrect-model',
      version: 1,
      arch: 'imported',
      inputShape: [8, 8, 3],
      classes: ['0', '1', '2', '3', '4'],
      normalisation: { kind: 'unit' },
      parameters: model.countParams(),
      convLayers: [model.layers[0]?.name],
    });
    loaded.dispose();
    // The derived class count is checked against the dataset too (after building, then freed).
    await expectRefused(dir, 'model.json', /^model has 5 classes, the dataset has 10$/, {
      expectClasses: 10,
    });
    await expectRefused(dir, 'model.json', /^model expects 8x8x3 inputs, the dataset has 28x28x1$/, {
      expectInput: [28, 28, 1],
    });
    model.dispose();
  });

  it('refuses a folder or model.json that is missing or not a layers model', async () => {
    await expectRefused(path.join(root, 'nowhere'), '', /no such file or directory/);
    const empty = path.join(root, 'empty');
    await mkdir(empty);
    await expectRefused(empty, 'model.json', /is missing/);

    let dir = await copyOfBase();
    await writeFile(path.join(dir, 'model.json'), '{"modelTopology": ');
    await expectRefused(dir, 'model.json', /^is not valid JSON/);

    dir = await copyOfBase();
    await editJson(path.join(dir, 'model.json'), (json) => delete json.modelTopology);
    await expectRefused(dir, 'model.json', /has no modelTopology/);

    dir = await copyOfBase();
    await editJson(path.join(dir, 'model.json'), (json) => (json.format = 'graph-model'));
    await expectRefused(dir, 'model.json', /is a tfjs graph model/);

    dir = await copyOfBase();
    await editJson(path.join(dir, 'model.json'), (json) => delete json.weightsManifest);
    await expectRefused(dir, 'model.json', /has no weightsManifest/);
  });

  it('refuses weight paths that leave the folder, and links out of it', async () => {
    await writeFile(path.join(root, 'x.bin'), new Uint8Array(16));
    for (const p of ['../x.bin', '/etc/passwd', 'sub/../../x.bin', 'C:\\x.bin']) {
      const dir = await copyOfBase();
      await editJson(path.join(dir, 'model.json'), (json) => {
        (json.weightsManifest as Manifest)[0]!.paths = [p];
      });
      await expectRefused(
        dir,
        'model.json',
        /^weight file path .* must be plain file names inside the model folder$/,
      );
    }
    // A link named weights.bin to a file outside, even one of exactly the right size.
    const dir = await copyOfBase();
    const outside = path.join(root, 'outside.bin');
    await cp(path.join(dir, 'weights.bin'), outside);
    await rm(path.join(dir, 'weights.bin'));
    await symlink(outside, path.join(dir, 'weights.bin'));
    await expectRefused(dir, 'weights.bin', /^is a link to .*outside\.bin, outside the model folder/);
    // The same for model.json itself.
    const linked = await copyOfBase();
    await cp(path.join(linked, 'model.json'), path.join(root, 'outside.json'));
    await rm(path.join(linked, 'model.json'));
    await symlink(path.join(root, 'outside.json'), path.join(linked, 'model.json'));
    await expectRefused(linked, 'model.json', /outside the model folder/);
  });

  it('refuses weight files of the wrong size, NaN weights and unsupported dtypes', async () => {
    let dir = await copyOfBase();
    const weights = path.join(dir, 'weights.bin');
    const size = (await readFile(weights)).length;
    await truncate(weights, size - 4);
    await expectRefused(
      dir,
      'weights.bin',
      new RegExp(`^has ${size - 4} bytes, but model.json lists ${size} .*truncated`),
    );

    dir = await copyOfBase();
    await writeFile(
      path.join(dir, 'weights.bin'),
      Buffer.concat([await readFile(weights.replace(/case\d+/, 'base')), Buffer.alloc(8)]),
    );
    await expectRefused(dir, 'weights.bin', /too long/);

    dir = await copyOfBase();
    const bytes = await readFile(path.join(dir, 'weights.bin'));
    bytes.writeFloatLE(Number.NaN, 4);
    bytes.writeFloatLE(Number.POSITIVE_INFINITY, 8);
    await writeFile(path.join(dir, 'weights.bin'), bytes);
    await expectRefused(dir, 'weights.bin', /^weight "conv1\/kernel" has 2 NaN or infinite values/);

    dir = await copyOfBase();
    await editJson(path.join(dir, 'model.json'), (json) => {
      (json.weightsManifest as Manifest)[0]!.weights[0]!.dtype = 'string';
    });
    await expectRefused(
      dir,
      'model.json',
      /^weight "conv1\/kernel" has unsupported dtype "string"; only float32 and int32/,
    );

    dir = await copyOfBase();
    await editJson(path.join(dir, 'model.json'), (json) => {
      (json.weightsManifest as Manifest)[0]!.weights[0]!.quantization = { dtype: 'uint8', scale: 1, min: 0 };
    });
    await expectRefused(dir, 'model.json', /is quantized/);
  });

  it('refuses weights that do not fit the topology, freeing what was built', async () => {
    let dir = await copyOfBase();
    await editJson(path.join(dir, 'model.json'), (json) => {
      (json.weightsManifest as Manifest)[0]!.weights[0]!.name = 'conv99/kernel';
      delete json.deepcorrect;
    });
    await rm(path.join(dir, 'deepcorrect.json'));
    await expectRefused(dir, 'model.json', /^its weights do not fit its topology: .*conv99\/kernel/);

    dir = await copyOfBase();
    await editJson(path.join(dir, 'model.json'), (json) => {
      const topology = json.modelTopology as { config: { layers: { class_name: string }[] } };
      topology.config.layers[1]!.class_name = 'NoSuchLayer';
    });
    await expectRefused(dir, 'model.json', /^its topology does not build: .*NoSuchLayer/);
  });

  it('refuses invalid deepcorrect.json, naming the field', async () => {
    const cases: [(json: Record<string, unknown>) => void, RegExp][] = [
      [(j) => (j.version = 2), /^not valid model metadata: field "version": expected 1/],
      [(j) => delete j.classes, /^not valid model metadata: field "classes" is missing/],
      [(j) => (j.classes = ['a', 'a', 'b']), /field "classes": class names must be distinct/],
      [(j) => (j.inputShape = [8, 8]), /field "inputShape"/],
      [(j) => (j.normalisation = { kind: 'imagenet' }), /field "normalisation.kind"/],
      [(j) => (j.provenance = { valAccuracy: 1.5 }), /field "provenance.valAccuracy"/],
      [(j) => (j.classes = ['a', 'b', 'c', 'd']), /^names 4 classes, but the model has 3 outputs$/],
      [(j) => (j.inputShape = [8, 8, 3]), /^says 8x8x3 inputs, but the model takes 8x8x1$/],
    ];
    for (const [edit, problem] of cases) {
      const dir = await copyOfBase();
      await editJson(path.join(dir, 'deepcorrect.json'), edit);
      await expectRefused(dir, 'deepcorrect.json', problem);
    }
    const dir = await copyOfBase();
    await writeFile(path.join(dir, 'deepcorrect.json'), 'arch: resnet8');
    await expectRefused(dir, 'deepcorrect.json', /^is not valid JSON/);
    expect(() => validateMetadata([], 'm.json')).toThrow(
      'm.json: not valid model metadata: the file: expected object',
    );
  });

  it('refuses a model that does not fit the dataset, before building it', async () => {
    await expectRefused(base, 'deepcorrect.json', /^model expects 8x8x1 inputs, the dataset has 32x32x3$/, {
      expectInput: [32, 32, 3],
    });
    await expectRefused(base, 'deepcorrect.json', /^model has 3 classes, the dataset has 10$/, {
      expectClasses: 10,
    });
  });

  it('refuses files mixed from two saves (what a crash between the renames leaves)', async () => {
    const other = path.join(root, 'other');
    const model = buildModel('resnet8', { inputShape: SHAPE, classes: 3, seed: 2 });
    await saveModel(model, other, metadataFor(model, 'resnet8', CLASSES));
    model.dispose();

    let dir = await copyOfBase();
    await cp(path.join(other, 'weights.bin'), path.join(dir, 'weights.bin'));
    await expectRefused(dir, 'model.json', /^its weight files do not hold the weights it was saved with/);

    dir = await copyOfBase();
    await cp(path.join(other, 'weights.bin'), path.join(dir, 'weights.bin'));
    await cp(path.join(other, 'model.json'), path.join(dir, 'model.json'));
    await expectRefused(dir, 'deepcorrect.json', /^describes other weights than model.json/);
  });

  it('refuses to save metadata that does not describe the model, or NaN weights, writing nothing', async () => {
    const model = buildModel('cnn4', { inputShape: SHAPE, classes: 3 });
    const dir = path.join(root, 'unsaved');
    await expect(saveModel(model, dir, metadataFor(model, 'cnn4', ['a', 'b']))).rejects.toThrow(
      /metadata describes 8x8x1 inputs and 2 classes, the model has 8x8x1 and 3$/,
    );
    const meta = metadataFor(model, 'cnn4', CLASSES);
    await expect(saveModel(model, dir, { ...meta, version: 2 as 1 })).rejects.toThrow(/field "version"/);
    const kernel = model.getLayer('conv1').getWeights()[0] as tf.Tensor;
    const poisoned = tf.fill(kernel.shape, Number.NaN);
    model.getLayer('conv1').setWeights([poisoned, model.getLayer('conv1').getWeights()[1] as tf.Tensor]);
    poisoned.dispose();
    await expect(saveModel(model, dir, meta)).rejects.toThrow(
      /not saved: weight "conv1\/kernel" has 288 NaN/,
    );
    await expect(readdir(dir)).rejects.toThrow(/ENOENT/);
    model.dispose();
  });
});
