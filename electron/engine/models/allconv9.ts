import * as tf from '@tensorflow/tfjs';
import { batchNorm, glorotUniform, heNormal } from './init.ts';
import type { BuildOptions } from './options.ts';

export interface AllConv9Options extends BuildOptions {
  /** Multiplies the width of every hidden conv layer (default 1: 96 and 192 filters). */
  width?: number;
}

/** The hidden conv layers: [filters, kernel, stride]. Downsampling is by strided conv, not pooling. */
const HIDDEN: readonly (readonly [number, number, number])[] = [
  [96, 3, 1],
  [96, 3, 1],
  [96, 3, 2],
  [192, 3, 1],
  [192, 3, 1],
  [192, 3, 2],
  [192, 3, 1],
  [192, 1, 1],
];

/**
 * The nine-conv all-convolutional network the DeepCorrect authors used on CIFAR (after Springenberg et
 * al.'s All-CNN-C): eight conv-BN-ReLU blocks, then a 1x1 conv to one map per class, global average
 * pooling and softmax. Layer i is named conv<i>, its batch norm bn<i>, its post-activation map relu<i>.
 * Same padding throughout, so any input of at least 8x8 works.
 */
export function allconv9({ inputShape, classes, seed = 1, width = 1 }: AllConv9Options): tf.Sequential {
  if (!(width > 0)) throw new RangeError(`allconv9: width must be positive, got ${width}`);
  const model = tf.sequential({ name: 'allconv9' });
  HIDDEN.forEach(([filters, kernel, stride], i) => {
    const n = i + 1;
    model.add(
      tf.layers.conv2d({
        ...(i === 0 ? { inputShape } : {}),
        filters: Math.max(1, Math.round(filters * width)),
        kernelSize: kernel,
        strides: stride,
        padding: 'same',
        // The batch norm's offset makes a conv bias redundant.
        useBias: false,
        kernelInitializer: heNormal(seed, n),
        name: `conv${n}`,
      }),
    );
    model.add(batchNorm(`bn${n}`));
    model.add(tf.layers.activation({ activation: 'relu', name: `relu${n}` }));
  });
  model.add(
    tf.layers.conv2d({
      filters: classes,
      kernelSize: 1,
      padding: 'same',
      kernelInitializer: glorotUniform(seed, 9),
      name: 'conv9',
    }),
  );
  model.add(tf.layers.globalAveragePooling2d({ name: 'pool' }));
  model.add(tf.layers.activation({ activation: 'softmax', name: 'softmax' }));
  return model;
}
