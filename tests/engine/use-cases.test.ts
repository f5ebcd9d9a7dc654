// The engine's one door (issue 15): the command line and the engine host run the same use cases, and an
// input is checked by the contract's own schema on both ways in.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT, REQUEST_NAMES } from '../../shared/bridge/contract.ts';
import { APP_VERSION } from '../../shared/version.ts';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import { checkedInput } from '../../electron/engine/cli/engine-session.ts';
import { closeSession, createSession, type EngineSession } from '../../electron/engine/use-cases/context.ts';
import { USE_CASES } from '../../electron/engine/use-cases/index.ts';
import { JOBS, QUICK } from '../../electron/engine/host/handlers.ts';
import { splitData, tempDir, writeIdxSplit } from './dataset-fixtures.ts';

let session: EngineSession;
let dir: string;

beforeAll(async () => {
  session = createSession(await selectBackend({ forced: 'wasm' }), 'desktop');
  dir = await tempDir('use-cases');
});

afterAll(async () => {
  await closeSession(session);
  await rm(dir, { recursive: true, force: true });
});

describe('the use-case table', () => {
  it('answers every request of the contract, jobs with a title, and the host answers from it', () => {
    for (const name of REQUEST_NAMES) {
      if (name === 'jobs.list' || name === 'jobs.cancel') {
        expect(Object.hasOwn(USE_CASES, name)).toBe(false);
        continue;
      }
      const useCase = USE_CASES[name];
      expect(typeof useCase.run, name).toBe('function');
      expect(useCase.title !== undefined, name).toBe(CONTRACT[name].job);
      expect(Object.hasOwn(CONTRACT[name].job ? JOBS : QUICK, name), name).toBe(true);
    }
  });

  it("reports the package's version", async () => {
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    expect(APP_VERSION).toBe(pkg.version);
    const info = await USE_CASES['engine.info'].run({}, { session });
    expect(info).toMatchObject({ version: pkg.version, mode: 'desktop', backend: { name: 'wasm' } });
  });

  it("refuses on the command line what the app's gateway refuses, naming the setting", () => {
    const input = {
      modelId: 'model-1',
      datasetId: 'ds-1',
      spec: { kind: 'blur' as const },
      levels: [1],
      seed: 0,
      perClass: 5000,
      method: 'both' as const,
    };
    expect(() => checkedInput('rank.filters', input)).toThrow(/perClass: .*1000/);
    expect(CONTRACT['rank.filters'].input.safeParse(input).success).toBe(false);
    expect(checkedInput('rank.filters', { ...input, perClass: 10 })).toMatchObject({ perClass: 10 });
  });

  it('opens a model and a dataset that do not fit together only to refuse them, naming the model folder', async () => {
    const { modelId } = await USE_CASES['models.open'].run({}, { session });
    // The demo model takes 28x28x1 images of 10 classes; these are 8x8x1 of 3.
    const data = path.join(dir, 'small');
    await mkdir(data);
    await writeIdxSplit(data, 'train', splitData(12, 8, 8, 1, 1, 3), { h: 8, w: 8, c: 1 });
    await writeIdxSplit(data, 't10k', splitData(6, 8, 8, 1, 2, 3), { h: 8, w: 8, c: 1 });
    const { datasetId } = await USE_CASES['dataset.open'].run({ path: data }, { session });
    const input = checkedInput('models.evaluate', {
      modelId,
      datasetId,
      split: 'test',
      perClass: 1,
      spec: { kind: 'blur' },
      levels: [1],
      seed: 0,
    });
    await expect(USE_CASES['models.evaluate'].run(input, { session })).rejects.toThrow(
      /fashion-mnist-cnn4.*28x28x1 inputs, the dataset has 8x8x1/,
    );
  });

  it('reads a ranking file for unit training through the checked reader, naming the file', async () => {
    const { modelId } = await USE_CASES['models.open'].run({}, { session });
    const { datasetId } = await USE_CASES['dataset.open'].run({}, { session });
    const file = path.join(dir, 'ranking.json');
    await writeFile(file, JSON.stringify({ layers: [{ layer: 'conv1', order: [0] }] }));
    const input = checkedInput('correct.train', {
      modelId,
      datasetId,
      spec: { kind: 'blur' },
      levels: [1],
      epochs: 1,
      batchSize: 8,
      seed: 1,
      beta: 0.5,
      ranking: file,
      outDir: path.join(dir, 'units'),
    });
    await expect(USE_CASES['correct.train'].run(input, { session })).rejects.toThrow(file);
  });
});
