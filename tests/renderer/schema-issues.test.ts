import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CONTRACT } from '../../shared/bridge/contract.ts';
import { checkDraft, inputBounds, numberRange } from '../../renderer/src/lib/schema-issues.ts';
import { ifGiven, isBlank, wholeIn } from '../../renderer/src/lib/form-number.ts';

const schema = CONTRACT['models.train'].input;
const valid = {
  datasetId: 'd1',
  arch: 'cnn4',
  epochs: 2,
  batchSize: 64,
  seed: 1,
  optimizer: { kind: 'sgd', learningRate: 0.01, momentum: 0.9, nesterov: true },
  schedule: { kind: 'constant' },
  augment: { flip: false, shift: 0 },
  validationFraction: 0.1,
  outDir: '/tmp/out',
};

describe('form drafts checked with the contract’s schemas', () => {
  it('passes a valid draft through as the schema outputs it', () => {
    const checked = checkDraft(schema, valid, {});
    expect(checked.ok).toBe(true);
    expect(checked.input).toEqual(valid);
    expect(checked.first).toBeNull();
  });

  it('says each field’s limit, read off the schema, in the labels’ order', () => {
    const checked = checkDraft(
      schema,
      { ...valid, epochs: '', seed: 2 ** 32, optimizer: { ...valid.optimizer, momentum: 1 } },
      { 'optimizer.momentum': 'Momentum', epochs: 'Epochs', seed: 'The seed' },
    );
    expect(checked.ok).toBe(false);
    expect(checked.fields).toEqual({
      'optimizer.momentum': 'Momentum must be from 0 to 0.999.',
      epochs: 'Epochs must be a whole number from 1 to 500.',
      seed: 'The seed must be a whole number from 0 to 4,294,967,295.',
    });
    expect(checked.first).toBe('Momentum must be from 0 to 0.999.');
  });

  it('uses a form’s own words for an empty field and says what empty means', () => {
    const labels = {
      outDir: { label: 'The output folder', missing: 'Choose an output folder.' },
      trainPerClass: { label: 'Training images per class', empty: 'all' },
      arch: 'The architecture',
    };
    const checked = checkDraft(schema, { ...valid, outDir: '', trainPerClass: 0, arch: 'vgg' }, labels);
    expect(checked.fields).toEqual({
      outDir: 'Choose an output folder.',
      trainPerClass: 'Training images per class must be a whole number, 1 or more (or empty for all).',
      arch: 'The architecture must be one of cnn4, allconv9, resnet8, resnet20.',
    });
    expect(checkDraft(schema, { ...valid, outDir: 'x'.repeat(4097) }, labels).first).toBe(
      'The output folder is too long (4,096 characters at most).',
    );
  });

  it('names an unlabelled field by its path', () => {
    expect(checkDraft(schema, { ...valid, datasetId: '' }, {}).first).toMatch(/^datasetId: /);
    expect(checkDraft(schema, { ...valid, extra: 1 }, {}).first).toMatch(/^The request: /);
  });

  it('describes ranges in words', () => {
    expect(numberRange(z.number().gt(0).max(10))).toBe('more than 0 and at most 10');
    expect(numberRange(z.number().min(0).max(0.5))).toBe('from 0 to 0.5');
    expect(numberRange(z.number().int().max(7))).toBe('a whole number up to 7');
    expect(numberRange(z.number().int().min(1).max(1000))).toBe('a whole number from 1 to 1,000');
    expect(numberRange(z.number())).toBe('a number');
    const levels = checkDraft(CONTRACT['models.evaluate'].input.shape.levels, [], { '': 'The levels' });
    expect(levels.first).toBe('The levels must have from 1 to 20 entries.');
  });
});

describe('form numbers', () => {
  it('leaves out empty optional fields', () => {
    expect(isBlank('')).toBe(true);
    expect(isBlank(null)).toBe(true);
    expect(isBlank(NaN)).toBe(true);
    expect(isBlank(0)).toBe(false);
    expect(ifGiven('perClass', '')).toEqual({});
    expect(ifGiven('perClass', 5)).toEqual({ perClass: 5 });
  });

  it('reads a whole number in a range, or nothing', () => {
    expect(wholeIn('12', 0, 20)).toBe(12);
    expect(wholeIn(3, 0, 2)).toBeNull();
    expect(wholeIn('1.5', 0, 2)).toBeNull();
    expect(wholeIn('', 0, 2)).toBeNull();
    expect(wholeIn(' ', 0, 2)).toBeNull();
  });
});

describe('number inputs bounded by the contract', () => {
  it('reads min and max off the schema at a path', () => {
    const schema = CONTRACT['models.train'].input;
    expect(inputBounds(schema, 'epochs')).toEqual({ min: 1, max: 500 });
    expect(inputBounds(schema, 'optimizer.momentum')).toEqual({ min: 0, max: 0.999 });
    expect(inputBounds(schema, 'trainPerClass')).toEqual({ min: 1 });
    expect(inputBounds(schema, 'seed')).toEqual({ min: 0, max: 0xffffffff });
    expect(inputBounds(schema, 'nothing.here')).toEqual({});
  });
});
