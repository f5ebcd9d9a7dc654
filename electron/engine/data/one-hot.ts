/** One-hot rows for class indices, as the trainer consumes them. */
export function oneHot(labels: ArrayLike<number>, classes: number): Float32Array {
  const out = new Float32Array(labels.length * classes);
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i] as number;
    if (!Number.isInteger(k) || k < 0 || k >= classes)
      throw new Error(`label ${k} at row ${i} is outside 0..${classes - 1}`);
    out[i * classes + k] = 1;
  }
  return out;
}
