/**
 * Frames for byte-oriented transports (the browser-mode WebSocket): JSON for structure, with every
 * Uint8Array lifted out into a binary tail, so images cross as bytes, never as JSON number lists.
 * Layout: [u32 little-endian header length][UTF-8 JSON header {v, b}][blob 0][blob 1]..., where the header's
 * v is the value with each Uint8Array replaced by {"$bytes": k} and b lists the blobs' lengths.
 */

const BYTES_KEY = '$bytes';
/**
 * Deepest nesting a frame's value may have. Real messages nest a few levels; restoring blobs walks the value
 * recursively, so a hostile frame nested ten thousand levels deep is refused here rather than left to overflow
 * the stack (a RangeError that would not say what was wrong).
 */
export const MAX_FRAME_DEPTH = 64;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export class FrameError extends Error {
  override name = 'FrameError';
}

export function encodeFrame(value: unknown): Uint8Array {
  const blobs: Uint8Array[] = [];
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Uint8Array) {
      blobs.push(v);
      return { [BYTES_KEY]: blobs.length - 1 };
    }
    return v;
  });
  const header = encoder.encode(`{"v":${json ?? 'null'},"b":[${blobs.map((b) => b.length).join(',')}]}`);
  const total = 4 + header.length + blobs.reduce((s, b) => s + b.length, 0);
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint32(0, header.length, true);
  out.set(header, 4);
  let offset = 4 + header.length;
  for (const b of blobs) {
    out.set(b, offset);
    offset += b.length;
  }
  return out;
}

export function decodeFrame(frame: Uint8Array): unknown {
  if (frame.length < 4) throw new FrameError('frame shorter than its length prefix');
  const headerLength = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0, true);
  if (4 + headerLength > frame.length) throw new FrameError('frame header runs past the end of the frame');
  let header: unknown;
  try {
    header = JSON.parse(decoder.decode(frame.subarray(4, 4 + headerLength)));
  } catch {
    throw new FrameError('frame header is not UTF-8 JSON');
  }
  const h = header as { v?: unknown; b?: unknown };
  if (typeof header !== 'object' || header === null || !Array.isArray(h.b))
    throw new FrameError('frame header lacks its value and blob list');
  const blobs: Uint8Array[] = [];
  let offset = 4 + headerLength;
  for (const length of h.b as unknown[]) {
    if (
      typeof length !== 'number' ||
      !Number.isInteger(length) ||
      length < 0 ||
      offset + length > frame.length
    )
      throw new FrameError('frame blob lengths do not match the frame');
    blobs.push(frame.slice(offset, offset + length));
    offset += length;
  }
  if (offset !== frame.length) throw new FrameError('frame has bytes after its last blob');
  const used = blobs.map(() => false);
  const value = restore(h.v, blobs, used);
  const unused = used.indexOf(false);
  if (unused !== -1) throw new FrameError(`frame holds blob ${unused}, which its value does not use`);
  return value;
}

/** What a request's frame starts with when encodeFrame wrote it, up to its id. */
const REQUEST_PREFIX = /^\{"v":\{"kind":"request","id":(0|[1-9]\d{0,15})[,}]/;

/**
 * The id of the request a frame carries, read from the first bytes of its header where encodeFrame puts it,
 * without decoding the rest: a frame refused as malformed or too large can still be answered under its
 * request's id, so the sender's request fails at once rather than waiting. Undefined when it is not there.
 */
export function peekRequestId(frame: Uint8Array): number | undefined {
  if (frame.length < 4) return undefined;
  const headerLength = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0, true);
  const end = Math.min(frame.length, 4 + headerLength, 4 + 64);
  // Byte by byte, not UTF-8: the prefix looked for is ASCII, and a cut multi-byte character must not throw.
  let prefix = '';
  for (let i = 4; i < end; i++) prefix += String.fromCharCode(frame[i] as number);
  const id = Number(REQUEST_PREFIX.exec(prefix)?.[1]);
  return Number.isSafeInteger(id) ? id : undefined;
}

/**
 * Keys a restored object may not have: assigning `__proto__` replaces the object's prototype, and
 * `constructor`/`prototype` are the names that prototype-pollution gadgets look up. No message uses them.
 */
const REFUSED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Rebuilds the value, each `{"$bytes": k}` replaced by blob k; `used` marks the blobs already placed. */
function restore(value: unknown, blobs: Uint8Array[], used: boolean[], depth = 0): unknown {
  if (depth > MAX_FRAME_DEPTH)
    throw new FrameError(`frame value nests deeper than ${MAX_FRAME_DEPTH} levels`);
  if (Array.isArray(value)) return value.map((v) => restore(v, blobs, used, depth + 1));
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && keys[0] === BYTES_KEY) return blobAt(record[BYTES_KEY], blobs, used);
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    if (REFUSED_KEYS.has(k)) throw new FrameError(`frame value has a key named "${k}", which is refused`);
    out[k] = restore(record[k], blobs, used, depth + 1);
  }
  return out;
}

/**
 * Blob `index`, which must be an integer naming a blob the frame holds (not `"length"`, 1.5 or -1, which
 * index an array's properties or nothing), and not one already placed: each blob stands for one value.
 */
function blobAt(index: unknown, blobs: Uint8Array[], used: boolean[]): Uint8Array {
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= blobs.length)
    throw new FrameError(
      `frame refers to a blob it does not hold (${typeof index === 'number' ? `index ${index}` : `a ${typeof index} index`}; it holds ${blobs.length})`,
    );
  if (used[index] === true) throw new FrameError(`frame refers to blob ${index} more than once`);
  used[index] = true;
  return blobs[index] as Uint8Array;
}
