import { describe, expect, it } from 'vitest';
import { inspectRequest, type InspectDraft } from '../../renderer/src/views/inspector/use-inspector-form.ts';

const draft = (over: Partial<InspectDraft> = {}): InspectDraft => ({
  modelId: 'm1',
  correctedId: '',
  split: 'test',
  index: 3,
  kind: 'blur',
  level: 2,
  seed: 7,
  layer: 'conv1',
  scale: 'filter',
  ...over,
});

describe("the Inspector's form", () => {
  it('builds the request, with the corrected model only when one is chosen', () => {
    expect(inspectRequest(draft(), 'd1', 10)).toEqual({
      modelId: 'm1',
      datasetId: 'd1',
      split: 'test',
      index: 3,
      layer: 'conv1',
      spec: { kind: 'blur', level: 2 },
      seed: 7,
    });
    expect(inspectRequest(draft({ correctedId: 'm2' }), 'd1', 10)).toMatchObject({ correctedModelId: 'm2' });
  });

  it('says the first problem, in the order of the form, with the limits of the contract and the split', () => {
    expect(inspectRequest(draft({ modelId: '' }), '', 10)).toBe('Open a dataset first.');
    expect(inspectRequest(draft({ modelId: '', seed: -1 }), 'd1', 10)).toBe('Choose a model.');
    expect(inspectRequest(draft({ layer: '' }), 'd1', 10)).toBe('The model has no conv layer to inspect.');
    expect(inspectRequest(draft({ index: 10 }), 'd1', 10)).toBe(
      'Image index must be a whole number from 0 to 9.',
    );
    expect(inspectRequest(draft({ index: 1.5 }), 'd1', 10)).toBe(
      'Image index must be a whole number from 0 to 9.',
    );
    expect(inspectRequest(draft({ seed: 2 ** 32 }), 'd1', 10)).toBe(
      'Seed must be a whole number from 0 to 4,294,967,295.',
    );
    expect(inspectRequest(draft({ level: 30 }), 'd1', 10)).toMatch(/^blur level 30 is outside 0\.\.20/);
    expect(inspectRequest(draft({ correctedId: 'm1' }), 'd1', 10)).toBe(
      'The corrected model must differ from the base model.',
    );
  });
});
