import { describe, expect, it } from 'vitest';
import { isTypingTarget, viewStepForKey, wrapIndex } from '../../renderer/src/lib/shortcuts.ts';

const key = (
  k: string,
  mods: Partial<{ altKey: boolean; ctrlKey: boolean; shiftKey: boolean; metaKey: boolean }> = {},
) => ({
  key: k,
  code: '',
  altKey: false,
  ctrlKey: false,
  shiftKey: false,
  metaKey: false,
  ...mods,
});

describe('next and previous view', () => {
  it('takes Ctrl+PageDown/PageUp and Alt+ArrowDown/ArrowUp', () => {
    expect(viewStepForKey(key('PageDown', { ctrlKey: true }))).toBe(1);
    expect(viewStepForKey(key('PageUp', { ctrlKey: true }))).toBe(-1);
    expect(viewStepForKey(key('ArrowDown', { altKey: true }))).toBe(1);
    expect(viewStepForKey(key('ArrowUp', { altKey: true }))).toBe(-1);
  });
  it('ignores plain keys and other modifiers', () => {
    expect(viewStepForKey(key('PageDown'))).toBeUndefined();
    expect(viewStepForKey(key('ArrowDown'))).toBeUndefined();
    expect(viewStepForKey(key('PageDown', { ctrlKey: true, shiftKey: true }))).toBeUndefined();
    expect(viewStepForKey(key('ArrowDown', { ctrlKey: true }))).toBeUndefined();
  });
  it('wraps around', () => {
    expect(wrapIndex(6, 1, 7)).toBe(0);
    expect(wrapIndex(0, -1, 7)).toBe(6);
    expect(wrapIndex(2, 1, 7)).toBe(3);
  });
  it('knows typing targets', () => {
    expect(isTypingTarget({ tagName: 'INPUT' } as unknown as EventTarget)).toBe(true);
    expect(isTypingTarget({ tagName: 'select' } as unknown as EventTarget)).toBe(true);
    expect(isTypingTarget({ tagName: 'DIV', isContentEditable: true } as unknown as EventTarget)).toBe(true);
    expect(isTypingTarget({ tagName: 'BUTTON' } as unknown as EventTarget)).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});
