// Issue 16, finding 7: the engine host's model and dataset registries and the job tables (the host's and the
// gateway's) are bounded. The host's handlers run in this process, as the host runs them; the gateway's table
// is checked against a real host process.
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT, type JobInfo, type JobName, type RequestInput } from '../../shared/bridge/contract.ts';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import type { BackendChoice } from '../../shared/backends.ts';
import { MAX_OPEN_DATASETS } from '../../electron/engine/session/datasets.ts';
import { JOBS, type HostState } from '../../electron/engine/host/handlers.ts';
import { JobQueue, MAX_FINISHED_JOBS } from '../../electron/engine/host/jobs.ts';
import { MAX_OPEN_MODELS } from '../../electron/engine/session/models.ts';
import { saveModel } from '../../electron/engine/models/model-io.ts';
import {
  EngineClient,
  MAX_FINISHED_JOBS as GATEWAY_MAX_FINISHED_JOBS,
} from '../../electron/gateway/engine-client.ts';
import { nodeHostSpawner } from '../../electron/gateway/node-spawner.ts';
import { splitData, tempDir, writeIdxSplit } from './dataset-fixtures.ts';
import { metadataFor } from './models-fixtures.ts';
import { hostState, quickRequest } from './host-fixtures.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

interface Figures {
  tensors: number;
  tensorBytes: number;
  rss: number;
  heapUsed: number;
}

/** Memory after garbage collection has had its chance (twice, with a turn of the event loop between). */
async function settled(): Promise<Figures> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const { numTensors, numBytes } = tf.memory();
  const { rss, heapUsed } = process.memoryUsage();
  return { tensors: numTensors, tensorBytes: numBytes, rss, heapUsed };
}

/** A change in bytes, signed, in MB. */
const MB = (bytes: number): string => `${bytes < 0 ? '' : '+'}${(bytes / 1e6).toFixed(1)} MB`;

let backend: BackendChoice;
let dir: string;

function newState(): HostState {
  return hostState(backend);
}

/** A quick request as the host answers it, its input checked by the contract as the gateway checks it. */
const quick = quickRequest;

/** A job as the host submits it; resolves with its record once it has ended. */
function job<N extends JobName>(state: HostState, name: N, input: RequestInput<N>): Promise<JobInfo> {
  const make = JOBS[name] as (
    i: unknown,
    s: HostState,
  ) => { title: string; run: Parameters<JobQueue['submit']>[3] };
  const parsed: unknown = CONTRACT[name].input.parse(input);
  const made = make(parsed, state);
  const id = state.jobs.submit(name, made.title, parsed, made.run);
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      const info = state.jobs.list().find((j) => j.id === id);
      if (info !== undefined && info.status !== 'queued' && info.status !== 'running') {
        clearInterval(poll);
        resolve(info);
      }
    }, 10);
  });
}

/** A job that runs until released: it holds the queue, so the jobs after it stay queued. */
function blocker(state: HostState): { release: () => void } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  state.jobs.submit('demo.train', 'holds the queue', {}, () => gate);
  return { release };
}

let tinyCount = 0;
/** A tiny classifier (8x8x1 to 3 classes) saved as the app saves models, in a folder of its own. */
async function tinyModel(seed = tinyCount): Promise<string> {
  const folder = path.join(dir, `tiny-${tinyCount++}`);
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [8, 8, 1],
        filters: 4,
        kernelSize: 3,
        activation: 'relu',
        name: 'conv1',
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
      }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
    ],
  });
  await saveModel(model, folder, metadataFor(model, 'tiny', ['a', 'b', 'c']));
  model.dispose();
  return folder;
}

let tinyDatasets = 0;
/** A tiny IDX dataset (train and test, 8x8 greyscale) in a folder of its own. */
async function tinyDataset(): Promise<string> {
  const folder = path.join(dir, `data-${tinyDatasets}`);
  await mkdir(folder);
  const seed = 10 * tinyDatasets++;
  await writeIdxSplit(folder, 'train', splitData(12, 8, 8, 1, seed, 3), { h: 8, w: 8, c: 1 });
  await writeIdxSplit(folder, 't10k', splitData(6, 8, 8, 1, seed + 5, 3), { h: 8, w: 8, c: 1 });
  return folder;
}

