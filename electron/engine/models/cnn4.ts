import * as tf from '@tensorflow/tfjs';

export interface Cnn4Options {
  inputShape: [number, number, number];
  classes: number;
  seed?: number;
}

/**
 * The reference model of the benchmarks (facts.md): two conv-conv-pool stages (32 then 64
 * filters, 3x3, same padding, ReLU), dense 128 ReLU and a softmax classifier.
 */
export function cnn4({ inputShape, classes, seed = 1 }: Cnn4Options): tf.Sequential {
  const init = (offset: number) => tf.initializers.glorotUniform({ seed: seed * 101 + offset });
  const model = tf.sequential({ name: 'cnn4' });
  const filters = [32, 32, 64, 64];
  filters.forEach((count, i) => {
    model.add(
      tf.layers.conv2d({
        ...(i === 0 ? { inputShape } : {}),
        filters: count,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(i + 1),
        name: `conv${i + 1}`,
      }),
    );
    if (i % 2 === 1) model.add(tf.layers.maxPooling2d({ poolSize: 2, name: `pool${(i + 1) / 2}` }));
  });
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init(5), name: 'fc1' }));
  model.add(
    tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: init(6), name: 'fc2' }),
  );
  return model;
}
