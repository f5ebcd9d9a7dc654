import { describe, expect, it } from 'vitest';
import { onlyOne, sliderRange } from '../../renderer/src/lib/slider-range.ts';
import { DISTORTION_KINDS, DISTORTIONS } from '../../shared/distortions.ts';

describe('distortion sliders', () => {
  it("stop a pixel-sized distortion where a 28x28 image is gone, keeping the paper's levels", () => {
    const blur = sliderRange(DISTORTIONS.blur, 28);
    expect(blur).toMatchObject({ min: 0, max: 4, scaled: true });
    // The paper's CIFAR levels and the severities are on the track, as ticks.
    for (const v of [0, 0.5, 1, 1.5, 2, 2.5, 3]) expect(blur.marks).toContain(v);
    expect(blur.marks.every((m) => m <= blur.max)).toBe(true);
    // 32x32 (CIFAR) rounds up to the slider's step; the ImageNet size keeps the engine's limit.
    expect(sliderRange(DISTORTIONS.blur, 32).max).toBe(4.75);
    expect(sliderRange(DISTORTIONS.blur, 224)).toMatchObject({ max: 20, scaled: false });
    expect(sliderRange(DISTORTIONS.blur, 224).marks).toContain(6);
    expect(sliderRange(DISTORTIONS['motion-blur'], 28)).toMatchObject({ min: 1, max: 14, scaled: true });
    // Never below the severities on a tiny image, and no scaling for what is not measured in pixels.
    expect(sliderRange(DISTORTIONS.blur, 8).max).toBe(3);
    expect(sliderRange(DISTORTIONS.noise, 28)).toMatchObject({ max: 255, scaled: false });
    expect(sliderRange(DISTORTIONS.blur)).toMatchObject({ max: 20, scaled: false });
  });

  it('show one distortion at a time: setting one sets the others to none', () => {
    const levels = onlyOne('noise', 20);
    expect(levels.noise).toBe(20);
    for (const k of DISTORTION_KINDS) if (k !== 'noise') expect(levels[k]).toBe(DISTORTIONS[k].identity);
    expect(onlyOne('blur', 12.25).blur).toBe(12.25);
  });
});
