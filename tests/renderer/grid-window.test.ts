import { describe, expect, it } from 'vitest';
import {
  columnsForWidth,
  gridMoveForKey,
  gridWindow,
  moveSelection,
  scrollTopToReveal,
} from '../../renderer/src/lib/grid-window.ts';

const base = { cellSize: 64, viewportHeight: 640, overscanRows: 2 };

describe('columnsForWidth', () => {
  it('fits whole cells and never fewer than one', () => {
    expect(columnsForWidth(640, 64)).toBe(10);
    expect(columnsForWidth(700, 64)).toBe(10);
    expect(columnsForWidth(63, 64)).toBe(1);
    expect(columnsForWidth(0, 64)).toBe(1);
    expect(columnsForWidth(Number.NaN, 64)).toBe(1);
  });
});

describe('gridWindow', () => {
  it('at the top holds the visible rows plus the overscan below', () => {
    const w = gridWindow({ ...base, count: 60_000, columns: 10, scrollTop: 0 });
    expect(w.rows).toBe(6000);
    expect(w.totalHeight).toBe(6000 * 64);
    expect(w.firstRow).toBe(0);
    expect(w.endRow).toBe(10 + 2);
    expect(w.start).toBe(0);
    expect(w.end).toBe(120);
    expect(w.offsetY).toBe(0);
  });

  it('in the middle holds overscan on both sides, and a part-visible row counts', () => {
    const w = gridWindow({ ...base, count: 60_000, columns: 10, scrollTop: 100 * 64 + 10 });
    expect(w.firstRow).toBe(98);
    // rows 100..110 are (partly) visible: 100 at the top, 110 peeking in at the bottom
    expect(w.endRow).toBe(111 + 2);
    expect(w.start).toBe(980);
    expect(w.end).toBe(1130);
    expect(w.offsetY).toBe(98 * 64);
  });

  it('stays small on a huge split: the DOM holds about a screenful', () => {
    const w = gridWindow({ ...base, count: 60_000, columns: 12, scrollTop: 123_456 });
    expect(w.end - w.start).toBeLessThanOrEqual((10 + 1 + 4) * 12);
  });

  it('clamps at the end, with a partial last row', () => {
    const w = gridWindow({ ...base, count: 1005, columns: 10, scrollTop: 1e9 });
    expect(w.rows).toBe(101);
    expect(w.endRow).toBe(101);
    expect(w.end).toBe(1005);
    expect(w.firstRow).toBe(101 - 10 - 2);
  });

  it('handles an empty grid and a zero-height viewport', () => {
    expect(gridWindow({ ...base, count: 0, columns: 10, scrollTop: 0 })).toMatchObject({
      start: 0,
      end: 0,
      totalHeight: 0,
    });
    const w = gridWindow({ ...base, viewportHeight: 0, count: 100, columns: 10, scrollTop: 0 });
    expect(w.start).toBe(0);
    expect(w.end).toBe(30);
  });

  it('treats a bad column count as one column', () => {
    const w = gridWindow({ ...base, count: 5, columns: 0, scrollTop: 0 });
    expect(w.rows).toBe(5);
    expect(w.end).toBe(5);
  });
});

describe('scrollTopToReveal', () => {
  it('scrolls up to a row above, down to a row below, and not at all for a visible row', () => {
    expect(scrollTopToReveal(5, 10, 64, 640, 640)).toBe(0);
    expect(scrollTopToReveal(250, 10, 64, 0, 640)).toBe(26 * 64 - 640);
    expect(scrollTopToReveal(55, 10, 64, 0, 640)).toBe(0);
  });
});

describe('moveSelection', () => {
  it('moves by one, by a row and by a page, clamped to the grid', () => {
    expect(moveSelection(5, 'right', 10, 100, 4)).toBe(6);
    expect(moveSelection(5, 'left', 10, 100, 4)).toBe(4);
    expect(moveSelection(5, 'down', 10, 100, 4)).toBe(15);
    expect(moveSelection(5, 'up', 10, 100, 4)).toBe(0);
    expect(moveSelection(5, 'page-down', 10, 100, 4)).toBe(45);
    expect(moveSelection(95, 'page-down', 10, 100, 4)).toBe(99);
    expect(moveSelection(0, 'left', 10, 100, 4)).toBe(0);
    expect(moveSelection(42, 'home', 10, 100, 4)).toBe(0);
    expect(moveSelection(42, 'end', 10, 100, 4)).toBe(99);
  });

  it('selects the first (or last) image when nothing is selected, and nothing in an empty grid', () => {
    expect(moveSelection(null, 'down', 10, 100, 4)).toBe(0);
    expect(moveSelection(null, 'end', 10, 100, 4)).toBe(99);
    expect(moveSelection(3, 'down', 10, 0, 4)).toBeNull();
  });

  it('maps arrow and paging keys, and nothing else', () => {
    expect(gridMoveForKey('ArrowDown')).toBe('down');
    expect(gridMoveForKey('PageUp')).toBe('page-up');
    expect(gridMoveForKey('a')).toBeUndefined();
  });
});
