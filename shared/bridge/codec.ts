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
  return restore(h.v, blobs);
}

function restore(value: unknown, blobs: Uint8Array[], depth = 0): unknown {
  if (depth > MAX_FRAME_DEPTH)
    throw new FrameError(`frame value nests deeper than ${MAX_FRAME_DEPTH} levels`);
  if (Array.isArray(value)) return value.map((v) => restore(v, blobs, depth + 1));
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && keys[0] === BYTES_KEY) {
    const blob = blobs[record[BYTES_KEY] as number];
    if (blob === undefined) throw new FrameError('frame refers to a blob it does not hold');
    return blob;
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = restore(record[k], blobs, depth + 1);
  return out;
}
