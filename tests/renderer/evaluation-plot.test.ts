import { describe, expect, it } from 'vitest';
import {
  conditionIndex,
  groupByLevels,
  levelGroupTitle,
  linePoints,
  means,
  plotSeries,
  rowShares,
  tableColumns,
  unionX,
  type EvalRunLike,
} from '../../renderer/src/lib/evaluation-plot.ts';
import { levelsPreset } from '../../shared/job-title.ts';

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

  // The first session's case: the model card's severity run (no 2.5) beside a paper-cifar run of the same model.
  const severity: EvalRunLike = {
    id: 'card',
    name: 'demo',
    kind: 'blur',
    conditions: [0, 0.5, 1, 1.5, 2, 3].map((l, i) => ({
      ...(i === 0 ? {} : { level: l }),
      top1: 0.9 - l / 5,
    })),
  };
  const cifar: EvalRunLike = {
    id: 'form',
    name: 'demo',
    kind: 'blur',
    conditions: [0, 0.5, 1, 1.5, 2, 2.5, 3].map((l, i) => ({
      ...(i === 0 ? {} : { level: l }),
      top1: 0.89 - l / 5,
    })),
  };

  it('never puts runs of different levels in one table, and names each set of levels', () => {
    const groups = groupByLevels([severity, cifar, { ...severity, id: 'card2' }]);
    expect(groups.map((g) => g.levels)).toEqual([
      [0.5, 1, 1.5, 2, 3],
      [0.5, 1, 1.5, 2, 2.5, 3],
    ]);
    expect(groups.map((g) => g.runs.map((r) => r.id))).toEqual([['card', 'card2'], ['form']]);
    expect(levelsPreset('blur', [3, 2, 1.5, 1, 0.5])).toBe('severity');
    expect(levelsPreset('blur', [0.5, 1, 1.5, 2, 2.5, 3])).toBe('paper-cifar');
    expect(levelsPreset('blur', [1, 2, 3])).toBeUndefined();
    expect(levelGroupTitle('blur', [0.5, 1, 1.5, 2, 2.5, 3])).toBe(
      'paper-cifar, 6 levels: 0.5, 1, 1.5, 2, 2.5, 3',
    );
    expect(levelGroupTitle('jpeg', [30, 80])).toBe('2 levels: 80, 30');
  });

  it('leaves a gap where a run did not measure a level inside its range', () => {
    const [a, b] = plotSeries([severity, cifar]);
    const all = unionX([a!, b!]);
    expect(all).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3]);
    const pts = linePoints(a!, all);
    expect(pts.map((p) => p[0])).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3]);
    expect(pts[5]).toEqual([2.5, null, -1]);
    expect(pts.filter((p) => p[1] === null)).toHaveLength(1);
    // The complete run has no gap, and a level outside a run's own range adds none.
    expect(linePoints(b!, all).some((p) => p[1] === null)).toBe(false);
    expect(linePoints(plotSeries([blur])[0]!, [0, 1, 2, 3]).some((p) => p[1] === null)).toBe(false);
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
    const all = unionX(s);
    s.forEach((x) => linePoints(x, all));
    tableColumns('noise', runs);
    expect(performance.now() - t0).toBeLessThan(50);
    expect(s.every((x) => x.x.length === 7)).toBe(true);
  });
});
