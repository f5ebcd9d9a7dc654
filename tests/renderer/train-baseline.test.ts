import { describe, expect, it } from 'vitest';
import { CONTRACT } from '../../shared/bridge/contract.ts';
import {
  defaultTrainForm,
  trainCurves,
  trainFormProblem,
  trainInput,
} from '../../renderer/src/lib/train-baseline.ts';

const valid = { ...defaultTrainForm(), outDir: '/tmp/out' };

describe('train baseline form', () => {
  it('asks for an output folder and a dataset', () => {
    expect(trainFormProblem(defaultTrainForm(), 'd1')).toMatch(/output folder/);
    expect(trainFormProblem(valid, null)).toMatch(/dataset/);
    expect(trainFormProblem(valid, 'd1')).toBeNull();
  });

  it("starts from deepcorrect train's defaults: Adam 0.001, step schedule, 30 epochs with patience 5", () => {
    const input = trainInput(valid, 'd1');
    expect(input.optimizer).toEqual({ kind: 'adam', learningRate: 0.001 });
    expect(input.schedule).toEqual({ kind: 'step', every: 10, factor: 0.1 });
    expect(input.epochs).toBe(30);
    expect(input.patience).toBe(5);
    expect(input.augment).toEqual({ flip: true, shift: 2 });
    expect(input.batchSize).toBe(128);
  });

  it('applies the contract limits', () => {
    expect(trainFormProblem({ ...valid, patience: -1 }, 'd')).toMatch(/Patience/);
    expect(trainFormProblem({ ...valid, patience: 0 }, 'd')).toBeNull();
    expect(trainFormProblem({ ...valid, epochs: 0 }, 'd')).toMatch(/Epochs/);
    expect(trainFormProblem({ ...valid, epochs: 501 }, 'd')).toMatch(/Epochs/);
    expect(trainFormProblem({ ...valid, batchSize: 4097 }, 'd')).toMatch(/Batch/);
    expect(trainFormProblem({ ...valid, learningRate: 0 }, 'd')).toMatch(/learning rate/);
    expect(trainFormProblem({ ...valid, optimizer: 'sgd', momentum: 1 }, 'd')).toMatch(/Momentum/);
    expect(trainFormProblem({ ...valid, optimizer: 'adam', momentum: 1 }, 'd')).toBeNull();
    expect(trainFormProblem({ ...valid, schedule: 'step', stepFactor: 0 }, 'd')).toMatch(/factor/);
    expect(trainFormProblem({ ...valid, schedule: 'step', stepEvery: 0.5 }, 'd')).toMatch(/every/);
    expect(trainFormProblem({ ...valid, shift: 17 }, 'd')).toMatch(/shift/);
    expect(trainFormProblem({ ...valid, validationFraction: 0.6 }, 'd')).toMatch(/validation/);
    expect(trainFormProblem({ ...valid, trainPerClass: 0 }, 'd')).toMatch(/per class/);
    expect(trainFormProblem({ ...valid, trainPerClass: null }, 'd')).toBeNull();
    expect(trainFormProblem({ ...valid, trainPerClass: NaN }, 'd')).toBeNull();
    expect(trainFormProblem({ ...valid, seed: -1 }, 'd')).toMatch(/seed/);
  });

  it('builds an input the contract accepts', () => {
    const schema = CONTRACT['models.train'].input;
    const sgd = trainInput({ ...valid, optimizer: 'sgd', learningRate: 0.01, schedule: 'step' }, 'd1');
    expect(schema.safeParse(sgd).success).toBe(true);
    expect(sgd.schedule).toEqual({ kind: 'step', every: 10, factor: 0.1 });
    expect(sgd.trainPerClass).toBe(200);
    expect(sgd.optimizer).toEqual({ kind: 'sgd', learningRate: 0.01, momentum: 0.9, nesterov: true });
    const adam = trainInput({ ...valid, optimizer: 'adam', trainPerClass: null, schedule: 'cosine' }, 'd1');
    expect(schema.safeParse(adam).success).toBe(true);
    expect(adam.optimizer).toEqual({ kind: 'adam', learningRate: 0.001 });
    expect('trainPerClass' in adam).toBe(false);
  });

  it('draws curves from progress metrics', () => {
    const c = trainCurves([
      { fraction: 0.1, metrics: { epoch: 1, loss: 2, accuracy: 0.2, imagesPerSecond: 100 } },
      { fraction: 0.5, metrics: { epoch: 1, loss: 1, accuracy: 0.5, imagesPerSecond: 120 } },
      {
        fraction: 0.6,
        metrics: { epoch: 2, loss: 0.9, accuracy: 0.6, valAccuracy: 0.55, imagesPerSecond: 130 },
      },
      { fraction: 0.7, metrics: { epoch: 2, loss: 0.8, accuracy: 0.62, valAccuracy: 0.55 } },
    ]);
    expect(c.loss).toEqual([
      [10, 2],
      [50, 1],
      [60, 0.9],
      [70, 0.8],
    ]);
    expect(c.accuracy.length).toBe(4);
    expect(c.valAccuracy).toEqual([[60, 0.55]]);
    expect(c.latest).toEqual({ epoch: 2, loss: 0.8, accuracy: 0.62, valAccuracy: 0.55 });
    expect(trainCurves([]).latest).toBeUndefined();
  });
});
