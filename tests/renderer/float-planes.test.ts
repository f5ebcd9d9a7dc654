import { describe, expect, it } from 'vitest';
import { decodeMaps, floatsOf, mapsBytes, planeAt } from '../../renderer/src/lib/float-planes.ts';
import { requestKey } from '../../renderer/src/lib/request-key.ts';

function bytesOf(values: number[], offset = 0): Uint8Array {
  const f = new Float32Array(values);
  const buffer = new Uint8Array(f.byteLength + offset);
  buffer.set(new Uint8Array(f.buffer), offset);
  return buffer.subarray(offset);
}

describe('activation planes', () => {
  it('decodes little-endian float32 bytes, aligned or not', () => {
    expect(Array.from(floatsOf(bytesOf([1.5, -2, 3.25])))).toEqual([1.5, -2, 3.25]);
    expect([...floatsOf(bytesOf([1, -2.5, 3]))]).toEqual([1, -2.5, 3]);
    for (const offset of [1, 2]) {
      const odd = bytesOf([0.5, 4], offset);
      expect(odd.byteOffset % 4).toBe(offset);
      expect([...floatsOf(odd)]).toEqual([0.5, 4]);
    }
  });

  it('slices filter-major planes', () => {
    const all = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(planeAt(all, 1, 2, 2))).toEqual([5, 6, 7, 8]);
  });

  it('decodes a reply with a filter-to-position map, corrected blocks only when given', () => {
    const reply = {
      height: 1,
      width: 2,
      filters: [5, 7],
      clean: bytesOf([1, 2, 3, 4]),
      distorted: bytesOf([1, 2, 3, 5]),
      diffDistorted: bytesOf([0, 0, 0, 1]),
    };
    const maps = decodeMaps(reply);
    expect(maps.positionOf.get(7)).toBe(1);
    expect(maps.distorted[3]).toBe(5);
    expect(maps.corrected).toBeUndefined();
    expect(mapsBytes(maps)).toBe(48);
    const corrected = decodeMaps({
      ...reply,
      corrected: bytesOf([4, 3, 2, 1]),
      diffCorrected: bytesOf([3, 1, -1, -3]),
    });
    expect(corrected.corrected?.[0]).toBe(4);
    expect(corrected.diffCorrected?.[3]).toBe(-3);
    expect(mapsBytes(corrected)).toBe(80);
  });

  it('keys a request by its content, whatever the order of its fields', () => {
    const at = (level: number, kind = 'blur') => ({
      modelId: 'm',
      layer: 'conv1',
      index: 3,
      spec: { kind, level },
    });
    expect(requestKey(at(1.5))).not.toBe(requestKey(at(2)));
    expect(requestKey(at(2, 'blur'))).not.toBe(requestKey(at(2, 'noise')));
    expect(requestKey(at(2))).toBe(
      requestKey({ spec: { level: 2, kind: 'blur' }, index: 3, layer: 'conv1', modelId: 'm' }),
    );
  });
});
