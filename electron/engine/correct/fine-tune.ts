import * as tf from '@tensorflow/tfjs';
import type { ModelMetadata } from '../models/metadata.ts';
import { saveModel } from '../models/model-io.ts';
import { summarize } from '../models/summary.ts';
import { trainMixed, type MixedTrainingOptions } from './train-loop.ts';
import { provenanceOf, withCheckpoint, type TrainedModel } from './train-correction.ts';
import { recordPath } from '../io/recorded-path.ts';

/** Fine-tuning uses SGD, Nesterov momentum 0.9, learning rate 0.01 (docs/method.md §4: 0.001 to 0.01). */
export const FINE_TUNE_OPTIMIZER = {
  kind: 'sgd',
  learningRate: 0.01,
  momentum: 0.9,
  nesterov: true,
} as const;

/** Which layers fine-tuning trains: every layer, or the first k conv layers only. */
export type FineTuneLayers = { kind: 'all' } | { kind: 'first'; count: number };

export interface FineTuneOptions extends MixedTrainingOptions {
  /** The base model: copied, never changed. */
  model: tf.LayersModel;
  layers?: FineTuneLayers;
  baseMetadata?: ModelMetadata;
  /** Where to save the selected model; the checkpoint goes to <outDir>/checkpoint (see trainCorrection). */
  outDir?: string;
  baseModelPath?: string;
  command?: string;
}

/** Parses `all` or `first:<k>`. */
export function parseFineTuneLayers(text: string): FineTuneLayers {
  const value = text.trim().toLowerCase();
  if (value === 'all') return { kind: 'all' };
  const match = /^first:(\d+)$/.exec(value);
  if (match !== null && Number(match[1]) >= 1) return { kind: 'first', count: Number(match[1]) };
  throw new RangeError(`"${text}" is not a layer choice: use all or first:<k> (k >= 1 conv layers)`);
}

/** An independent copy of a model (topology and weights through the in-memory serialiser). */
export async function copyModel(model: tf.LayersModel): Promise<tf.LayersModel> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler((a) => {
      artifacts = a;
      return Promise.resolve({ modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) });
    }),
  );
  if (artifacts === undefined) throw new Error('tfjs gave no artifacts for the model');
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

/**
 * Freezes all but the first k conv layers. Layers with weights between them stay frozen too (a ResNet's batch
 * norms: note that tfjs still runs those in training mode, with batch statistics, see clone.ts).
 */
function freezeAfter(model: tf.LayersModel, count: number): void {
  const convs = summarize(model).convLayers.map((c) => c.name);
  if (count > convs.length) throw new RangeError(`the model has ${convs.length} conv layers, not ${count}`);
  const trained = new Set(convs.slice(0, count));
  for (const layer of model.layers) layer.trainable = trained.has(layer.name);
}

/**
 * The fine-tuning baseline (docs/method.md §4): the same data, mix and budget as the units, training every
 * layer (or the first k conv layers) of a copy of the base model. Returns the history and the selected model,
 * saved to outDir when given.
 */
export async function fineTune(o: FineTuneOptions): Promise<TrainedModel> {
  const model = await copyModel(o.model);
  try {
    const layers = o.layers ?? { kind: 'all' };
    if (layers.kind === 'first') freezeAfter(model, layers.count);
    const result = await trainMixed(
      model,
      withCheckpoint(o, o.outDir),
      FINE_TUNE_OPTIMIZER,
      o.baseMetadata?.arch ?? 'unknown',
    );
    const summary = summarize(model);
    let metadata: ModelMetadata | undefined;
    if (o.outDir !== undefined) {
      if (o.baseMetadata === undefined) throw new Error('saving a fine-tuned model needs the base metadata');
      metadata = {
        ...o.baseMetadata,
        parameters: summary.parameters,
        provenance: {
          ...provenanceOf(o, result),
          fineTune: {
            baseModel: o.baseModelPath === undefined ? 'unknown' : recordPath(o.baseModelPath, o.paths),
            layers: layers.kind === 'all' ? 'all' : `first:${layers.count}`,
            trainableParameters: summary.trainableParameters,
          },
        },
      };
      delete metadata.weightsSha256;
      await saveModel(model, o.outDir, metadata);
    }
    return {
      ...result,
      model,
      trainableParameters: summary.trainableParameters,
      ...(metadata ? { metadata } : {}),
    };
  } catch (error) {
    model.dispose();
    throw error;
  }
}
