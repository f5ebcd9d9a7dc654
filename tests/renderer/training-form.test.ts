import { describe, expect, it } from 'vitest';
import {
  betaProblem,
  defaultOptimizer,
  folderProblem,
  levelsFor,
  optimizerInput,
  optimizerProblem,
  optionalValue,
  optionalWholeProblem,
  wholeProblem,
} from '../../renderer/src/lib/trainingForm.ts';
import { safeFileName } from '../../renderer/src/lib/fileData.ts';

describe('training form checks (the contract’s limits)', () => {
  it('resolves presets and typed lists, with the name a study records', () => {
    expect(levelsFor('blur', 'paper-cifar', '')).toEqual({
      values: [0.5, 1, 1.5, 2, 2.5, 3],
      name: 'paper-cifar',
    });
    expect(levelsFor('blur', 'custom', '1, 2,3')).toEqual({ values: [1, 2, 3], name: '1,2,3' });
    expect(levelsFor('blur', 'custom', '')).toHaveProperty('error');
    expect(levelsFor('blur', 'custom', '1,x')).toHaveProperty('error');
    expect(levelsFor('jpeg', 'paper-cifar', '')).toHaveProperty('error');
    expect(levelsFor('blur', 'custom', Array.from({ length: 21 }, () => '1').join(','))).toHaveProperty(
      'error',
    );
  });

  it('checks whole numbers, beta and optional counts', () => {
    expect(wholeProblem('Epochs', 1, 1, 500)).toBeNull();
    expect(wholeProblem('Epochs', 0, 1, 500)).toMatch(/Epochs/);
    expect(wholeProblem('Epochs', 1.5, 1, 500)).not.toBeNull();
    expect(wholeProblem('Epochs', '', 1, 500)).not.toBeNull();
    expect(betaProblem(0.5)).toBeNull();
    expect(betaProblem(1)).toBeNull();
    expect(betaProblem(0)).not.toBeNull();
    expect(betaProblem(1.2)).not.toBeNull();
    expect(betaProblem('')).not.toBeNull();
    expect(optionalWholeProblem('Train per class', '')).toBeNull();
    expect(optionalWholeProblem('Train per class', 0)).not.toBeNull();
    expect(optionalValue('')).toBeUndefined();
    expect(optionalValue(5)).toBe(5);
  });

  it('builds the optimiser input: SGD Nesterov 0.9 at 0.01 by default', () => {
    const sgd = defaultOptimizer();
    expect(optimizerProblem(sgd)).toBeNull();
    expect(optimizerInput(sgd)).toEqual({ kind: 'sgd', learningRate: 0.01, momentum: 0.9, nesterov: true });
    expect(optimizerInput({ ...sgd, kind: 'adam', learningRate: 0.001 })).toEqual({
      kind: 'adam',
      learningRate: 0.001,
    });
    expect(optimizerProblem({ ...sgd, learningRate: 0 })).not.toBeNull();
    expect(optimizerProblem({ ...sgd, momentum: 1 })).not.toBeNull();
    expect(optimizerProblem({ ...sgd, kind: 'adam', momentum: '' })).toBeNull();
  });

  it('asks for output folders and makes safe file names', () => {
    expect(folderProblem('an output folder', ' ')).toMatch(/Choose/);
    expect(folderProblem('an output folder', '/tmp/x')).toBeNull();
    expect(safeFileName('a/b:c*?.png')).toBe('a-b-c-.png');
    expect(safeFileName('..\u0001')).toBe('download');
  });
});
