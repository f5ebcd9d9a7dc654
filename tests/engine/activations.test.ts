import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import { buildCorrectedModel } from '../../electron/engine/correct/build.ts';
import { loadImages } from '../../electron/engine/data/load-images.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import { activationMaps, type ActivationMaps } from '../../electron/engine/inspect/activations.ts';
import { loadModel } from '../../electron/engine/models/model-io.ts';
import { buildModel, summarize } from '../../electron/engine/models/registry.ts';
import { demoDatasetDir, demoModelDir } from '../../electron/engine/resources.ts';

/** A deterministic image with structure (so blur changes it): a ramp plus a bright square. */
function image([h, w, c]: [number, number, number]): Uint8Array {
  const out = new Uint8Array(h * w * c);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < c; k++) {
        const square = y > h / 4 && y < h / 2 && x > w / 3 && x < (2 * w) / 3 ? 180 : 0;
        out[(y * w + x) * c + k] = Math.min(255, ((x * 7 + y * 3 + k * 50) % 70) + square);
      }
  return out;
}

/** The layer's map from a sub-model cut there, as filter-major planes: an oracle independent of runGraph. */
function reference(model: tf.LayersModel, layer: string, img: Uint8Array, shape: number[]): Float32Array {
  const cut = tf.model({ inputs: model.inputs, outputs: model.getLayer(layer).output });
  const data = tf.tidy(() => {
    const x = tf.tensor4d(Float32Array.from(img), [1, ...shape] as [number, number, number, number]).div(255);
    return (cut.predict(x) as tf.Tensor).transpose([0, 3, 1, 2]).dataSync() as Float32Array;
  });
  return data;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

function plane(maps: Float32Array, i: number, r: ActivationMaps): Float32Array {
  const hw = r.height * r.width;
  return maps.slice(i * hw, (i + 1) * hw);
}

function checkConsistent(r: ActivationMaps): void {
  const planes = r.filters.length * r.height * r.width;
  expect(r.clean.length).toBe(planes);
  r.diffDistorted.forEach((v, i) =>
    expect(v).toBe(Math.fround((r.distorted[i] as number) - (r.clean[i] as number))),
  );
  if (r.corrected !== undefined) {
    const corrected = r.corrected;
    r.diffCorrected?.forEach((v, i) =>
      expect(v).toBe(Math.fround((corrected[i] as number) - (r.clean[i] as number))),
    );
  }
  for (const a of [r.clean, r.distorted, ...(r.corrected ? [r.corrected] : [])])
    for (const v of a) {
      expect(v).toBeGreaterThanOrEqual(r.range.min);
      expect(v).toBeLessThanOrEqual(r.range.max);
    }
  for (const [i, s] of r.stats.entries()) {
    const d = plane(r.diffDistorted, i, r);
    expect(s.l1Distorted).toBeCloseTo(d.reduce((sum, v) => sum + Math.abs(v), 0) / d.length, 6);
    for (const v of d) expect(Math.abs(v)).toBeLessThanOrEqual(s.maxAbs);
  }
}

describe('activationMaps on a seeded cnn4', () => {
  let base: tf.LayersModel;
  const shape: [number, number, number] = [28, 28, 1];
  const img = image(shape);
  const common = { imageShape: shape, image: img, seed: 5, imageId: 17 };
  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
    base = buildModel('cnn4', { inputShape: shape, classes: 10, seed: 3 });
  });
  afterAll(() => base.dispose());

  it('clean maps match a sub-model; blur sigma 0 leaves distorted equal to clean', async () => {
    const before = tf.memory().numTensors;
    const r = await activationMaps({ ...common, base, layer: 'conv2', spec: { kind: 'blur', level: 0 } });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.activation).toBe('conv2');
    expect([r.height, r.width, r.totalFilters]).toEqual([28, 28, 32]);
    expect(r.filters).toEqual([...Array(32).keys()]);
    expect(maxDiff(r.clean, reference(base, 'conv2', img, shape))).toBeLessThan(1e-5);
    expect(r.distorted).toEqual(r.clean);
    expect(r.stats.every((s) => s.l1Distorted === 0)).toBe(true);
    expect(r.distortedImage).toEqual(img);
    expect(r.predictions.distorted).toEqual(r.predictions.clean);
    expect(r.predictions.clean.probabilities).toHaveLength(10);
    expect(r.corrected).toBeUndefined();
    checkConsistent(r);
  });

  it('an identity corrected model reproduces the distorted maps exactly; a perturbed unit only its filters', async () => {
    const spec = { kind: 'blur' as const, level: 1.5 };
    const chosen = [3, 0, 7, 12];
    const corrected = await buildCorrectedModel(base, [{ layer: 'conv1', filters: chosen }], { seed: 2 });
    const before = tf.memory().numTensors;
    const identity = await activationMaps({ ...common, base, corrected, layer: 'conv1', spec });
    expect(identity.correctedSource).toBe('unit');
    expect(identity.correctedLayer).toBe('dc_conv1_add');
    expect(identity.corrected).toEqual(identity.distorted);
    expect(identity.predictions.corrected).toEqual(identity.predictions.distorted);
    expect(identity.stats.filter((s) => s.l1Distorted > 0).length).toBeGreaterThan(16);
    checkConsistent(identity);

    // A non-zero last conv: the unit now changes its own channels and nothing else.
    const out = corrected.getLayer('dc_conv1_out');
    const [kernel, bias] = out.getWeights() as [tf.Tensor, tf.Tensor];
    const perturbed = tf.randomNormal(kernel.shape, 0, 0.5, 'float32', 9);
    out.setWeights([perturbed, bias]);
    perturbed.dispose();
    const filters = [0, 1, 3, 5, 7, 12, 31];
    const r = await activationMaps({ ...common, base, corrected, layer: 'conv1', spec, filters });
    expect(r.filters).toEqual(filters);
    const correctedPlanes = r.corrected as Float32Array;
    for (const [i, f] of filters.entries()) {
      const c = plane(correctedPlanes, i, r);
      const d = plane(r.distorted, i, r);
      if (chosen.includes(f)) expect(maxDiff(c, d)).toBeGreaterThan(0);
      else expect(c).toEqual(d);
    }
    checkConsistent(r);

    // conv2 has no unit of its own: its corrected map is the base copy's, downstream of conv1's unit.
    const next = await activationMaps({ ...common, base, corrected, layer: 'conv2', spec, filters: [0, 1] });
    expect(next.correctedSource).toBe('none');
    expect(next.correctedLayer).toBe('conv2');
    expect(maxDiff(next.corrected as Float32Array, next.distorted)).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
    corrected.dispose();
  });

  it('pre-activation on a fused conv reads the map after dc_<layer>_act', async () => {
    const corrected = await buildCorrectedModel(base, [{ layer: 'conv2', filters: [1, 2] }], {
      seed: 2,
      placement: 'pre-activation',
    });
    const r = await activationMaps({
      ...common,
      base,
      corrected,
      layer: 'conv2',
      spec: { kind: 'noise', level: 20 },
    });
    expect(r.correctedLayer).toBe('dc_conv2_act');
    expect(r.corrected).toEqual(r.distorted);
    // Noise is seeded per image id: another id gives other pixels.
    const other = await activationMaps({
      ...common,
      imageId: 18,
      base,
      layer: 'conv2',
      spec: { kind: 'noise', level: 20 },
      filters: [0],
    });
    expect(other.distortedImage).not.toEqual(r.distortedImage);
    corrected.dispose();
  });

  it('refuses bad requests clearly and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const spec = { kind: 'blur' as const, level: 1 };
    await expect(activationMaps({ ...common, base, layer: 'fc1', spec })).rejects.toThrow(
      /"fc1" is not a conv layer.*conv1, conv2, conv3, conv4/,
    );
    await expect(
      activationMaps({
        ...common,
        base,
        layer: 'conv1',
        spec,
        imageShape: [32, 32, 1],
        image: new Uint8Array(1024),
      }),
    ).rejects.toThrow(/32x32x1 but the model takes 28x28x1/);
    await expect(
      activationMaps({ ...common, base, layer: 'conv1', spec, image: new Uint8Array(100) }),
    ).rejects.toThrow(/100 values/);
    await expect(activationMaps({ ...common, base, layer: 'conv1', spec, filters: [0, 32] })).rejects.toThrow(
      /filter 32 is not in 0\.\.31/,
    );
    await expect(
      activationMaps({ ...common, base, layer: 'conv1', spec: { kind: 'blur', level: -1 } }),
    ).rejects.toThrow();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('activationMaps on resnet8', () => {
  it('matches a sub-model at relu maps and corrects inside a block', async () => {
    await selectBackend({ forced: 'wasm' });
    const shape: [number, number, number] = [32, 32, 3];
    const base = buildModel('resnet8', { inputShape: shape, classes: 10, seed: 4 });
    const img = image(shape);
    const common = {
      base,
      image: img,
      imageShape: shape,
      seed: 1,
      imageId: 3,
      spec: { kind: 'blur' as const, level: 1 },
    };
    const convs = summarize(base).convLayers;
    const before = tf.memory().numTensors;
    for (const conv of [convs[0], convs[1]]) {
      if (conv === undefined) throw new Error('resnet8 has conv layers');
      const r = await activationMaps({ ...common, layer: conv.name, filters: [0, 5, 9] });
      expect(r.activation).toBe(conv.activation);
      const ref = reference(base, conv.activation, img, shape);
      const hw = r.height * r.width;
      const picked = new Float32Array(3 * hw);
      [0, 5, 9].forEach((f, i) => picked.set(ref.subarray(f * hw, (f + 1) * hw), i * hw));
      const clean = await activationMaps({
        ...common,
        spec: { kind: 'blur', level: 0 },
        layer: conv.name,
        filters: [0, 5, 9],
      });
      expect(maxDiff(clean.clean, picked)).toBeLessThan(1e-5);
      expect(clean.distorted).toEqual(clean.clean);
    }
    for (const placement of ['post-activation', 'pre-activation'] as const) {
      const corrected = await buildCorrectedModel(base, [{ layer: 'conv2', filters: [0, 1, 2] }], {
        seed: 1,
        placement,
      });
      const r = await activationMaps({ ...common, corrected, layer: 'conv2' });
      expect(r.correctedLayer).toBe(placement === 'post-activation' ? 'dc_conv2_add' : 'relu2');
      // The pre-activation path folds batch norm, so it is equal only up to float32 rounding.
      expect(maxDiff(r.corrected as Float32Array, r.distorted)).toBeLessThan(1e-5);
      checkConsistent(r);
      corrected.dispose();
    }
    expect(() => base.getLayer('fc')).not.toThrow();
    await expect(activationMaps({ ...common, layer: 'fc' })).rejects.toThrow(/not a conv layer/);
    expect(tf.memory().numTensors).toBe(before);
    base.dispose();
  });
});

describe('activationMaps on the bundled demo model', () => {
  it('blur sigma 2 changes most conv1 filters of a Fashion-MNIST image', async () => {
    await selectBackend({ forced: 'wasm' });
    const { model } = await loadModel(demoModelDir());
    const dataset = await openDataset(demoDatasetDir());
    try {
      const loaded = await loadImages(dataset, 'test', [0]);
      const before = tf.memory().numTensors;
      const r = await activationMaps({
        base: model,
        layer: 'conv1',
        image: loaded.images,
        imageShape: loaded.imageShape,
        spec: { kind: 'blur', level: 2 },
        seed: 0,
        imageId: loaded.ids[0] as number,
      });
      expect(tf.memory().numTensors).toBe(before);
      const changed = r.stats.filter((s) => s.l1Distorted > 0).length;
      expect(changed).toBeGreaterThan(r.filters.length / 2);
      expect(r.distortedImage).not.toEqual(loaded.images);
      checkConsistent(r);
    } finally {
      model.dispose();
      await dataset.close();
    }
  });
});
