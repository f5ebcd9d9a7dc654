import { lstat, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ModelMetadata } from '../../electron/engine/models/metadata.ts';
import { summarize } from '../../electron/engine/models/registry.ts';

export function metadataFor(model: tf.LayersModel, arch: string, classes: string[]): ModelMetadata {
  const summary = summarize(model);
  const input = model.inputs[0]?.shape.slice(1) as [number, number, number];
  return {
    format: 'deepcorrect-model',
    version: 1,
    arch,
    inputShape: input,
    classes,
    normalisation: { kind: 'unit' },
    parameters: summary.parameters,
    convLayers: summary.convLayers.map((c) => c.name),
    provenance: { dataset: 'synthetic', seed: 1, epochs: 0, backend: 'wasm', custom: { note: 'kept' } },
  };
}

/** Every entry under a folder with its size and modification time: to show that nothing was written. */
export async function snapshot(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const full = path.join(dir, name);
      const info = await lstat(full);
      out.push(`${path.relative(root, full)} ${info.size} ${info.mtimeMs}`);
      if (info.isDirectory()) await walk(full);
    }
  };
  await walk(root);
  return out;
}

export function predict(model: tf.LayersModel, shape: number[], n = 3): Float32Array {
  return tf.tidy(() => {
    const size = shape.reduce((a, b) => a * b, 1);
    const x = tf.tensor(
      Float32Array.from({ length: n * size }, (_, i) => ((i * 37) % 101) / 100),
      [n, ...shape],
    );
    return (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
  });
}

export async function editJson(file: string, edit: (json: Record<string, unknown>) => void): Promise<void> {
  const json = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  edit(json);
  await writeFile(file, JSON.stringify(json));
}

/**
 * Writes a model as tfjs's own file saver does (tfjs-node's file:// handler): model.json and shards named
 * group1-shardNofM.bin, no deepcorrect.json. The weights are split in two shards to exercise groups.
 */
export async function saveLikeTfjs(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? []));
      const cut = Math.floor(data.length / 8) * 4;
      await writeFile(path.join(dir, 'group1-shard1of2.bin'), data.subarray(0, cut));
      await writeFile(path.join(dir, 'group1-shard2of2.bin'), data.subarray(cut));
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [
          { paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: artifacts.weightSpecs },
        ],
      };
      await writeFile(path.join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}
