import { describe, expect, it } from 'vitest';
import { imageByteLength, toRgba, toRgbaThumbnail } from '../../renderer/src/lib/pixels.ts';

describe('toRgba', () => {
  it('spreads grey over R, G and B with opaque alpha', () => {
    const { rgba, width, height } = toRgba(new Uint8Array([0, 128, 255, 7]), 0, 2, 2, 1);
    expect([width, height]).toEqual([2, 2]);
    expect([...rgba]).toEqual([0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255, 7, 7, 7, 255]);
  });

  it('copies RGB and reads the image at an offset in a batch', () => {
    const batch = new Uint8Array([9, 9, 9, 1, 2, 3, 4, 5, 6]);
    const { rgba } = toRgba(batch, 3, 2, 1, 3);
    expect([...rgba]).toEqual([1, 2, 3, 255, 4, 5, 6, 255]);
  });

  it('refuses bytes that run short', () => {
    expect(() => toRgba(new Uint8Array(3), 0, 2, 2, 1)).toThrow(RangeError);
    expect(() => toRgba(new Uint8Array(12), 4, 2, 2, 3)).toThrow(RangeError);
  });

  it('knows how many bytes an image takes', () => {
    expect(imageByteLength(28, 28, 1)).toBe(784);
    expect(imageByteLength(32, 32, 3)).toBe(3072);
  });
});

describe('toRgbaThumbnail', () => {
  it('keeps small images as they are', () => {
    const pixels = new Uint8Array(28 * 28).map((_, i) => i % 256);
    const t = toRgbaThumbnail(pixels, 0, 28, 28, 1, 128);
    expect([t.width, t.height]).toEqual([28, 28]);
    expect(t.rgba[4 * 5]).toBe(5);
  });

  it('box-averages large images down by a whole factor', () => {
    // 4x2 grey: [0 10 | 20 30] over [40 50 | 60 70], halved to 2x1
    const t = toRgbaThumbnail(new Uint8Array([0, 10, 20, 30, 40, 50, 60, 70]), 0, 4, 2, 1, 2);
    expect([t.width, t.height]).toEqual([2, 1]);
    expect([...t.rgba]).toEqual([25, 25, 25, 255, 45, 45, 45, 255]);
  });
});
