/**
 * The engine's activation planes as the views keep them: an inspect.activations reply's blocks of float32
 * planes (filter-major, filters x height x width, little-endian) decoded once into typed arrays, with each
 * filter's position in the blocks. Pure, no DOM.
 */
import type { ActivationMapsReply } from '../../../shared/bridge/schemas.ts';

/**
 * Float32 values of little-endian bytes. Views the bytes in place when they are 4-byte aligned; copies them
 * otherwise (a Float32Array cannot start at an unaligned offset).
 */
export function floatsOf(bytes: Uint8Array): Float32Array {
  const n = Math.floor(bytes.byteLength / 4);
  if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, n);
  return new Float32Array(bytes.slice(0, n * 4).buffer, 0, n);
}

/** Plane i (filter-major planes of height x width) of a float array, as a view. */
export function planeAt(values: Float32Array, i: number, height: number, width: number): Float32Array {
  const hw = height * width;
  return values.subarray(i * hw, (i + 1) * hw);
}

/** A reply's planes, decoded; the corrected blocks only when the reply has a corrected model's. */
export interface DecodedMaps {
  height: number;
  width: number;
  /** Filter number to its plane's position in the blocks. */
  positionOf: ReadonlyMap<number, number>;
  clean: Float32Array;
  distorted: Float32Array;
  corrected: Float32Array | undefined;
  diffDistorted: Float32Array;
  diffCorrected: Float32Array | undefined;
}

type PlaneBlocks = Pick<
  ActivationMapsReply,
  'height' | 'width' | 'filters' | 'clean' | 'distorted' | 'corrected' | 'diffDistorted' | 'diffCorrected'
>;

export function decodeMaps(reply: PlaneBlocks): DecodedMaps {
  return {
    height: reply.height,
    width: reply.width,
    positionOf: new Map(reply.filters.map((f, i) => [f, i])),
    clean: floatsOf(reply.clean),
    distorted: floatsOf(reply.distorted),
    corrected: reply.corrected === undefined ? undefined : floatsOf(reply.corrected),
    diffDistorted: floatsOf(reply.diffDistorted),
    diffCorrected: reply.diffCorrected === undefined ? undefined : floatsOf(reply.diffCorrected),
  };
}

/** Bytes the decoded blocks hold (what a cache of them counts). */
export function mapsBytes(maps: DecodedMaps): number {
  const blocks = [maps.clean, maps.distorted, maps.corrected, maps.diffDistorted, maps.diffCorrected];
  return blocks.reduce((sum, b) => sum + (b?.byteLength ?? 0), 0);
}
