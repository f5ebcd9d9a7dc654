/** Keyboard shortcuts that switch views: Alt+1..9 or Ctrl+1..9 pick the n-th view. */

export interface KeyLike {
  code: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
}

/**
 * The zero-based view a key press asks for, or undefined. Uses the physical key (`code`) so the shortcut
 * works on keyboard layouts where the digit row types other characters.
 */
export function viewIndexForKey(event: KeyLike, views: number): number | undefined {
  if (event.shiftKey || event.metaKey || event.altKey === event.ctrlKey) return undefined;
  const match = /^(?:Digit|Numpad)([1-9])$/.exec(event.code);
  if (match === null) return undefined;
  const index = Number(match[1]) - 1;
  return index < views ? index : undefined;
}

/**
 * Next (+1) or previous (-1) view for Ctrl+PageDown / Ctrl+PageUp (as browser tabs) or Alt+ArrowDown /
 * Alt+ArrowUp; undefined for other keys.
 */
export function viewStepForKey(event: KeyLike & { key: string }): 1 | -1 | undefined {
  if (event.shiftKey || event.metaKey) return undefined;
  if (event.ctrlKey && !event.altKey) {
    if (event.key === 'PageDown') return 1;
    if (event.key === 'PageUp') return -1;
  }
  if (event.altKey && !event.ctrlKey) {
    if (event.key === 'ArrowDown') return 1;
    if (event.key === 'ArrowUp') return -1;
  }
  return undefined;
}

/** The index `step` views away from `index`, wrapping around. */
export function wrapIndex(index: number, step: number, length: number): number {
  if (length <= 0) return 0;
  return (((index + step) % length) + length) % length;
}

/** Whether a key event comes from a field the user types in (so view and filter shortcuts leave it alone). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (target === null || typeof target !== 'object') return false;
  const el = target as { tagName?: unknown; isContentEditable?: unknown };
  const tag = typeof el.tagName === 'string' ? el.tagName.toUpperCase() : '';
  return tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA' || el.isContentEditable === true;
}
