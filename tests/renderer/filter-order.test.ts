import { describe, expect, it } from 'vitest';
import { filterOrder, stepPosition } from '../../renderer/src/lib/filter-order.ts';

describe('filter order', () => {
  it('steps with the arrow keys, Home and End', () => {
    expect(stepPosition('ArrowRight', 0, 3)).toBe(1);
    expect(stepPosition('ArrowDown', 2, 3)).toBe(2);
    expect(stepPosition('ArrowLeft', 0, 3)).toBe(0);
    expect(stepPosition('ArrowUp', 2, 3)).toBe(1);
    expect(stepPosition('Home', 2, 3)).toBe(0);
    expect(stepPosition('End', 0, 3)).toBe(2);
    expect(stepPosition('a', 0, 3)).toBeUndefined();
    expect(stepPosition('End', 0, 0)).toBeUndefined();
  });

  it('uses a ranking that is a permutation, else index order', () => {
    expect(filterOrder(3, [2, 0, 1])).toEqual({ order: [2, 0, 1], ranked: true });
    expect(filterOrder(3, undefined)).toEqual({ order: [0, 1, 2], ranked: false });
    expect(filterOrder(3, [2, 0])).toEqual({ order: [0, 1, 2], ranked: false });
    expect(filterOrder(3, [2, 2, 1])).toEqual({ order: [0, 1, 2], ranked: false });
  });
});
