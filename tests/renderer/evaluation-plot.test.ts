import { describe, expect, it } from 'vitest';
import {
  conditionIndex,
  linePoints,
  means,
  plotSeries,
  rowShares,
  tableColumns,
  type EvalRunLike,
} from '../../renderer/src/lib/evaluation-plot.ts';

const blur: EvalRunLike = {
  id: 'j1',
  name: 'demo',
  kind: 'blur',
  conditions: [{ top1: 0.9 }, { level: 2, top1: 0.5 }, { level: 1, top1: 0.7 }],
};
const jpeg: EvalRunLike = {
  id: 'j2',
  name: 'demo',
  kind: 'jpeg',
  conditions: [{ top1: 0.9 }, { level: 80, top1: 0.85 }, { level: 30, top1: 0.6 }],
};

describe('evaluation plot', () => {
  it('places clean at the identity value, in condition order', () => {
    expect(plotSeries([blur, jpeg])).toEqual([
      { id: 'j1', name: 'demo', x: [0, 2, 1], y: [0.9, 0.5, 0.7] },
      { id: 'j2', name: 'demo', x: [100, 80, 30], y: [0.9, 0.85, 0.6] },
    ]);
    const [s] = plotSeries([blur]);
    expect(linePoints(s!)).toEqual([
      [0, 0.9, 0],
      [1, 0.7, 2],
      [2, 0.5, 1],
    ]);
  });

  it('orders table columns from mild to severe and finds conditions', () => {
    expect(tableColumns('jpeg', [jpeg])).toEqual([
      { kind: 'clean' },
      { kind: 'level', level: 80 },
      { kind: 'level', level: 30 },
    ]);
    const cols = tableColumns('blur', [blur]);
    expect(cols.map((c) => (c.kind === 'clean' ? 'clean' : c.level))).toEqual(['clean', 1, 2]);
    expect(cols.map((c) => conditionIndex(blur, c))).toEqual([0, 2, 1]);
    expect(conditionIndex(blur, { kind: 'level', level: 3 })).toBe(-1);
  });

  it('computes the paper means and confusion shares', () => {
    const m = means(blur.conditions);
    expect(m.withClean).toBeCloseTo(0.7);
    expect(m.levels).toBeCloseTo(0.6);
    expect(
      rowShares([
        [3, 1],
        [0, 0],
      ]),
    ).toEqual([
      [0.75, 0.25],
      [0, 0],
    ]);
  });

  it('builds 10 series of 7 points quickly', () => {
    const runs: EvalRunLike[] = Array.from({ length: 10 }, (_, i) => ({
      id: `r${i}`,
      name: `m${i}`,
      kind: 'noise',
      conditions: [{ top1: 0.9 }, ...[5, 10, 15, 20, 25, 30].map((level) => ({ level, top1: 0.5 }))],
    }));
    const t0 = performance.now();
    const s = plotSeries(runs);
    s.forEach(linePoints);
    tableColumns('noise', runs);
    expect(performance.now() - t0).toBeLessThan(50);
    expect(s.every((x) => x.x.length === 7)).toBe(true);
  });
});
