import { describe, expect, it } from 'vitest';
import { correctedCount as engineCount } from '../../electron/engine/correct/plan.ts';
import { unitParameters as engineUnit } from '../../electron/engine/correct/unit.ts';
import {
  baseConvLayers,
  correctedCount,
  shareText,
  unitKernel,
  unitParameters,
  unitPlan,
} from '../../renderer/src/lib/unit-parameters.ts';

const CNN4 = [
  { name: 'conv1', filters: 32 },
  { name: 'conv2', filters: 32 },
  { name: 'conv3', filters: 64 },
  { name: 'conv4', filters: 64 },
];

describe('unit parameters (the Correction view’s live figure)', () => {
  it('matches the engine’s figure for cnn4 conv1+conv2 at beta 0.5: 18,752', () => {
    const plan = unitPlan(CNN4, ['conv1', 'conv2'], 0.5);
    expect(plan.total).toBe(18_752);
    expect(plan.rows.map((r) => [r.layer, r.corrected, r.kernel])).toEqual([
      ['conv1', 16, 5],
      ['conv2', 16, 3],
    ]);
  });

  it('counts conv1 alone at beta 0.25 (8 filters, 5x5 unit)', () => {
    expect(unitPlan(CNN4, ['conv1'], 0.25).total).toBe(3408);
  });

  it('uses the 5x5 kernel only for the model’s first conv layer, whatever is chosen', () => {
    expect(unitPlan(CNN4, ['conv3'], 0.5).rows[0]?.kernel).toBe(3);
    expect(unitKernel(0)).toBe(5);
    expect(unitKernel(2)).toBe(3);
    // Layers come out in the model's order, not the order chosen.
    expect(unitPlan(CNN4, ['conv4', 'conv2'], 1).rows.map((r) => r.layer)).toEqual(['conv2', 'conv4']);
  });

  it('agrees with the engine’s formulas for every width, kernel and beta', () => {
    for (const d of [1, 2, 7, 16, 64, 512])
      for (const k of [1, 3, 5]) expect(unitParameters(d, k)).toBe(engineUnit(d, k));
    for (const n of [1, 3, 10, 32, 64, 512])
      for (const beta of [0.01, 0.1, 0.25, 0.33, 0.5, 0.75, 0.999, 1])
        expect(correctedCount(beta, n)).toBe(engineCount(beta, n));
  });

  it('refuses a beta outside (0, 1] and an unknown layer', () => {
    expect(() => correctedCount(0, 32)).toThrow(RangeError);
    expect(() => correctedCount(1.01, 32)).toThrow(RangeError);
    expect(() => unitPlan(CNN4, ['fc'], 0.5)).toThrow(/not a conv layer/);
  });

  it('leaves out the layers of an earlier correction', () => {
    const convs = [...CNN4.slice(0, 1), { name: 'dc_conv1_in', filters: 16 }, ...CNN4.slice(1)];
    expect(baseConvLayers(convs).map((c) => c.name)).toEqual(['conv1', 'conv2', 'conv3', 'conv4']);
    expect(unitPlan(convs, ['conv1', 'conv2'], 0.5).total).toBe(18_752);
  });

  it('writes a share of fine-tuning’s parameters', () => {
    expect(shareText(18_752, 467_818)).toBe('4.01%');
    expect(shareText(1, 0)).toBe('–');
  });
});
