// The engine host's requests on webgpu (SwiftShader), in this process: each input checked by the bridge
// contract as the gateway checks it, each job run through the host's own job queue, and after each one every
// tensor and byte it took given back.
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTRACT,
  type JobInfo,
  type JobName,
  type RequestInput,
  type RequestOutput,
} from '../../shared/bridge/contract.ts';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import { JOBS, type HostQuickName, type HostState } from '../../electron/engine/host/handlers.ts';
import { JobQueue } from '../../electron/engine/host/jobs.ts';
import { held, type Fixture } from './fixtures.ts';
import { hostState, quickRequest } from '../engine/host-fixtures.ts';

export function hostJobTests(fx: Fixture): void {
  describe('engine host requests and jobs', () => {
    let dir: string;
    let state: HostState;
    let datasetId: string;
    let modelId: string;
    const ended = new Map<string, (info: JobInfo) => void>();

    /** The host's process stays on its backend; the other parts of this suite switch to wasm and back. */
    async function onHostBackend(): Promise<void> {
      if (tf.getBackend() !== 'webgpu') await selectBackend({ forced: 'webgpu' });
    }

    /** A quick request, its input checked by the contract. */
    async function quick<N extends HostQuickName>(
      name: N,
      input: RequestInput<N>,
    ): Promise<RequestOutput<N>> {
      await onHostBackend();
      return quickRequest(state, name, input);
    }

    /** A job through the host's queue; it must finish done and leave the engine's memory as it found it. */
    async function job<N extends JobName>(name: N, input: RequestInput<N>): Promise<RequestOutput<N>> {
      await onHostBackend();
      const before = held();
      const make = JOBS[name] as (
        i: unknown,
        s: HostState,
      ) => { title: string; run: Parameters<JobQueue['submit']>[3] };
      const parsed: unknown = CONTRACT[name].input.parse(input);
      const made = make(parsed, state);
      const info = await new Promise<JobInfo>((resolve) => {
        const id = state.jobs.submit(name, made.title, parsed, made.run);
        ended.set(id, resolve);
      });
      expect(info.error, name).toBeUndefined();
      expect(info.status, name).toBe('done');
      expect(held(), `${name} leaves memory as it found it`).toEqual(before);
      return info.result as RequestOutput<N>;
    }

    beforeAll(async () => {
      dir = path.join(fx.dir, 'host');
      await mkdir(dir, { recursive: true });
      const backend = await selectBackend({ forced: 'webgpu' });
      state = hostState(backend, (info) => {
        if (info.status === 'done' || info.status === 'failed' || info.status === 'cancelled')
          ended.get(info.id)?.(info);
      });
      datasetId = (await quick('dataset.open', { path: fx.data })).datasetId;
      modelId = (await quick('models.open', { path: fx.model })).modelId;
    });

    afterAll(async () => {
      state.models.closeAll();
      await state.datasets.closeAll();
    });

    const spec = { kind: 'blur' as const };
    const levels = [1, 2];
    // One image per class: 8 to train on (one batch), 2 to select the model with.
    const mixed = () => ({
      datasetId,
      spec,
      levels,
      epochs: 1,
      batchSize: 8,
      seed: 2,
      validationFraction: 0.2,
      trainPerClass: 1,
    });

    it('engine.info names webgpu; distort.sample distorts on the GPU', async () => {
      expect((await quick('engine.info', {})).backend.name).toBe('webgpu');
      const before = held();
      const sample = await quick('distort.sample', {
        datasetId,
        split: 'test',
        index: 3,
        spec: { kind: 'noise', level: 30 },
        seed: 1,
      });
      expect(held()).toEqual(before);
      expect(sample.distorted.pixels).toHaveLength(64);
      expect(sample.distorted.pixels).not.toEqual(sample.clean.pixels);
    });

    it('models.evaluate, rank.filters, rank.experiment', async () => {
      const evaluation = await job('models.evaluate', {
        modelId,
        datasetId,
        split: 'test',
        spec,
        levels,
        seed: 1,
      });
      expect(evaluation.conditions).toHaveLength(3);
      const ranking = await job('rank.filters', {
        modelId,
        datasetId,
        spec,
        levels,
        seed: 1,
        perClass: 1,
        method: 'both',
      });
      expect(ranking.backend).toBe('webgpu');
      const orders = Object.fromEntries(ranking.layers.map((l) => [l.layer, l.order]));
      const experiment = await job('rank.experiment', {
        modelId,
        datasetId,
        spec,
        levels,
        seed: 1,
        orders,
        fractions: [0.5, 1],
        evalPerClass: 1,
      });
      // Every filter of a layer given its clean map: the distorted images become the clean ones.
      for (const layer of experiment.layers)
        expect(layer.fractions.at(-1)?.accuracy).toEqual(levels.map(() => experiment.clean));
    });

    it('distort.write', async () => {
      const outDir = path.join(dir, 'written');
      const written = await job('distort.write', {
        datasetId,
        spec: { kind: 'speckle', level: 0.2 },
        seed: 1,
        splits: ['test'],
        outDir,
      });
      expect(written.written).toBe(20);
      expect((await readdir(outDir, { recursive: true })).filter((f) => f.endsWith('.png'))).toHaveLength(20);
    });

    it('models.train: cnn4 for one epoch', async () => {
      const trained = await job('models.train', {
        datasetId,
        arch: 'cnn4',
        epochs: 1,
        batchSize: 8,
        seed: 1,
        optimizer: { kind: 'adam', learningRate: 0.001 },
        schedule: { kind: 'constant' },
        augment: { flip: false, shift: 1 },
        validationFraction: 0.2,
        trainPerClass: 1,
        outDir: path.join(dir, 'trained'),
      });
      expect(trained.metadata.provenance?.backend).toBe('webgpu');
    });

    it('correct.train and finetune.train; inspect.activations with the corrected model', async () => {
      const corrected = await job('correct.train', {
        ...mixed(),
        modelId,
        layers: ['conv2'],
        beta: 0.5,
        rankMethod: 'proxy',
        rankPerClass: 1,
        outDir: path.join(dir, 'corrected'),
      });
      expect(corrected.trainableParameters).toBeGreaterThan(0);
      const tuned = await job('finetune.train', {
        ...mixed(),
        modelId,
        layers: 'first:1',
        outDir: path.join(dir, 'fine-tuned'),
      });
      expect(tuned.history).toHaveLength(1);
      const correctedModelId = (await quick('models.open', { path: corrected.modelDir })).modelId;
      const before = held();
      const maps = await quick('inspect.activations', {
        modelId,
        correctedModelId,
        datasetId,
        split: 'test',
        index: 0,
        layer: 'conv2',
        spec: { kind: 'blur', level: 2 },
        seed: 1,
      });
      expect(held()).toEqual(before);
      expect(maps.correctedSource).toBe('unit');
      expect(maps.clean.byteLength).toBe(4 * 8 * 8 * 4);
      expect(maps.predictions.corrected?.probabilities).toHaveLength(10);
    });

    it('study.run into a study folder', async () => {
      const study = await job('study.run', {
        ...mixed(),
        modelId,
        layers: ['conv1'],
        beta: 0.5,
        rankMethod: 'oracle',
        rankPerClass: 1,
        fineTuneLayers: 'all',
        unitOptimizer: { kind: 'adam', learningRate: 0.001 },
        fineTuneOptimizer: { kind: 'adam', learningRate: 0.001 },
        outDir: path.join(dir, 'study'),
      });
      expect(study.backend).toBe('webgpu');
      expect(study.models.map((m) => m.role)).toEqual(['baseline', 'fine-tuned', 'deepcorrect']);
    });

    it('demo.train: cnn4 on the bundled Fashion-MNIST, ten images', async () => {
      const demo = await job('demo.train', {
        trainPerClass: 1,
        testPerClass: 1,
        epochs: 1,
        seed: 1,
        spec,
        levels: [1],
      });
      expect(demo.rows.map((r) => r.level)).toEqual([undefined, 1]);
      expect(demo.epochs).toHaveLength(1);
    });
  });
}
