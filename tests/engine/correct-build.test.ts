import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import { buildCorrectedModel, type PlanEntry } from '../../electron/engine/correct/build.ts';
import { correctedMetadata } from '../../electron/engine/correct/metadata.ts';
import { planFromRanking } from '../../electron/engine/correct/plan.ts';
import { unitParameters } from '../../electron/engine/correct/unit.ts';
import { loadModel, saveModel } from '../../electron/engine/models/model-io.ts';
import { buildModel, summarize } from '../../electron/engine/models/registry.ts';
import { demoModelDir } from '../../electron/engine/resources.ts';

function inputs(shape: number[], n: number, seed: number): tf.Tensor {
  return tf.randomUniform([n, ...shape], 0, 1, 'float32', seed);
}

function run(model: tf.LayersModel, x: tf.Tensor): Float32Array {
  return tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

/** A layer's output for x, from a model cut there (the tensors are the model's own symbolic outputs). */
function layerOutput(model: tf.LayersModel, name: string, x: tf.Tensor): Float32Array {
  const cut = tf.model({ inputs: model.inputs, outputs: model.getLayer(name).output });
  return run(cut, x);
}

describe('buildCorrectedModel', () => {
  let cnn4: tf.LayersModel;
  let dir: string;
  const plan: PlanEntry[] = [
    { layer: 'conv1', filters: [3, 0, 7, 12, 30, 31, 1, 5, 9, 11, 13, 15, 17, 19, 21, 23] },
    { layer: 'conv2', filters: [2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 1] },
  ];
  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
    cnn4 = (await loadModel(demoModelDir())).model;
    dir = await mkdtemp(path.join(tmpdir(), 'dc-correct-'));
  });
  afterAll(async () => {
    cnn4.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('with identity units predicts exactly as the base cnn4 and trains only the units', async () => {
    const before = tf.memory().numTensors;
    const model = await buildCorrectedModel(cnn4, plan, { seed: 1, zeroInit: true });
    const x = inputs([28, 28, 1], 4, 2);
    expect(run(model, x)).toEqual(run(cnn4, x));
    const summary = summarize(model);
    // 18,752: the reference run's figure for conv1-2 at beta 0.5 (docs/method.md §5).
    expect(summary.trainableParameters).toBe(unitParameters(16, 5) + unitParameters(16, 3));
    expect(summary.trainableParameters).toBe(18_752);
    expect(model.trainableWeights.every((w) => w.originalName.startsWith('dc_'))).toBe(true);
    expect(model.layers.filter((l) => !l.name.startsWith('dc_')).every((l) => !l.trainable)).toBe(true);
    x.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('changes only the corrected channels of the corrected map', async () => {
    const model = await buildCorrectedModel(cnn4, plan, { seed: 3, zeroInit: false });
    const x = inputs([28, 28, 1], 2, 5);
    const base = layerOutput(cnn4, 'conv1', x);
    const corrected = layerOutput(model, 'dc_conv1_add', x);
    const chosen = new Set(plan[0]?.filters);
    let changed = 0;
    for (let i = 0; i < base.length; i++) {
      const c = i % 32;
      if (chosen.has(c)) changed += base[i] === corrected[i] ? 0 : 1;
      else expect(corrected[i]).toBe(base[i]);
    }
    expect(changed).toBeGreaterThan(0);
    x.dispose();
    model.dispose();
  });

  it('saves with provenance and reloads to the same predictions', async () => {
    const model = await buildCorrectedModel(cnn4, plan, { seed: 4, zeroInit: false });
    const { metadata: baseMeta } = await loadModel(demoModelDir());
    const metadata = correctedMetadata(model, baseMeta, {
      baseModel: demoModelDir(),
      layers: ['conv1', 'conv2'],
      beta: 0.5,
      rankingMethod: 'proxy',
      placement: 'post-activation',
      plan,
    });
    const out = path.join(dir, 'saved');
    await saveModel(model, out, metadata);
    const loaded = await loadModel(out);
    expect(loaded.metadata.arch).toBe('cnn4+deepcorrect');
    expect(loaded.metadata.convLayers).toEqual(['conv1', 'conv2', 'conv3', 'conv4']);
    expect(loaded.metadata.provenance?.correction).toMatchObject({ beta: 0.5, layers: ['conv1', 'conv2'] });
    expect(summarize(loaded.model).trainableParameters).toBe(18_752);
    const x = inputs([28, 28, 1], 3, 6);
    expect(run(loaded.model, x)).toEqual(run(model, x));
    x.dispose();
    model.dispose();
    loaded.model.dispose();
    // The plain tfjs loader reads it too: only standard layers.
    const plain = await tf.loadLayersModel(tf.io.fromMemory(await artifacts(out)));
    plain.dispose();
  });

  it('corrects resnet8 (block outputs and batch norm) within 1e-6 of the base at identity', async () => {
    const resnet = buildModel('resnet8', { inputShape: [16, 16, 3], classes: 5, seed: 4 });
    const ranking = {
      layers: summarize(resnet).convLayers.map((c) => ({
        layer: c.name,
        filters: c.filters,
        order: [...Array(c.filters).keys()].reverse(),
      })),
    };
    const resPlan = planFromRanking(ranking, 0.5, ['conv1', 'conv3', 'conv5']);
    for (const placement of ['post-activation', 'pre-activation'] as const) {
      const model = await buildCorrectedModel(resnet, resPlan, { seed: 1, zeroInit: true, placement });
      const x = inputs([16, 16, 3], 3, 7);
      expect(maxDiff(run(model, x), run(resnet, x))).toBeLessThan(1e-6);
      // Frozen batch norms became inference-mode affine maps: nothing trainable but the units.
      expect(model.trainableWeights.every((w) => w.originalName.startsWith('dc_'))).toBe(true);
      x.dispose();
      model.dispose();
    }
    resnet.dispose();
  });

  it('pre-activation on a fused conv splits the activation off after the unit', async () => {
    const model = await buildCorrectedModel(cnn4, plan.slice(0, 1), {
      seed: 1,
      zeroInit: true,
      placement: 'pre-activation',
    });
    expect(model.getLayer('dc_conv1_act').getConfig().activation).toBe('relu');
    expect(model.getLayer('conv1').getConfig().activation).toBe('linear');
    const x = inputs([28, 28, 1], 2, 8);
    expect(run(model, x)).toEqual(run(cnn4, x));
    x.dispose();
    model.dispose();
  });

  it('refuses bad plans clearly', async () => {
    await expect(buildCorrectedModel(cnn4, [{ layer: 'fc1', filters: [0] }], { seed: 1 })).rejects.toThrow(
      /not a conv layer/,
    );
    await expect(buildCorrectedModel(cnn4, [{ layer: 'conv1', filters: [40] }], { seed: 1 })).rejects.toThrow(
      /0\.\.31/,
    );
    await expect(
      buildCorrectedModel(cnn4, [{ layer: 'conv1', filters: [1, 1] }], { seed: 1 }),
    ).rejects.toThrow(/distinct/);
  });
});

async function artifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const { readFile } = await import('node:fs/promises');
  const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as {
    modelTopology: object;
    weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
  };
  const weights = await readFile(path.join(dir, 'weights.bin'));
  return {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
  };
}
