// The webgpu backend (on SwiftShader) computes what wasm computes: distortions, evaluation, training steps,
// rankings. Both backends run in this one process, each job on a model loaded for it; every job must give back
// every tensor and byte it took.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DistortionSpec } from '../../shared/distortions.ts';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import { readAll } from '../../electron/engine/backend/read.ts';
import { buildCorrectedModel } from '../../electron/engine/correct/build.ts';
import type { Dataset } from '../../electron/engine/data/dataset.ts';
import { oneHot } from '../../electron/engine/data/one-hot.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import { syntheticShapes } from '../../electron/engine/data/synthetic-shapes.ts';
import { distortBatch } from '../../electron/engine/distort/apply.ts';
import { toUint8 } from '../../electron/engine/distort/quantize.ts';
import { evaluate, type EvaluationResult } from '../../electron/engine/eval/evaluate.ts';
import { loadModel } from '../../electron/engine/models/model-io.ts';
import { rankFilters } from '../../electron/engine/rank/rank-filters.ts';
import type { LayerRanking } from '../../electron/engine/rank/types.ts';
import { DataParallelTrainer } from '../../electron/engine/train/data-parallel.ts';
import { CLASSES, held, SIZE, tinyModel, type Fixture } from './fixtures.ts';

type Backend = 'wasm' | 'webgpu';

/**
 * Runs `job` on a backend with a freshly loaded model, then disposes the model; on webgpu, checks that the
 * job left no tensor and no byte behind.
 */
async function on<T>(
  backend: Backend,
  modelDir: string,
  job: (model: tf.LayersModel) => Promise<T>,
): Promise<T> {
  await selectBackend({ forced: backend });
  const { model } = await loadModel(modelDir);
  try {
    const before = held();
    const result = await job(model);
    expect(held(), `${backend} job leaves memory as it found it`).toEqual(before);
    return result;
  } finally {
    model.dispose();
  }
}

/** Filters grouped by equal tau, most important group first: the ranking with its ties left unordered. */
function tieGroups(layer: LayerRanking): number[][] {
  const tau = layer.tau ?? [];
  const groups = new Map<number, number[]>();
  layer.order.forEach((f) => groups.set(tau[f] as number, [...(groups.get(tau[f] as number) ?? []), f]));
  return [...groups.values()].map((g) => g.sort((a, b) => a - b));
}

