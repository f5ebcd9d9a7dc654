/**
 * The arithmetic of a virtualised grid of fixed-size square cells: which rows are in view (plus overscan),
 * how tall the whole grid is, and how far to scroll to bring a cell into view. Pure, so it is tested without
 * a DOM; the grid component feeds it scrollTop, the viewport size and the cell count.
 */

export interface GridWindowInput {
  /** Cells in the grid. */
  count: number;
  columns: number;
  /** Height (and width) of one cell in CSS pixels. */
  cellSize: number;
  scrollTop: number;
  viewportHeight: number;
  /** Rows kept in the DOM above and below the visible ones, so fast scrolling does not show gaps. */
  overscanRows: number;
}

export interface GridWindow {
  /** Rows in the whole grid. */
  rows: number;
  /** First row in the DOM, and one past the last. */
  firstRow: number;
  endRow: number;
  /** First cell in the DOM, and one past the last. */
  start: number;
  end: number;
  /** Offset of the first row in the DOM from the top of the grid. */
  offsetY: number;
  /** Height of the whole grid, for the spacer that gives the scroll bar its range. */
  totalHeight: number;
}

/** Columns that fit in a width; always at least one so a narrow window still shows a single column. */
export function columnsForWidth(width: number, cellSize: number): number {
  if (!(width > 0) || !(cellSize > 0)) return 1;
  return Math.max(1, Math.floor(width / cellSize));
}

export function gridWindow(input: GridWindowInput): GridWindow {
  const columns = Math.max(1, Math.floor(input.columns));
  const count = Math.max(0, Math.floor(input.count));
  const cell = input.cellSize;
  const rows = Math.ceil(count / columns);
  const totalHeight = rows * cell;
  if (rows === 0 || !(cell > 0)) {
    return { rows, firstRow: 0, endRow: 0, start: 0, end: 0, offsetY: 0, totalHeight };
  }
  const viewport = Math.max(0, input.viewportHeight);
  // The browser may report a scrollTop past the end while the content shrinks (a class filter applied).
  const scrollTop = Math.min(Math.max(0, input.scrollTop), Math.max(0, totalHeight - viewport));
  const overscan = Math.max(0, Math.floor(input.overscanRows));
  const firstVisible = Math.floor(scrollTop / cell);
  const endVisible = Math.max(firstVisible + 1, Math.ceil((scrollTop + viewport) / cell));
  const firstRow = Math.max(0, firstVisible - overscan);
  const endRow = Math.min(rows, endVisible + overscan);
  return {
    rows,
    firstRow,
    endRow,
    start: firstRow * columns,
    end: Math.min(count, endRow * columns),
    offsetY: firstRow * cell,
    totalHeight,
  };
}

/** The scrollTop that brings a cell's row fully into view, moving as little as possible. */
export function scrollTopToReveal(
  position: number,
  columns: number,
  cellSize: number,
  scrollTop: number,
  viewportHeight: number,
): number {
  const row = Math.floor(position / Math.max(1, columns));
  const top = row * cellSize;
  const bottom = top + cellSize;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return scrollTop;
}

export type GridMove = 'left' | 'right' | 'up' | 'down' | 'page-up' | 'page-down' | 'home' | 'end';

const KEY_MOVES: Readonly<Record<string, GridMove>> = {
  ArrowLeft: 'left',
  ArrowRight: 'right',
  ArrowUp: 'up',
  ArrowDown: 'down',
  PageUp: 'page-up',
  PageDown: 'page-down',
  Home: 'home',
  End: 'end',
};

/** The grid move a keyboard key stands for, if any. */
export function gridMoveForKey(key: string): GridMove | undefined {
  return KEY_MOVES[key];
}

/** The cell a keyboard move lands on, clamped to the grid; from no selection, any move selects the first. */
export function moveSelection(
  position: number | null,
  move: GridMove,
  columns: number,
  count: number,
  rowsPerPage: number,
): number | null {
  if (count <= 0) return null;
  if (position === null) return move === 'end' ? count - 1 : 0;
  const cols = Math.max(1, columns);
  const page = cols * Math.max(1, rowsPerPage);
  const steps: Record<GridMove, number> = {
    left: position - 1,
    right: position + 1,
    up: position - cols,
    down: position + cols,
    'page-up': position - page,
    'page-down': position + page,
    home: 0,
    end: count - 1,
  };
  return Math.min(count - 1, Math.max(0, steps[move]));
}
