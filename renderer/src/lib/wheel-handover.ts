/**
 * Which of two nested scroll containers a wheel step over the inner one should move: a list that scrolls inside a
 * scrolling page must not trap the wheel. While the inner box is partly outside the page's viewport in the
 * direction of the step, the page scrolls (bringing the box into full view); then the box scrolls; at the box's
 * end the step goes back to the page (as overscroll-behavior: auto chains it). The Ranking view's filter table
 * uses it (FilterTable.vue); pure, for unit tests.
 */

/** A box's top and bottom on screen (getBoundingClientRect's). */
export interface Span {
  top: number;
  bottom: number;
}

export interface Scrollable {
  scrollTop: number;
  /** scrollHeight - clientHeight. */
  scrollMax: number;
}

/** Pixels either side within which an edge counts as reached (fractional scroll positions, zoom). */
const SLACK = 1;

export function wheelTarget(
  deltaY: number,
  inner: Span & Scrollable,
  outer: Span & Scrollable,
): 'inner' | 'outer' {
  if (deltaY === 0) return 'inner';
  const down = deltaY > 0;
  const outerCanMove = down ? outer.scrollTop < outer.scrollMax - SLACK : outer.scrollTop > SLACK;
  // Part of the box is hidden past the page's edge the step moves towards: show it first.
  const hidden = down ? inner.bottom > outer.bottom + SLACK : inner.top < outer.top - SLACK;
  if (hidden && outerCanMove) return 'outer';
  const innerCanMove = down ? inner.scrollTop < inner.scrollMax - SLACK : inner.scrollTop > SLACK;
  return innerCanMove ? 'inner' : 'outer';
}