export function agreementTests(fx: Fixture): void {
  describe('agrees with wasm', () => {
    let dataset: Dataset;

    beforeAll(async () => {
      dataset = await openDataset(fx.data);
    });

    afterAll(async () => {
      await dataset.close();
    });

    it('distorts with every kind to the same bytes as wasm', async () => {
      const shape: [number, number, number, number] = [3, 11, 9, 3];
      const pixels = Float32Array.from({ length: 3 * 11 * 9 * 3 }, (_, i) => (i * 97 + ((i * i) % 31)) % 256);
      const specs: DistortionSpec[] = [
        { kind: 'blur', level: 1.5 },
        { kind: 'noise', level: 20 },
        { kind: 'motion-blur', level: 5, angle: 30 },
        { kind: 'defocus', level: 2 },
        { kind: 'jpeg', level: 20 },
        { kind: 'contrast', level: 0.5 },
        { kind: 'brightness', level: 40 },
        { kind: 'salt-pepper', level: 0.1 },
        { kind: 'speckle', level: 0.3 },
        { kind: 'pixelate', level: 0.5 },
      ];
      const distortAll = async (backend: Backend): Promise<Uint8Array[]> => {
        await selectBackend({ forced: backend });
        const x = tf.tensor4d(pixels, shape);
        const before = held();
        const out: Uint8Array[] = [];
        for (const spec of specs) {
          const d = distortBatch(x, spec, { seed: 3, ids: [0, 1, 2] });
          out.push(await toUint8(d));
          d.dispose();
        }
        expect(held(), `${backend}: distortion leaves memory as it found it`).toEqual(before);
        x.dispose();
        return out;
      };
      const wasm = await distortAll('wasm');
      const webgpu = await distortAll('webgpu');
      specs.forEach((spec, i) => expect(webgpu[i], spec.kind).toEqual(wasm[i]));
    });

    it('evaluates blur and noise within one image per condition of wasm', async () => {
      const run = (backend: Backend, kind: 'blur' | 'noise', levels: number[]) =>
        on(backend, fx.model, (model) =>
          evaluate({ model, dataset, split: 'test', spec: { kind }, levels, seed: 3, batchSize: 16 }),
        );
      const correct = (r: EvaluationResult) => r.conditions.map((c) => Math.round(c.top1 * r.images));
      for (const [kind, levels] of [
        ['blur', [1, 2]],
        ['noise', [20, 40]],
      ] as const) {
        const wasm = await run('wasm', kind, [...levels]);
        const webgpu = await run('webgpu', kind, [...levels]);
        expect(webgpu.images).toBe(20);
        // Not a degenerate model: it gets some images right and some wrong.
        expect(correct(wasm)[0]).toBeGreaterThan(2);
        expect(correct(wasm)[0]).toBeLessThan(20);
        correct(webgpu).forEach((n, c) =>
          expect(Math.abs(n - (correct(wasm)[c] as number))).toBeLessThanOrEqual(1),
        );
      }
    });

    /**
     * One SGD step of the model `build` makes, on each backend from the same weights: the loss, the count of
     * correct predictions and every trained weight must match wasm's within float tolerance.
     */
    async function stepAgrees(build: () => Promise<tf.LayersModel>): Promise<void> {
      // A batch of 8, as the commands and host jobs train on: their shaders are compiled once for all.
      const set = syntheticShapes(8, 5, SIZE);
      const batch = { x: set.x, y: oneHot(set.labels, CLASSES), n: set.n };
      const step = async (backend: Backend) => {
        await selectBackend({ forced: backend });
        const model = await build();
        const before = held();
        const initial = (await readAll(model.trainableWeights.map((w) => w.read()))).map((w) => w.slice());
        const optimizer = tf.train.sgd(0.5);
        const trainer = await DataParallelTrainer.create(model, optimizer, { backend, replicas: 1 });
        try {
          const { loss, correct } = await trainer.stepWithStats(batch, [SIZE, SIZE, 1], CLASSES);
          const weights = (await readAll(model.trainableWeights.map((w) => w.read()))).map((w) => w.slice());
          return { loss, correct, initial, weights };
        } finally {
          await trainer.dispose();
          optimizer.dispose();
          expect(held(), `${backend}: a step leaves only the model's weights`).toEqual(before);
          model.dispose();
        }
      };
      const wasm = await step('wasm');
      const webgpu = await step('webgpu');
      expect(webgpu.initial).toEqual(wasm.initial);
      expect(webgpu.loss).toBeCloseTo(wasm.loss, 5);
      expect(webgpu.correct).toBe(wasm.correct);
      let moved = 0;
      wasm.weights.forEach((w, i) => {
        const g = webgpu.weights[i] as Float32Array;
        expect(g.length).toBe(w.length);
        for (let j = 0; j < w.length; j++) {
          expect(Math.abs((g[j] as number) - (w[j] as number))).toBeLessThan(1e-5);
          if (w[j] !== wasm.initial[i]?.[j]) moved++;
        }
      });
      // Most weights moved, so what agrees is a real update.
      expect(moved).toBeGreaterThan(wasm.weights.reduce((a, w) => a + w.length, 0) / 2);
    }

    it("takes one training step to wasm's weights within float tolerance", async () => {
      await stepAgrees(() => Promise.resolve(tinyModel(7)));
    });

    it('trains correction units on two layers (more than 7 penalties) as wasm does', async () => {
      await stepAgrees(async () => {
        const base = tinyModel(7);
        try {
          const plan = [
            { layer: 'conv1', filters: [0, 1] },
            { layer: 'conv2', filters: [3, 1] },
          ];
          return await buildCorrectedModel(base, plan, { seed: 1, zeroInit: false });
        } finally {
          base.dispose();
        }
      });
    });

    it('ranks the same filters as wasm, ties apart (oracle and proxy)', async () => {
      const rank = (backend: Backend) =>
        on(backend, fx.model, (model) =>
          rankFilters({
            model,
            dataset,
            spec: { kind: 'blur' },
            levels: [1, 2],
            seed: 2,
            perClass: 2,
            method: 'both',
          }),
        );
      const wasm = await rank('wasm');
      const webgpu = await rank('webgpu');
      expect(webgpu.backend).toBe('webgpu');
      expect(webgpu.layers.map((l) => l.layer)).toEqual(['conv1', 'conv2']);
      webgpu.layers.forEach((layer, i) => {
        const reference = wasm.layers[i] as LayerRanking;
        expect(layer.errors).toEqual(reference.errors);
        expect(tieGroups(layer)).toEqual(tieGroups(reference));
        (layer.proxy ?? []).forEach((p, f) => expect(p).toBeCloseTo(reference.proxy?.[f] as number, 4));
      });
    });
  });
}