const openFiles = async (): Promise<number> => (await readdir('/proc/self/fd')).length;

beforeAll(async () => {
  backend = await selectBackend({ forced: 'wasm' });
  dir = await tempDir('host-bounds');
});

describe('the model registry', () => {
  it('40 opens of the demo model load it once: tensors and memory stay near the start', async () => {
    // Kernels, the backend's pools and the loader's code are set up by a first load, not counted.
    const warm = newState();
    await quick(warm, 'models.open', {});
    warm.models.closeAll();
    const state = newState();
    const before = await settled();
    const ids = new Set<string>();
    for (let i = 0; i < 40; i++) ids.add((await quick(state, 'models.open', {})).modelId);
    const after = await settled();
    const [id] = ids;
    const { model } = state.models.get(id as string);
    const weightBytes = model.weights.reduce(
      (sum, w) => sum + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1) * 4,
      0,
    );
    console.log(
      `40 opens of the demo model: tensors +${after.tensors - before.tensors}, tensor bytes ${MB(after.tensorBytes - before.tensorBytes)}, ` +
        `rss ${MB(after.rss - before.rss)}, heapUsed ${MB(after.heapUsed - before.heapUsed)} (one copy's weights: ${(weightBytes / 1e6).toFixed(1)} MB)`,
    );
    expect(ids.size).toBe(1);
    expect((await quick(state, 'models.list', {})).models).toHaveLength(1);
    expect(after.tensors - before.tensors).toBe(model.weights.length);
    expect(after.tensorBytes - before.tensorBytes).toBe(weightBytes);
    // One copy is 1.9 MB; forty were 75 MB of tensors and 80 MB more resident memory.
    expect(after.rss - before.rss).toBeLessThan(20e6);
    expect(after.heapUsed - before.heapUsed).toBeLessThan(10e6);
    state.models.closeAll();
    expect((await settled()).tensors).toBe(before.tensors);
  });

  it('past its bound, 40 different models dispose the least recently used: tensors return to the start', async () => {
    const folders: string[] = [];
    for (let i = 0; i < 40; i++) folders.push(await tinyModel());
    const state = newState();
    const start = await settled();
    const ids: string[] = [];
    for (const folder of folders) ids.push((await quick(state, 'models.open', { path: folder })).modelId);
    expect(new Set(ids).size).toBe(40);
    const listed = (await quick(state, 'models.list', {})).models.map((m) => m.modelId);
    expect(listed).toEqual(ids.slice(-MAX_OPEN_MODELS));
    const perModel = state.models.get(ids[39] as string).model.weights.length;
    expect((await settled()).tensors - start.tensors).toBe(MAX_OPEN_MODELS * perModel);

    // A disposed model's id says what happened and what to do.
    const closed = ids[0] as string;
    await expect(
      quick(state, 'inspect.activations', {
        modelId: closed,
        datasetId: 'ds-1',
        split: 'test',
        index: 0,
        layer: 'conv1',
        spec: { kind: 'blur', level: 1 },
        seed: 1,
      }),
    ).rejects.toThrow(`model handle ${closed} was closed to free memory: open it again`);
    // Opened again, unchanged, it comes back under its id; the least recently used one makes room.
    expect((await quick(state, 'models.open', { path: folders[0] })).modelId).toBe(closed);
    expect(() => state.models.get(ids[32] as string)).toThrow(/was closed to free memory/);
    expect((await settled()).tensors - start.tensors).toBe(MAX_OPEN_MODELS * perModel);

    state.models.closeAll();
    expect((await settled()).tensors).toBe(start.tensors);
  });

  it('two opens of one folder at once load it once', async () => {
    const folder = await tinyModel();
    const state = newState();
    const start = tf.memory().numTensors;
    const [a, b] = await Promise.all([
      quick(state, 'models.open', { path: folder }),
      quick(state, 'models.open', { path: folder }),
    ]);
    expect(b.modelId).toBe(a.modelId);
    expect(tf.memory().numTensors - start).toBe(state.models.get(a.modelId).model.weights.length);
    state.models.closeAll();
  });

  it('a folder whose files changed is loaded again, not served from the open copy', async () => {
    const folder = await tinyModel(1);
    const state = newState();
    const first = await quick(state, 'models.open', { path: folder });
    expect((await quick(state, 'models.open', { path: folder })).modelId).toBe(first.modelId);
    const other = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [8, 8, 1],
          filters: 4,
          kernelSize: 3,
          name: 'conv1',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 99 }),
        }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
      ],
    });
    await saveModel(other, folder, metadataFor(other, 'tiny', ['a', 'b', 'c']));
    const again = await quick(state, 'models.open', { path: folder });
    expect(again.modelId).not.toBe(first.modelId);
    const weights = (id: string): Float32Array =>
      state.models.get(id).model.getLayer('conv1').getWeights()[0]?.dataSync() as Float32Array;
    expect(weights(again.modelId)).toEqual(other.getLayer('conv1').getWeights()[0]?.dataSync());
    other.dispose();
    state.models.closeAll();
  });

  it('a model and a dataset that a queued or running job uses are not closed to make room', async () => {
    const state = newState();
    const { modelId } = await quick(state, 'models.open', {});
    const { datasetId } = await quick(state, 'dataset.open', {});
    const hold = blocker(state);
    const evaluation = job(state, 'models.evaluate', {
      modelId,
      datasetId,
      split: 'test',
      perClass: 1,
      spec: { kind: 'blur' },
      levels: [1],
      seed: 1,
    });
    for (let i = 0; i < MAX_OPEN_MODELS + 2; i++)
      await quick(state, 'models.open', { path: await tinyModel() });
    for (let i = 0; i < MAX_OPEN_DATASETS + 1; i++)
      await quick(state, 'dataset.open', { path: await tinyDataset() });
    // (Listing does not count as a use; a get would.)
    const listed = (await quick(state, 'models.list', {})).models.map((m) => m.modelId);
    expect(listed).toContain(modelId);
    expect(listed).toHaveLength(MAX_OPEN_MODELS);
    hold.release();
    // Done, it ran on the model and the dataset it was given: neither was disposed under it.
    const ended = await evaluation;
    expect(ended.error).toBeUndefined();
    expect(ended.status).toBe('done');
    // Its job over (the job's run used it last), a bound's worth of new opens closes it like any other.
    for (let i = 0; i < MAX_OPEN_MODELS; i++) await quick(state, 'models.open', { path: await tinyModel() });
    for (let i = 0; i < MAX_OPEN_DATASETS; i++)
      await quick(state, 'dataset.open', { path: await tinyDataset() });
    expect(() => state.models.get(modelId)).toThrow(`model handle ${modelId} was closed to free memory`);
    expect(() => state.datasets.get(datasetId)).toThrow(
      `dataset handle ${datasetId} was closed to free memory`,
    );
    state.models.closeAll();
    await state.datasets.closeAll();
  });
});

