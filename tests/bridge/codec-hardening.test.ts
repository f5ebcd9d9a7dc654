/**
 * The frame codec against hand-made hostile frames (issue 16, finding 7): a `$bytes` reference must name a blob
 * the frame holds, by integer index, once; a restored object may not carry keys that reach its prototype.
 */
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, FrameError, peekRequestId } from '../../shared/bridge/codec.ts';
import { frameOf } from './recording-gate.ts';

const frame = frameOf;

const blob = (...bytes: number[]): Uint8Array => new Uint8Array(bytes);

describe('frame codec: blob references', () => {
  it('still restores every blob of an encoded value in place', () => {
    const value = { a: blob(1, 2), list: [blob(3), { deep: blob() }], n: 5, s: '$bytes' };
    const back = decodeFrame(encodeFrame(value)) as typeof value;
    expect(back).toEqual(value);
    expect(back.a).toBeInstanceOf(Uint8Array);
  });

  it.each([
    ['"length"', '"length"'],
    ['a numeric string', '"0"'],
    ['a fraction', '0.5'],
    ['a negative index', '-1'],
    ['an index past the blobs', '1'],
    ['null', 'null'],
    ['an object', '{"valueOf":0}'],
    ['an array', '[0]'],
  ])('refuses a $bytes index that is %s', (_what, index) => {
    const bad = frame(`{"v":{"pixels":{"$bytes":${index}}},"b":[1]}`, [blob(9)]);
    expect(() => decodeFrame(bad)).toThrow(FrameError);
    expect(() => decodeFrame(bad)).toThrow(/blob/);
  });

  it('refuses a blob used twice (each blob stands for one value)', () => {
    const twice = frame('{"v":[{"$bytes":0},{"$bytes":0}],"b":[2]}', [blob(1, 2)]);
    expect(() => decodeFrame(twice)).toThrow(/blob 0 more than once/);
  });

  it('refuses a blob that the value does not use', () => {
    const spare = frame('{"v":{"a":{"$bytes":1}},"b":[1,1]}', [blob(1), blob(2)]);
    expect(() => decodeFrame(spare)).toThrow(/blob 0, which its value does not use/);
  });
});

describe('frame codec: keys that reach a prototype', () => {
  it.each(['__proto__', 'constructor', 'prototype'])('refuses a key named %s, naming it', (key) => {
    const nested = frame(`{"v":{"kind":"request","input":{"spec":{"${key}":{"polluted":true}}}},"b":[]}`);
    expect(() => decodeFrame(nested)).toThrow(FrameError);
    expect(() => decodeFrame(nested)).toThrow(`"${key}"`);
  });

  it('gives every restored object a plain prototype', () => {
    // Before: `out["__proto__"] = {...}` made the restored input inherit `polluted` from the frame.
    let restored: unknown;
    try {
      restored = decodeFrame(frame('{"v":{"__proto__":{"polluted":true}},"b":[]}'));
    } catch (error) {
      expect(error).toBeInstanceOf(FrameError);
      return;
    }
    expect(Object.getPrototypeOf(restored)).toBe(Object.prototype);
    expect((restored as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('keeps such words as values and inside strings', () => {
    const value = { name: '__proto__', list: ['constructor'], note: 'prototype of x' };
    expect(decodeFrame(encodeFrame(value))).toEqual(value);
  });
});

describe('frame codec: the request id of a frame, read cheaply', () => {
  it('reads the id at the start of an encoded request', () => {
    const f = encodeFrame({ kind: 'request', id: 42, name: 'engine.info', input: { pad: 'x'.repeat(1000) } });
    expect(peekRequestId(f)).toBe(42);
    expect(peekRequestId(encodeFrame({ kind: 'request', id: 0, name: 'x', input: {} }))).toBe(0);
  });

  it('finds none in other frames, without throwing', () => {
    expect(peekRequestId(blob(1, 2))).toBeUndefined();
    expect(peekRequestId(encodeFrame({ kind: 'reply', id: 3 }))).toBeUndefined();
    expect(peekRequestId(frame('{"v":{"kind":"request","id":-3,"name":"x"},"b":[]}'))).toBeUndefined();
    expect(peekRequestId(frame('{"v":{"kind":"request","id":99999999999999999,"n'))).toBeUndefined();
    // The header's length prefix says 5 bytes: the id lies past it.
    const short = frame('{"v":{"kind":"request","id":7,"name":"x"},"b":[]}');
    new DataView(short.buffer).setUint32(0, 5, true);
    expect(peekRequestId(short)).toBeUndefined();
  });
});
