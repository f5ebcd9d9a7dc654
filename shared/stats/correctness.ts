/** Per-image top-1 correctness: 1 (or true) where the prediction was right, 0 (or false) where it was wrong. */
export type Correctness = ArrayLike<number | boolean>;

/** Two models' correctness on the same images as 0/1 bytes, refusing anything else. */
export function pairCorrectness(first: Correctness, second: Correctness): [Uint8Array, Uint8Array] {
  if (first.length !== second.length)
    throw new RangeError(`paired correctness needs equal lengths, got ${first.length} and ${second.length}`);
  return [toBytes(first), toBytes(second)];
}

function toBytes(values: Correctness): Uint8Array {
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === 1 || v === true) bytes[i] = 1;
    else if (v !== 0 && v !== false)
      throw new RangeError(`correctness must be 0/1 or boolean, got ${String(v)}`);
  }
  return bytes;
}
