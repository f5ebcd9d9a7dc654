import { activationMaps } from '../inspect/activations.ts';
import { readImages } from '../session/datasets.ts';
import type { UseCase } from './context.ts';

/** A float32 array as its little-endian bytes (every platform the engine runs on is little-endian). */
function bytes(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** inspect.activations: one image's clean, distorted and corrected maps at a conv layer. */
export const inspectActivations: UseCase<'inspect.activations'> = {
  run: async (input, { session: state }) => {
    const base = state.models.get(input.modelId);
    const corrected =
      input.correctedModelId === undefined ? undefined : state.models.get(input.correctedModelId).model;
    const clean = await readImages(state.datasets.get(input.datasetId), input.split, [input.index]);
    const maps = await activationMaps({
      base: base.model,
      ...(corrected ? { corrected } : {}),
      layer: input.layer,
      image: clean.pixels,
      imageShape: [clean.height, clean.width, clean.channels],
      spec: input.spec,
      seed: input.seed,
      imageId: input.index,
      ...(input.filters ? { filters: input.filters } : {}),
    });
    const prediction = (p: { top: number; probability: number; probabilities: Float32Array }) => ({
      top: p.top,
      probability: p.probability,
      probabilities: Array.from(p.probabilities),
    });
    return {
      layer: maps.layer,
      activation: maps.activation,
      height: maps.height,
      width: maps.width,
      totalFilters: maps.totalFilters,
      filters: maps.filters,
      clean: bytes(maps.clean),
      distorted: bytes(maps.distorted),
      ...(maps.corrected ? { corrected: bytes(maps.corrected) } : {}),
      diffDistorted: bytes(maps.diffDistorted),
      ...(maps.diffCorrected ? { diffCorrected: bytes(maps.diffCorrected) } : {}),
      ...(maps.correctedSource ? { correctedSource: maps.correctedSource } : {}),
      ...(maps.correctedLayer ? { correctedLayer: maps.correctedLayer } : {}),
      stats: maps.stats,
      range: maps.range,
      diffMaxAbs: maps.diffMaxAbs,
      distortedImage: { ...clean, pixels: maps.distortedImage },
      predictions: {
        clean: prediction(maps.predictions.clean),
        distorted: prediction(maps.predictions.distorted),
        ...(maps.predictions.corrected ? { corrected: prediction(maps.predictions.corrected) } : {}),
      },
    };
  },
};
