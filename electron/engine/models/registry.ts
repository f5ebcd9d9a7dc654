import type * as tf from '@tensorflow/tfjs';
import { allconv9 } from './allconv9.ts';
import { cnn4 } from './cnn4.ts';
import { checkBuildOptions, type BuildOptions } from './options.ts';
import { resnet } from './resnet.ts';

export type { BuildOptions } from './options.ts';
export { summarize, type ConvLayerSummary, type ModelSummary } from './summary.ts';

export const ARCHITECTURES = ['cnn4', 'allconv9', 'resnet8', 'resnet20'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

const BUILDERS: Record<Architecture, (options: BuildOptions) => tf.LayersModel> = {
  cnn4,
  allconv9,
  resnet8: (options) => resnet(8, options),
  resnet20: (options) => resnet(20, options),
};

export function isArchitecture(name: string): name is Architecture {
  return (ARCHITECTURES as readonly string[]).includes(name);
}

/** Validates a user-given architecture name (from --arch or the UI), with an error listing the valid ones. */
export function parseArchitecture(name: string): Architecture {
  const arch = name.trim().toLowerCase();
  if (!isArchitecture(arch)) {
    throw new Error(`unknown architecture "${name}"; choose one of: ${ARCHITECTURES.join(', ')}`);
  }
  return arch;
}

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
