import { describe, expect, it } from 'vitest';
import { CONTRACT } from '../../shared/bridge/contract.ts';
import { safeFileName } from '../../renderer/src/lib/file-data.ts';
import { levelsFor } from '../../renderer/src/lib/level-choices.ts';
import { checkDraft } from '../../renderer/src/lib/schema-issues.ts';
import {
  defaultOptimizer,
  defaultTrainingMix,
  optimizerDraft,
  trainingMixDraft,
  trainingMixLabels,
  type TrainingMix,
} from '../../renderer/src/lib/training-mix.ts';

/** A correct.train draft of a mix, as the Correction form builds it. */
function unitsProblem(mix: Partial<TrainingMix>, more: Record<string, unknown> = {}): string | null {
  const m = { ...defaultTrainingMix(), ...mix };
  const draft = {
    datasetId: 'd1',
    modelId: 'm1',
    ...trainingMixDraft(m, [1, 2]),
    optimizer: optimizerDraft(m.optimizer),
    layers: ['conv1'],
    beta: 0.5,
    rankMethod: 'proxy',
    outDir: '/tmp/units',
    ...more,
  };
  const labels = {
    beta: 'Beta',
    ...trainingMixLabels(),
    outDir: { label: 'The output folder', missing: 'Choose an output folder.' },
  };
  return checkDraft(CONTRACT['correct.train'].input, draft, labels).first;
}

describe('training mix checks (the contract’s limits)', () => {
  it('resolves presets and typed lists, with the name a study records', () => {
    expect(levelsFor('blur', 'paper-cifar', '')).toEqual({
      values: [0.5, 1, 1.5, 2, 2.5, 3],
      name: 'paper-cifar',
    });
    expect(levelsFor('noise', 'custom', '5, 10')).toEqual({ values: [5, 10], name: '5,10' });
    expect(levelsFor('blur', 'custom', '1, 2,3')).toEqual({ values: [1, 2, 3], name: '1,2,3' });
    expect(levelsFor('blur', 'custom', '')).toHaveProperty('error');
    expect(levelsFor('blur', 'custom', '1,x')).toHaveProperty('error');
    expect(levelsFor('blur', 'custom', '99')).toHaveProperty('error');
    expect(levelsFor('jpeg', 'paper-cifar', '')).toHaveProperty('error');
    expect(levelsFor('blur', 'custom', Array.from({ length: 21 }, () => '1').join(','))).toEqual({
      error: 'The levels must have from 1 to 20 entries.',
    });
  });

  it('checks whole numbers, beta and optional counts', () => {
    expect(unitsProblem({})).toBeNull();
    expect(unitsProblem({ epochs: 0 })).toMatch(/Epochs/);
    expect(unitsProblem({ epochs: 1.5 })).toBe('Epochs must be a whole number from 1 to 500.');
    expect(unitsProblem({ epochs: '' })).not.toBeNull();
    expect(unitsProblem({}, { beta: 1 })).toBeNull();
    expect(unitsProblem({}, { beta: 0 })).toBe('Beta must be more than 0 and at most 1.');
    expect(unitsProblem({}, { beta: 1.2 })).not.toBeNull();
    expect(unitsProblem({}, { beta: '' })).not.toBeNull();
    expect(unitsProblem({ trainPerClass: '' })).toBeNull();
    expect(unitsProblem({ trainPerClass: 0 })).toBe(
      'Training images per class must be a whole number, 1 or more (or empty for all).',
    );
    expect(trainingMixDraft(defaultTrainingMix(), [1])).not.toHaveProperty('trainPerClass');
    expect(trainingMixDraft({ ...defaultTrainingMix(), trainPerClass: 5 }, [1])).toHaveProperty(
      'trainPerClass',
      5,
    );
  });

  it('builds the optimiser input: SGD Nesterov 0.9 at 0.01 by default', () => {
    const sgd = defaultOptimizer();
    expect(unitsProblem({ optimizer: sgd })).toBeNull();
    expect(optimizerDraft(sgd)).toEqual({ kind: 'sgd', learningRate: 0.01, momentum: 0.9, nesterov: true });
    expect(optimizerDraft({ ...sgd, kind: 'adam', learningRate: 0.001 })).toEqual({
      kind: 'adam',
      learningRate: 0.001,
    });
    expect(unitsProblem({ optimizer: { ...sgd, learningRate: 0 } })).toBe(
      'The learning rate must be more than 0 and at most 10.',
    );
    expect(unitsProblem({ optimizer: { ...sgd, momentum: 1 } })).toBe('Momentum must be from 0 to 0.999.');
    expect(unitsProblem({ optimizer: { ...sgd, kind: 'adam', momentum: '' } })).toBeNull();
  });

  it('asks for output folders and makes safe file names', () => {
    expect(unitsProblem({}, { outDir: '' })).toMatch(/Choose/);
    expect(unitsProblem({}, { outDir: '/tmp/x' })).toBeNull();
    expect(safeFileName('a/b:c*?.png')).toBe('a-b-c-.png');
    expect(safeFileName('..\u0001')).toBe('download');
  });
});
