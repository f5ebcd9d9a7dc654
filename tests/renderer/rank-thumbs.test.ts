import { describe, expect, it } from 'vitest';
import { experimentPlot, parseFractions } from '../../renderer/src/lib/oracle-experiment.ts';
import { pairRange, planeToRgba } from '../../renderer/src/lib/rank-thumbs.ts';

describe('activation planes', () => {
  it('a pair shares one range and paints greyscale over it', () => {
    // two filters of 2x1 maps
    const clean = new Float32Array([0, 1, 10, 20]);
    const distorted = new Float32Array([2, 4, 10, 10]);
    const range = pairRange(clean, distorted, 0, 2);
    expect(range).toEqual({ min: 0, max: 4 });
    expect([...planeToRgba(clean, 0, 2, range)]).toEqual([0, 0, 0, 255, 64, 64, 64, 255]);
    expect([...planeToRgba(distorted, 0, 2, range)]).toEqual([128, 128, 128, 255, 255, 255, 255, 255]);
    expect(pairRange(clean, distorted, 1, 2)).toEqual({ min: 10, max: 20 });
    const flat = { min: 3, max: 3 };
    expect([...planeToRgba(new Float32Array([3, 3]), 0, 2, flat)].slice(0, 4)).toEqual([0, 0, 0, 255]);
  });
});

describe('the oracle experiment plot', () => {
  it('starts each layer at the uncorrected baseline, fractions in order', () => {
    const plot = experimentPlot({
      clean: 0.9,
      baselineMeanLevels: 0.4,
      layers: [
        {
          layer: 'conv1',
          fractions: [
            { fraction: 0.5, corrected: 8, meanLevels: 0.7 },
            { fraction: 0.1, corrected: 2, meanLevels: 0.5 },
          ],
        },
      ],
    });
    expect(plot).toEqual({
      clean: 0.9,
      baseline: 0.4,
      series: [
        {
          layer: 'conv1',
          points: [
            [0, 0.4],
            [0.1, 0.5],
            [0.5, 0.7],
          ],
        },
      ],
    });
  });

  it('parses the fractions box', () => {
    expect(parseFractions('')).toEqual({});
    expect(parseFractions('0.1, 0.5,1')).toEqual({ values: [0.1, 0.5, 1] });
    expect(parseFractions('0')).toHaveProperty('error');
    expect(parseFractions('0.2,,0.3')).toHaveProperty('error');
  });
});
