import type * as tf from '@tensorflow/tfjs';
import { allconv9 } from './allconv9.ts';
import { cnn4 } from './cnn4.ts';
import { checkBuildOptions, type BuildOptions } from './options.ts';
import { resnet } from './resnet.ts';
import { parseArchitecture, type Architecture } from './architectures.ts';

export type { BuildOptions } from './options.ts';
export { summarize, type ConvLayerSummary, type ModelSummary } from './summary.ts';

export { ARCHITECTURES, isArchitecture, parseArchitecture, type Architecture } from './architectures.ts';

const BUILDERS: Record<Architecture, (options: BuildOptions) => tf.LayersModel> = {
  cnn4,
  allconv9,
  resnet8: (options) => resnet(8, options),
  resnet20: (options) => resnet(20, options),
};

/**
 * Builds an untrained classifier: inputs NHWC pixels scaled to 0..1 (h, w >= 8, 1 or 3 channels),
 * softmax outputs, weights fixed by the seed. Conv layers are named conv1, conv2, ... in forward order.
 */
export function buildModel(arch: Architecture, options: BuildOptions): tf.LayersModel {
  // Callers from plain JavaScript (the bridge, the CLI) may pass any string.
  const checked = parseArchitecture(arch);
  checkBuildOptions(checked, options);
  return BUILDERS[checked](options);
}