describe('the dataset registry', () => {
  it('40 opens of one dataset give one; 40 different ones close the least recently used and their files', async () => {
    const state = newState();
    const ids = new Set<string>();
    for (let i = 0; i < 40; i++) ids.add((await quick(state, 'dataset.open', {})).datasetId);
    expect(ids.size).toBe(1);

    const folders: string[] = [];
    for (let i = 0; i < 40; i++) folders.push(await tinyDataset());
    const filesBefore = await openFiles();
    const opened: string[] = [];
    for (const folder of folders) {
      const { datasetId } = await quick(state, 'dataset.open', { path: folder });
      opened.push(datasetId);
      // A read keeps the images file open for the next one.
      const images = await quick(state, 'dataset.images', { datasetId, split: 'train', indices: [0] });
      expect(images.n).toBe(1);
    }
    const filesAfter = await openFiles();
    console.log(`40 different datasets opened and read: open files +${filesAfter - filesBefore}`);
    expect(filesAfter - filesBefore).toBeLessThanOrEqual(MAX_OPEN_DATASETS);
    const closed = opened[0] as string;
    await expect(
      quick(state, 'dataset.images', { datasetId: closed, split: 'train', indices: [0] }),
    ).rejects.toThrow(`dataset handle ${closed} was closed to free memory: open it again`);
    // Other options are another dataset.
    const rgb = await quick(state, 'dataset.open', { path: folders[39], channels: 3 });
    expect(rgb.datasetId).not.toBe(opened[39]);
    expect(rgb.summary.channels).toBe(3);
    await state.datasets.closeAll();
  });

  it('a dataset a request is reading is not closed by opens meanwhile', async () => {
    const state = newState();
    const { datasetId } = await quick(state, 'dataset.open', { path: await tinyDataset() });
    let release!: () => void;
    const reading = state.datasets.holding(
      datasetId,
      () => new Promise<void>((resolve) => (release = resolve)),
    );
    for (let i = 0; i < MAX_OPEN_DATASETS + 2; i++)
      await quick(state, 'dataset.open', { path: await tinyDataset() });
    expect((await quick(state, 'dataset.images', { datasetId, split: 'test', indices: [1] })).n).toBe(1);
    release();
    await reading;
    await state.datasets.closeAll();
  });
});

