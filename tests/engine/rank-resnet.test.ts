import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import { buildModel, summarize } from '../../electron/engine/models/registry.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import { splitModel } from '../../electron/engine/rank/graph.ts';
import { rankFilters } from '../../electron/engine/rank/rank-filters.ts';
import { demoDatasetDir } from '../../electron/engine/resources.ts';
import { swapStack } from '../../electron/engine/rank/swap.ts';

describe('cutting a ResNet at a conv layer', () => {
  let model: tf.LayersModel;
  beforeAll(async () => {
    await selectBackend({ forced: 'wasm' });
    model = buildModel('resnet8', { inputShape: [16, 16, 3], classes: 5, seed: 4 });
  });
  afterAll(() => model.dispose());

  it('feeds the block input to a tail cut inside a block, and the tail reproduces the model', () => {
    const before = tf.memory().numTensors;
    const convs = summarize(model).convLayers;
    const contexts: Record<string, string[]> = {};
    for (const conv of convs) {
      const cut = splitModel(model, conv.activation);
      contexts[conv.activation] = cut.context.map((c) => c.sourceLayer.name);
      const [diff, swappedDiff] = tf.tidy(() => {
        const x = tf.randomUniform([6, 16, 16, 3], 0, 1, 'float32', 7);
        const y = tf.randomUniform([6, 16, 16, 3], 0, 1, 'float32', 8);
        const [a, ...context] = cut.head(x);
        const [b] = cut.head(y);
        const reference = model.predict(x) as tf.Tensor;
        const direct = cut.tail(a as tf.Tensor, context);
        // Swapping nothing, twice stacked: each copy is the unswapped output.
        const none = new Array<number>(conv.filters).fill(0);
        const stacked = cut.tail(
          swapStack(b as tf.Tensor, a as tf.Tensor, [none, none]),
          context.map((c) => tf.concat([c, c])),
        );
        return [
          direct.sub(reference).abs().max().dataSync()[0],
          stacked
            .sub(tf.concat([reference, reference]))
            .abs()
            .max()
            .dataSync()[0],
        ];
      });
      expect(diff).toBeLessThan(1e-6);
      expect(swappedDiff).toBeLessThan(1e-6);
    }
    // The stem and block outputs need nothing else; a block's first conv needs its shortcut branch.
    expect(contexts.relu1).toEqual([]);
    expect(contexts.relu2).toEqual(['relu1']);
    expect(contexts.relu3).toEqual([]);
    // Stage 2 opens with a projection shortcut: its output, computed once by the head, is what the tail needs.
    expect(contexts.relu4).toEqual(['shortcut2_bn']);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('ranks the filters of a conv inside a residual block', async () => {
    const gray = buildModel('resnet8', { inputShape: [28, 28, 1], classes: 10, seed: 4 });
    const dataset = await openDataset(demoDatasetDir());
    try {
      const before = tf.memory().numTensors;
      const result = await rankFilters({
        model: gray,
        dataset,
        layers: ['conv2'],
        spec: { kind: 'blur' },
        levels: [2],
        seed: 1,
        perClass: 1,
        method: 'both',
        batchRows: 64,
      });
      expect(tf.memory().numTensors).toBe(before);
      const [layer] = result.layers;
      expect(layer?.activation).toBe('relu2');
      expect(layer?.errors?.perFilter).toHaveLength(16);
      expect([...(layer?.order ?? [])].sort((a, b) => a - b)).toEqual([...Array(16).keys()]);
    } finally {
      gray.dispose();
      await dataset.close();
    }
  });
});
