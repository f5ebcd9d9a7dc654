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
