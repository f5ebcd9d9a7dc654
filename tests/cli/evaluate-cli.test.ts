import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import { saveModel } from '../../electron/engine/models/model-io.ts';
import { buildModel, summarize } from '../../electron/engine/models/registry.ts';
import { cli } from './run-cli.ts';

const DEMO = 'resources/datasets/fashion-mnist-demo';
const CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

async function save(dir: string, inputShape: [number, number, number]): Promise<void> {
  const model = buildModel('cnn4', { inputShape, classes: 10, seed: 3 });
  const s = summarize(model);
  await saveModel(model, dir, {
    format: 'deepcorrect-model',
    version: 1,
    arch: 'cnn4',
    inputShape,
    classes: CLASSES,
    normalisation: { kind: 'unit' },
    parameters: s.parameters,
    convLayers: s.convLayers.map((c) => c.name),
  });
  model.dispose();
}

describe('deepcorrect evaluate', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dc-eval-'));
    await selectBackend({ forced: 'cpu' });
    await save(path.join(dir, 'gray'), [28, 28, 1]);
    await save(path.join(dir, 'rgb'), [32, 32, 3]);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints accuracy per level with both means, and the whole result as JSON', async () => {
    const args = ['evaluate', '--model', path.join(dir, 'gray'), '--dataset', DEMO, '--per-class', '3'];
    const table = await cli([...args, '--distortion', 'noise', '--levels', 'paper-cifar']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('30 images, noise (sigma (0..255))');
    expect(table.stdout).toMatch(/mean over clean \+ 6 levels \(the paper's tables\): [\d.]+%/);
    const json = await cli([...args, '--levels', '1,2', '--json']);
    const result = JSON.parse(json.stdout) as {
      images: number;
      conditions: { level?: number; top1: number; confusion: number[][] }[];
      model: { arch: string };
    };
    expect(result.images).toBe(30);
    expect(result.model.arch).toBe('cnn4');
    expect(result.conditions.map((c) => c.level)).toEqual([undefined, 1, 2]);
    expect(result.conditions[0]?.confusion.flat().reduce((a, b) => a + b, 0)).toBe(30);
  });

  it('refuses a model that does not fit the dataset, and a malformed one, naming the file', async () => {
    const misfit = await cli(['evaluate', '--model', path.join(dir, 'rgb'), '--dataset', DEMO]);
    expect(misfit.code).toBe(1);
    expect(misfit.stderr).toMatch(/32x32x3.*28x28x1/);
    const bad = path.join(dir, 'bad');
    await mkdir(bad);
    await writeFile(path.join(bad, 'model.json'), '{');
    const malformed = await cli(['evaluate', '--model', bad, '--dataset', DEMO]);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain(`${path.join(bad, 'model.json')}: is not valid JSON`);
  });
});
