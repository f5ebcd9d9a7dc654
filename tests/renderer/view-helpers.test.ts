import { describe, expect, it } from 'vitest';
import { BridgeError } from '../../shared/bridge/protocol.ts';
import { describeError, isCancel } from '../../renderer/src/bridge/errors.ts';
import {
  decimalsForStep,
  formatDuration,
  formatFigure,
  formatPercent,
  formatStepValue,
} from '../../renderer/src/lib/format.ts';
import { viewIndexForKey } from '../../renderer/src/lib/shortcuts.ts';

const key = (
  code: string,
  mods: Partial<{ altKey: boolean; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean }>,
) => ({
  code,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  ...mods,
});

describe('view shortcuts', () => {
  it('Alt+n and Ctrl+n pick the n-th view', () => {
    expect(viewIndexForKey(key('Digit1', { altKey: true }), 2)).toBe(0);
    expect(viewIndexForKey(key('Digit2', { ctrlKey: true }), 2)).toBe(1);
    expect(viewIndexForKey(key('Numpad2', { altKey: true }), 2)).toBe(1);
  });

  it('ignores plain digits, other modifiers, and views that do not exist', () => {
    expect(viewIndexForKey(key('Digit1', {}), 2)).toBeUndefined();
    expect(viewIndexForKey(key('Digit1', { altKey: true, ctrlKey: true }), 2)).toBeUndefined();
    expect(viewIndexForKey(key('Digit1', { altKey: true, shiftKey: true }), 2)).toBeUndefined();
    expect(viewIndexForKey(key('Digit3', { altKey: true }), 2)).toBeUndefined();
    expect(viewIndexForKey(key('KeyA', { altKey: true }), 2)).toBeUndefined();
  });
});

describe('formatting', () => {
  it('formats percents, durations and figures', () => {
    expect(formatPercent(0.4567)).toBe('46%');
    expect(formatPercent(0.4567, 1)).toBe('45.7%');
    expect(formatDuration(42.4)).toBe('42s');
    expect(formatDuration(185)).toBe('3m 05s');
    expect(formatDuration(3720)).toBe('1h 02m');
    expect(formatDuration(Number.NaN)).toBe('–');
    expect(formatFigure(0.48213)).toBe('0.482');
    expect(formatFigure(1234.5)).toBe('1,235');
  });

  it('shows slider values to their step', () => {
    expect(decimalsForStep(0.25)).toBe(2);
    expect(decimalsForStep(0.005)).toBe(3);
    expect(decimalsForStep(1)).toBe(0);
    expect(formatStepValue(1.5, 0.25)).toBe('1.50');
    expect(formatStepValue(30, 1)).toBe('30');
  });
});

describe('error messages', () => {
  it('say what to do next for each kind of bridge error', () => {
    expect(describeError(new BridgeError('host-crashed', 'exit code 134'))).toMatch(/run the job again/);
    expect(describeError(new BridgeError('not-allowed', '/etc is outside the workspace'))).toMatch(
      /^Not allowed: \/etc is outside the workspace\./,
    );
    expect(describeError(new BridgeError('invalid-input', 'level 99 is out of range'), 'Opening')).toBe(
      'Opening failed. The engine refused the request: level 99 is out of range. Check the values and try again.',
    );
    expect(describeError(new Error('boom'))).toMatch(/^Boom\. Reload/);
  });

  it('treats a cancel as no error', () => {
    expect(isCancel(new BridgeError('cancelled', 'x'))).toBe(true);
    expect(isCancel(new BridgeError('engine', 'x'))).toBe(false);
  });
});