describe('the job tables', () => {
  it("the host's queue keeps the most recent finished jobs, with results, and every queued and running one", async () => {
    const queue = new JobQueue(() => undefined);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const running = queue.submit('demo.train', 'holds the queue', {}, () => gate);
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++)
      ids.push(
        queue.submit('models.evaluate', `job ${i}`, { i }, () =>
          i % 3 === 1 ? Promise.reject(new Error(`failed ${i}`)) : Promise.resolve({ i }),
        ),
      );
    for (let i = 2; i < 1000; i += 3) expect(queue.cancel(ids[i] as string)).toBe(true);
    // 333 cancelled: the oldest dropped; the 667 queued and the running one all kept.
    const midway = queue.list();
    expect(midway.filter((j) => j.status === 'cancelled')).toHaveLength(MAX_FINISHED_JOBS);
    expect(midway.filter((j) => j.status === 'queued')).toHaveLength(667);
    expect(midway.find((j) => j.id === running)?.status).toBe('running');

    release();
    while (queue.list().some((j) => j.status === 'queued' || j.status === 'running'))
      await new Promise((resolve) => setTimeout(resolve, 5));
    const kept = queue.list();
    expect(kept.length).toBeLessThanOrEqual(MAX_FINISHED_JOBS);
    // The most recently finished are the last ones run: jobs 900 to 999 but the cancelled ones, which ended
    // before any ran, and the running one.
    const last = ids.filter((_, i) => i % 3 !== 2).slice(-MAX_FINISHED_JOBS);
    expect(kept.map((j) => j.id).sort()).toEqual([...last].sort());
    for (const j of kept) {
      const i = (j.input as unknown as { i: number }).i; // the stand-in input submitted above
      if (i % 3 === 0) expect(j).toMatchObject({ status: 'done', result: { i } });
      else expect(j).toMatchObject({ status: 'failed', error: `failed ${i}` });
    }
  });

  it("the gateway's table of a real host keeps the running job and at most the most recent finished ones", async () => {
    const log = (): void => undefined;
    const engine = new EngineClient(nodeHostSpawner({ log }), log);
    try {
      await engine.ready;
      const events: JobInfo[] = [];
      engine.onJob((j) => events.push(j));
      const long = {
        trainPerClass: 1000,
        testPerClass: 200,
        epochs: 50,
        seed: 1,
        spec: { kind: 'blur' as const },
        levels: [1],
      };
      const { jobId: running } = (await engine.request('demo.train', long)) as { jobId: string };
      const ids: string[] = [];
      for (let i = 0; i < 1000; i++)
        ids.push(((await engine.request('demo.train', long)) as { jobId: string }).jobId);
      for (const jobId of ids)
        expect(await engine.request('jobs.cancel', { jobId })).toEqual({ cancelled: true });
      const table = engine.jobList();
      console.log(`1,000 cancelled jobs: the gateway's table holds ${table.length}`);
      expect(table.length).toBeLessThanOrEqual(GATEWAY_MAX_FINISHED_JOBS + 1);
      expect(table.filter((j) => j.status === 'cancelled').map((j) => j.id)).toEqual(
        ids.slice(-GATEWAY_MAX_FINISHED_JOBS),
      );
      expect(table.find((j) => j.id === running)?.status).toMatch(/queued|running/);
      expect(events.filter((j) => j.status === 'cancelled')).toHaveLength(1000);
      await engine.request('jobs.cancel', { jobId: running });
      while (engine.jobList().find((j) => j.id === running)?.status !== 'cancelled')
        await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      await engine.close();
    }
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
