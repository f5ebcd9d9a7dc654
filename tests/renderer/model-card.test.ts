import { describe, expect, it } from 'vitest';
import { describeValue, formatCount, provenanceView } from '../../renderer/src/lib/model-card.ts';

describe('model card provenance', () => {
  it('reads a baseline run', () => {
    const v = provenanceView({
      dataset: '/data/fm',
      seed: 1,
      epochs: 2,
      optimizer: 'sgd, lr 0.01',
      valAccuracy: 0.8123,
      bestEpoch: 2,
      command: 'deepcorrect train',
      history: [
        { epoch: 1, loss: 1, accuracy: 0.5, valAccuracy: 0.7 },
        { epoch: 2, loss: 0.5, accuracy: 0.8, valAccuracy: 0.81 },
        { nope: 1 },
      ],
    });
    expect(v.bestEpoch).toBe(2);
    expect(v.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(v.facts.find((f) => f.label === 'best validation accuracy')?.value).toBe('81.23%');
    expect(v.facts[0]).toEqual({ label: 'training command', value: 'deepcorrect train' });
    expect(v.correction).toBeUndefined();
  });

  it('reads a corrected and a fine-tuned model', () => {
    const c = provenanceView({
      correction: {
        baseModel: '/m/base',
        baseArch: 'cnn4',
        layers: ['conv1', 'conv2'],
        beta: 0.75,
        placement: 'post-activation',
        plan: [{ layer: 'conv1', filters: [3, 1, 2], kernel: 5 }],
        trainableParameters: 12345,
      },
    });
    expect(c.correction).toContainEqual({ label: 'corrected layers', value: 'conv1, conv2' });
    expect(c.correction).toContainEqual({ label: 'plan', value: 'conv1: 3 filters (5x5 unit)' });
    expect(c.correction).toContainEqual({ label: 'trainable parameters', value: '12,345' });
    const f = provenanceView({
      fineTune: { baseModel: '/m/base', layers: 'first:2', trainableParameters: 10 },
    });
    expect(f.fineTune).toContainEqual({ label: 'trained layers', value: 'first:2' });
  });

  it('says why a run stopped and which images it validated on', () => {
    const fact = (provenance: unknown, label: string): string | undefined =>
      provenanceView(provenance).facts.find((f) => f.label === label)?.value;
    const trained = {
      patience: 5,
      stop: { reason: 'early stop', epoch: 12, epochs: 30, patience: 5, bestEpoch: 7 },
      validationSplit: { source: 'train hold-out', seed: 1, fraction: 0.1, images: 1000 },
    };
    expect(fact(trained, 'stopped')).toBe('early stop at epoch 12 of 30 (patience 5, best epoch 7)');
    expect(fact(trained, 'patience (epochs without improvement)')).toBe('5');
    expect(fact(trained, 'held-out validation images')).toBe(
      '1,000 of the train split (seed 1, fraction 0.1)',
    );
    expect(fact({ validationSplit: { source: 'val split' } }, 'held-out validation images')).toBe(
      "the dataset's val split",
    );
    const tuned = { stop: { reason: 'budget', epoch: 30, epochs: 30, patience: 5, bestEpoch: 28 } };
    expect(fact(tuned, 'stopped')).toBe('budget of 30 epochs used (best epoch 28)');
    expect(fact({ validation: 'base held-out' }, 'validated on')).toBe('base held-out');
    // Malformed records still show, as plain values.
    expect(fact({ stop: { reason: 'early stop' } }, 'stopped')).toBe('reason early stop');
  });

  it('tolerates anything', () => {
    expect(provenanceView(undefined)).toEqual({ facts: [], history: [] });
    expect(provenanceView([1, 2])).toEqual({ facts: [], history: [] });
    expect(describeValue({ kind: 'blur', levels: [1, 2] })).toBe('kind blur, levels 1, 2');
    expect(formatCount(1234567)).toBe('1,234,567');
  });
});
