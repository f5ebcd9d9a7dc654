import { describe, expect, it } from 'vitest';
import { wheelTarget } from '../../renderer/src/lib/wheel-handover.ts';

// The page's viewport spans 0..900 on screen; the table's box is 420 px tall.
const page = (scrollTop: number, scrollMax = 1200) => ({ top: 0, bottom: 900, scrollTop, scrollMax });
const table = (top: number, scrollTop: number, scrollMax = 860) => ({
  top,
  bottom: top + 420,
  scrollTop,
  scrollMax,
});

describe('wheel over the filter table', () => {
  it('scrolls the page while the table is cut off by the viewport in the direction of the step', () => {
    // At 1400x900 the table starts at 700: its bottom is below the fold, so the wheel moves the page.
    expect(wheelTarget(100, table(700, 0), page(0))).toBe('outer');
    // Fully in view: the table scrolls.
    expect(wheelTarget(100, table(300, 0), page(400))).toBe('inner');
    // Upwards with its top cut off: the page brings it back down first.
    expect(wheelTarget(-100, table(-50, 200), page(600))).toBe('outer');
  });

  it('hands the wheel back to the page at the table’s ends', () => {
    expect(wheelTarget(100, table(300, 860), page(400))).toBe('outer');
    expect(wheelTarget(-100, table(300, 0), page(400))).toBe('outer');
    expect(wheelTarget(-100, table(300, 10), page(400))).toBe('inner');
  });

  it('lets the table scroll when the page cannot move any further', () => {
    // The table still hangs below the fold, but the page is at its end: the step is the table's.
    expect(wheelTarget(100, table(700, 0), page(1200))).toBe('inner');
    expect(wheelTarget(0, table(700, 0), page(0))).toBe('inner');
  });
});
