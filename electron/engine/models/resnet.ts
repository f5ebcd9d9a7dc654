import * as tf from '@tensorflow/tfjs';
import { batchNorm, glorotUniform, heNormal } from './init.ts';
import type { BuildOptions } from './options.ts';

export type ResNetDepth = 8 | 20;

const STAGE_FILTERS = [16, 32, 64] as const;

/**
 * The CIFAR ResNet of He et al. (2016, section 4.2): a 3x3 16-filter conv-BN-ReLU stem, three stages of
 * n basic blocks (16, 32, 64 filters; depth = 6n + 2), stride 2 at the first block of stages 2 and 3
 * with a 1x1 conv + BN projection shortcut there (option B), global average pooling and a dense softmax.
 *
 * Naming, so ranking code can address layers: main-path convs are conv1..conv<6n+1> in forward order,
 * each followed by bn<k>; relu<k> is conv k's post-activation map (for a block's second conv, the ReLU
 * after the residual add, add<k>). Projection shortcuts are shortcut<stage> with shortcut<stage>_bn and
 * are not numbered: they are not part of the depth.
 */
export function resnet(depth: ResNetDepth, { inputShape, classes, seed = 1 }: BuildOptions): tf.LayersModel {
  const blocks = (depth - 2) / 6;
  let layer = 0;
  const conv = (x: tf.SymbolicTensor, filters: number, kernel: number, stride: number, name: string) =>
    tf.layers
      .conv2d({
        filters,
        kernelSize: kernel,
        strides: stride,
        padding: 'same',
        useBias: false,
        kernelInitializer: heNormal(seed, ++layer),
        name,
      })
      .apply(x) as tf.SymbolicTensor;
  const bn = (x: tf.SymbolicTensor, name: string) => batchNorm(name).apply(x) as tf.SymbolicTensor;
  const relu = (x: tf.SymbolicTensor, name: string) =>
    tf.layers.activation({ activation: 'relu', name }).apply(x) as tf.SymbolicTensor;

  const input = tf.input({ shape: inputShape, name: 'input' });
  let x = relu(bn(conv(input, 16, 3, 1, 'conv1'), 'bn1'), 'relu1');
  let k = 1;
  STAGE_FILTERS.forEach((filters, s) => {
    for (let b = 0; b < blocks; b++) {
      const stride = s > 0 && b === 0 ? 2 : 1;
      const first = ++k;
      const second = ++k;
      let y = relu(bn(conv(x, filters, 3, stride, `conv${first}`), `bn${first}`), `relu${first}`);
      y = bn(conv(y, filters, 3, 1, `conv${second}`), `bn${second}`);
      const channels = x.shape[3];
      const shortcut =
        stride === 1 && channels === filters
          ? x
          : bn(conv(x, filters, 1, stride, `shortcut${s + 1}`), `shortcut${s + 1}_bn`);
      const sum = tf.layers.add({ name: `add${second}` }).apply([y, shortcut]) as tf.SymbolicTensor;
      x = relu(sum, `relu${second}`);
    }
  });
  const pooled = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tf.SymbolicTensor;
  const output = tf.layers
    .dense({
      units: classes,
      activation: 'softmax',
      kernelInitializer: glorotUniform(seed, ++layer),
      name: 'fc',
    })
    .apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: `resnet${depth}` });
}
