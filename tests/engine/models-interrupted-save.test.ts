import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import { loadModel, ModelError, saveModel } from '../../electron/engine/models/model-io.ts';
import { buildModel } from '../../electron/engine/models/registry.ts';
import { metadataFor, predict } from './models-fixtures.ts';

// Running as root, a read-only folder does not stop writes; instead the atomic writer fails on demand,
// as a full disk would, for files whose name contains `failOn`.
const failure = vi.hoisted(() => ({ failOn: undefined as string | undefined }));
vi.mock('../../electron/engine/io/atomic-write.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../electron/engine/io/atomic-write.ts')>();
  return {
    writeFileAtomic: async (target: string, data: Uint8Array | string): Promise<void> => {
      if (failure.failOn !== undefined && path.basename(target).includes(failure.failOn)) {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
      return real.writeFileAtomic(target, data);
    },
  };
});

const SHAPE: [number, number, number] = [8, 8, 3];
const CLASSES = ['a', 'b', 'c'];
let root: string;

describe('an interrupted save', () => {
  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
    root = await mkdtemp(path.join(os.tmpdir(), 'deepcorrect-save-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('leaves the previous model loadable, whichever file fails, and no temporary files', async () => {
    const dir = path.join(root, 'model');
    const previous = buildModel('resnet8', { inputShape: SHAPE, classes: 3, seed: 1 });
    await saveModel(previous, dir, metadataFor(previous, 'resnet8', CLASSES));
    const expected = predict(previous, SHAPE);
    const next = buildModel('resnet8', { inputShape: SHAPE, classes: 3, seed: 2 });
    expect(predict(next, SHAPE)).not.toEqual(expected);

    for (const failOn of ['weights.bin', 'model.json', 'deepcorrect.json']) {
      failure.failOn = failOn;
      const error: unknown = await saveModel(next, dir, metadataFor(next, 'resnet8', CLASSES)).catch(
        (e: unknown) => e,
      );
      failure.failOn = undefined;
      expect(error).toBeInstanceOf(ModelError);
      expect((error as ModelError).message).toBe(
        `${path.join(dir, failOn)}: could not be written (no space left on the disk); the previous model is unchanged`,
      );
      expect((await readdir(dir)).sort()).toEqual(['deepcorrect.json', 'model.json', 'weights.bin']);
      const { model } = await loadModel(dir);
      expect(predict(model, SHAPE)).toEqual(expected);
      model.dispose();
    }
    await saveModel(next, dir, metadataFor(next, 'resnet8', CLASSES));
    const { model } = await loadModel(dir);
    expect(predict(model, SHAPE)).toEqual(predict(next, SHAPE));
    [model, previous, next].forEach((m) => m.dispose());
  });

  it('leaves the previous model when the model cannot give its weights', async () => {
    const dir = path.join(root, 'model');
    const before = await loadModel(dir);
    const broken = buildModel('resnet8', { inputShape: SHAPE, classes: 3, seed: 3 });
    const metadata = metadataFor(broken, 'resnet8', CLASSES);
    broken.dispose();
    const tensors = tf.memory().numTensors;
    await expect(saveModel(broken, dir, metadata)).rejects.toThrow(
      /cannot save: tfjs could not serialise the model \(.*disposed/,
    );
    expect(tf.memory().numTensors).toBe(tensors);
    const after = await loadModel(dir);
    expect(predict(after.model, SHAPE)).toEqual(predict(before.model, SHAPE));
    expect(after.metadata).toEqual(before.metadata);
    expect((await readdir(dir)).sort()).toEqual(['deepcorrect.json', 'model.json', 'weights.bin']);
    before.model.dispose();
    after.model.dispose();
  });
});
