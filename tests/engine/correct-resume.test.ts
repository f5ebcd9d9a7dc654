import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import {
  fineTune,
  trainCorrection,
  type MixedEpoch,
  type MixedTrainingOptions,
  type PlanEntry,
  type TrainedModel,
} from '../../electron/engine/correct/index.ts';
import { MIXED_CHECKPOINT } from '../../electron/engine/correct/mixed-checkpoint.ts';
import type { Dataset } from '../../electron/engine/data/dataset.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import type { ModelMetadata } from '../../electron/engine/models/metadata.ts';
import { loadModel } from '../../electron/engine/models/model-io.ts';
import { demoDatasetDir, demoModelDir } from '../../electron/engine/resources.ts';
import { readCheckpointAt } from '../../electron/engine/train/checkpoint-store.ts';
import { AbortError } from '../../electron/engine/train/fit.ts';

const half = (n: number): number[] => [...Array(n / 2).keys()].map((i) => 2 * i);
const PLAN: PlanEntry[] = [
  { layer: 'conv1', filters: half(32) },
  { layer: 'conv2', filters: half(32) },
];

/** The history without its timings, which differ between runs. */
const learned = (history: MixedEpoch[]) =>
  history.map(({ epoch, loss, accuracy, valAccuracy, valMean, learningRate }) => ({
    epoch,
    loss,
    accuracy,
    valAccuracy,
    valMean,
    learningRate,
  }));

const weightsOf = (model: tf.LayersModel): Float32Array[] =>
  model.getWeights().map((w) => Float32Array.from(w.dataSync()));

describe('checkpoints and exact resume of unit training and fine-tuning', () => {
  let dataset: Dataset;
  let base: tf.LayersModel;
  let metadata: ModelMetadata;
  let dir: string;
  let common: MixedTrainingOptions;
  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
    dataset = await openDataset(demoDatasetDir());
    ({ model: base, metadata } = await loadModel(demoModelDir()));
    dir = await mkdtemp(path.join(tmpdir(), 'dc-correct-resume-'));
    common = {
      dataset,
      spec: { kind: 'blur' },
      levels: [2, 3],
      epochs: 2,
      batchSize: 32,
      seed: 5,
      trainPerClass: 10,
      validationFraction: 0.2,
      backend: 'wasm',
      // One replica: the test asks for bit-exact equality, which several replicas are not checked for.
      replicas: 1,
      optimizer: { kind: 'adam', learningRate: 1e-3 },
    };
  });
  afterAll(async () => {
    base.dispose();
    await dataset.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs `train` into outDir, cancelled in the first batch of epoch 2; the epoch-1 checkpoint stays. */
  async function cancelInEpoch2(
    train: (o: Partial<MixedTrainingOptions>) => Promise<TrainedModel>,
    outDir: string,
  ): Promise<void> {
    const abort = new AbortController();
    const run = train({
      signal: abort.signal,
      onProgress: (p) => {
        if (p.stage === 'epoch 2/2') abort.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(AbortError);
    const state = await readCheckpointAt(path.join(outDir, 'checkpoint'), MIXED_CHECKPOINT);
    expect(state?.epoch).toBe(1);
    expect(state?.history.map((h) => h.epoch)).toEqual([1]);
    expect(await readdir(outDir)).toEqual(['checkpoint']); // no final model yet
  }

  async function expectSameRun(resumed: TrainedModel, straight: TrainedModel, dirs: string[]): Promise<void> {
    expect(resumed.resumedFrom).toBe(1);
    expect(learned(resumed.history)).toEqual(learned(straight.history));
    expect(resumed.bestEpoch).toBe(straight.bestEpoch);
    expect(weightsOf(resumed.model)).toEqual(weightsOf(straight.model));
    // The saved models hold the same weight bytes (their provenance times differ).
    const [a, b] = await Promise.all(dirs.map((d) => loadModel(d)));
    expect(a?.metadata.weightsSha256).toBe(b?.metadata.weightsSha256);
    a?.model.dispose();
    b?.model.dispose();
  }

  it('units: cancelled in epoch 2 and resumed equals an uninterrupted run, bit for bit', async () => {
    const before = tf.memory().numTensors;
    const units = (outDir: string) => (extra: Partial<MixedTrainingOptions>) =>
      trainCorrection({ ...common, ...extra, model: base, plan: PLAN, baseMetadata: metadata, outDir });
    const straightDir = path.join(dir, 'units-straight');
    const straight = await units(straightDir)({});
    // Kept after the run, as the baseline trainer keeps its own.
    expect((await readdir(straightDir)).sort()).toContain('checkpoint');

    const outDir = path.join(dir, 'units-resumed');
    await cancelInEpoch2(units(outDir), outDir);
    // A fresh run may not overwrite the checkpoint, and a resume must match its settings.
    await expect(units(outDir)({})).rejects.toThrow(/holds the checkpoint of an earlier run: resume it/);
    await expect(units(outDir)({ resume: true, batchSize: 16, distortedFraction: 0.25 })).rejects.toThrow(
      /other settings \(batchSize: 32 in the checkpoint, 16 now; distortedFraction: 0.5 in the checkpoint, 0.25 now\)/,
    );
    await expect(
      trainCorrection({
        ...common,
        resume: true,
        model: base,
        plan: [{ layer: 'conv1', filters: [0, 1] }],
        baseMetadata: metadata,
        outDir,
      }),
    ).rejects.toThrow(/other settings \(model: 18752 trainable of .* in the checkpoint, \d+ trainable of/);
    await expect(units(outDir)({ resume: true, epochs: 2, levels: [2] })).rejects.toThrow(/levels: 2,3 in/);

    const resumed = await units(outDir)({ resume: true });
    await expectSameRun(resumed, straight, [straightDir, outDir]);
    straight.model.dispose();
    resumed.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('fine-tuning: resumes exactly; a resume without a checkpoint starts afresh', async () => {
    const before = tf.memory().numTensors;
    const tune = (outDir: string) => (extra: Partial<MixedTrainingOptions>) =>
      fineTune({
        ...common,
        optimizer: { kind: 'sgd', learningRate: 0.01, momentum: 0.9, nesterov: true },
        schedule: { kind: 'step', every: 1, factor: 0.5 },
        ...extra,
        model: base,
        baseMetadata: metadata,
        outDir,
      });
    const straightDir = path.join(dir, 'tune-straight');
    const straight = await tune(straightDir)({ resume: true });
    expect(straight.resumedFrom).toBeUndefined();
    expect(straight.history.map((h) => h.learningRate)).toEqual([0.01, 0.005]);

    const outDir = path.join(dir, 'tune-resumed');
    await cancelInEpoch2(tune(outDir), outDir);
    const resumed = await tune(outDir)({ resume: true });
    await expectSameRun(resumed, straight, [straightDir, outDir]);

    // Resuming the finished run trains nothing more and selects the same model.
    const again = await tune(outDir)({ resume: true });
    expect(again.resumedFrom).toBe(2);
    expect(weightsOf(again.model)).toEqual(weightsOf(straight.model));
    straight.model.dispose();
    resumed.model.dispose();
    again.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
