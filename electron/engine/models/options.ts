export interface BuildOptions {
  /** [height, width, channels] of the inputs, which are pixels scaled to 0..1. */
  inputShape: [number, number, number];
  classes: number;
  /** Seeds every initialiser; the same seed builds the same weights. Default 1. */
  seed?: number;
}

/** Rejects shapes the architectures cannot take, before tfjs fails somewhere deep inside a layer. */
export function checkBuildOptions(arch: string, { inputShape, classes, seed }: BuildOptions): void {
  const [h, w, c] = inputShape;
  const shape = inputShape.join('x');
  if (inputShape.length !== 3 || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new RangeError(
      `${arch}: input shape must be [height, width, channels] of positive integers, got ${shape}`,
    );
  }
  if (h < 8 || w < 8) throw new RangeError(`${arch}: inputs must be at least 8x8 pixels, got ${shape}`);
  if (c !== 1 && c !== 3) throw new RangeError(`${arch}: inputs must have 1 or 3 channels, got ${shape}`);
  if (!Number.isInteger(classes) || classes < 2) {
    throw new RangeError(`${arch}: a classifier needs an integer number of classes >= 2, got ${classes}`);
  }
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    throw new RangeError(`${arch}: the seed must be an integer, got ${seed}`);
  }
}
