import { describe, expect, it } from 'vitest';
import { formatP, verdict } from '../../shared/stats/verdict.ts';

describe("the report's wording", () => {
  it('says better or worse only where the interval excludes zero', () => {
    expect(verdict({ low: 0.002, high: 0.03 }, 0.004)).toEqual({
      outcome: 'better',
      text: 'better (p = 0.0040)',
    });
    expect(verdict({ low: -0.05, high: -0.01 }, 0.0002)).toEqual({
      outcome: 'worse',
      text: 'worse (p < 0.001)',
    });
    expect(verdict({ low: -0.004, high: 0.02 }, 0.41)).toEqual({
      outcome: 'no significant difference',
      text: 'no significant difference (p = 0.41)',
    });
    // An interval touching zero does not exclude it, whatever the p-value.
    expect(verdict({ low: 0, high: 0.02 }, 0.03).outcome).toBe('no significant difference');
    expect(verdict({ low: -0.02, high: 0 }, 0.03).outcome).toBe('no significant difference');
  });

  it('formats p-values', () => {
    expect(formatP(0.034)).toBe('p = 0.034');
    expect(formatP(0.0386)).toBe('p = 0.039');
    expect(formatP(0.41)).toBe('p = 0.41');
    expect(formatP(0.001)).toBe('p = 0.0010');
    expect(formatP(0.000999)).toBe('p < 0.001');
    expect(formatP(0)).toBe('p < 0.001');
    expect(formatP(1)).toBe('p = 1');
    expect(formatP(0.999)).toBe('p = 1');
    expect(() => formatP(Number.NaN)).toThrow(RangeError);
    expect(() => formatP(1.2)).toThrow(RangeError);
    expect(() => verdict({ low: 1, high: 0 }, 0.5)).toThrow(RangeError);
  });
});
