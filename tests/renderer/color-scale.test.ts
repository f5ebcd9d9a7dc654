import { describe, expect, it } from 'vitest';
import {
  DIVERGING_LUT,
  SEQUENTIAL_LUT,
  colorOf,
  divergingRgba,
  extentOf,
  formatScaleValue,
  lutIndex,
  maxAbsOf,
  sequentialRgba,
  symmetricRange,
  ticks,
} from '../../renderer/src/lib/color-scale.ts';
import { planeAt } from '../../renderer/src/lib/float-planes.ts';

const px = (rgba: Uint8ClampedArray, i: number) => Array.from(rgba.subarray(i * 4, i * 4 + 4));

describe('colour scales', () => {
  it('has 256 opaque entries', () => {
    expect(SEQUENTIAL_LUT.length).toBe(1024);
    expect(DIVERGING_LUT.length).toBe(1024);
    for (let i = 0; i < 256; i++) expect(SEQUENTIAL_LUT[i * 4 + 3]).toBe(255);
  });

  it('maps the endpoints of a sequential range to the ends of viridis', () => {
    const rgba = sequentialRgba(new Float32Array([0, 10]), { min: 0, max: 10 });
    expect(px(rgba, 0)).toEqual([68, 1, 84, 255]);
    expect(px(rgba, 1)).toEqual([253, 231, 37, 255]);
  });

  it('clamps values outside the range', () => {
    const rgba = sequentialRgba(new Float32Array([-5, 50]), { min: 0, max: 10 });
    expect(px(rgba, 0)).toEqual([68, 1, 84, 255]);
    expect(px(rgba, 1)).toEqual([253, 231, 37, 255]);
    expect(lutIndex(-1, { min: 0, max: 1 })).toBe(0);
    expect(lutIndex(2, { min: 0, max: 1 })).toBe(255);
  });

  it('puts zero at white in the middle of the diverging scale, blue below, red above', () => {
    const rgba = divergingRgba(new Float32Array([-2, 0, 2]), 2);
    const [r0, , b0] = px(rgba, 0);
    expect(b0).toBeGreaterThan(r0 as number);
    const mid = px(rgba, 1);
    for (const c of mid.slice(0, 3)) expect(c).toBeGreaterThan(250);
    const [r2, , b2] = px(rgba, 2);
    expect(r2).toBeGreaterThan(b2 as number);
    expect(lutIndex(0, symmetricRange(3))).toBe(128);
  });

  it('is monotone in position and handles the midpoint', () => {
    expect(lutIndex(5, { min: 0, max: 10 })).toBe(128);
    expect(colorOf(5, { min: 0, max: 10 }, SEQUENTIAL_LUT)).toEqual(px(SEQUENTIAL_LUT, 128));
  });

  it('paints NaN and infinities transparent', () => {
    const rgba = sequentialRgba(new Float32Array([Number.NaN, Infinity, 1]), { min: 0, max: 1 });
    expect(px(rgba, 0)).toEqual([0, 0, 0, 0]);
    expect(px(rgba, 1)).toEqual([0, 0, 0, 0]);
    expect(px(rgba, 2)[3]).toBe(255);
    expect(lutIndex(Number.NaN, { min: 0, max: 1 })).toBeUndefined();
  });

  it('maps a flat range to the middle colour', () => {
    const rgba = sequentialRgba(new Float32Array([3, 3]), { min: 3, max: 3 });
    expect(px(rgba, 0)).toEqual(px(SEQUENTIAL_LUT, 128));
    expect(symmetricRange(0)).toEqual({ min: -1e-6, max: 1e-6 });
    expect(symmetricRange(-4)).toEqual({ min: -4, max: 4 });
  });
});

describe('planes', () => {
  it('slices filter-major planes and measures them', () => {
    const all = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(planeAt(all, 1, 2, 2))).toEqual([5, 6, 7, 8]);
    expect(extentOf([planeAt(all, 0, 2, 2), undefined, new Float32Array([Number.NaN, -1])])).toEqual({
      min: -1,
      max: 4,
    });
    expect(extentOf([])).toEqual({ min: 0, max: 0 });
    expect(maxAbsOf([new Float32Array([-3, 2]), new Float32Array([1])])).toBe(3);
  });

  it('labels a scale', () => {
    expect(ticks({ min: 0, max: 1 }, 3)).toEqual([0, 0.5, 1]);
    expect(ticks({ min: 2, max: 2 })).toEqual([2]);
    expect(formatScaleValue(0.123456)).toBe('0.123');
    expect(formatScaleValue(0)).toBe('0');
    expect(formatScaleValue(123456)).toBe('1.23e+5');
  });
});
