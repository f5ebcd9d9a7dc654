import * as tf from '@tensorflow/tfjs';

/*
 * Pixelation is separable and linear per axis: an area-averaging (box) downsample, as cv2.resize INTER_AREA
 * or PIL's BOX filter, then a nearest-neighbour upsample back to the original size. The downsample is a
 * small matrix product (cells x size); the upsample is a gather, which copies cell values exactly, so every
 * block of the output is exactly flat. Both steps stay far cheaper than one dense size x size product
 * (the product of the two matrices).
 */

/** The number of cells an axis of `size` pixels keeps: round(size * factor), at least 1. */
export function pixelatedSize(size: number, factor: number): number {
  return Math.max(1, Math.min(size, Math.round(size * factor)));
}

/**
 * Row i holds the weights of output cell i over the input pixels: the overlap of pixel j with the cell's
 * span [i * size / cells, (i + 1) * size / cells), divided by the span's length.
 */
export function boxDownsampleMatrix(size: number, cells: number): Float32Array {
  const span = size / cells;
  const matrix = new Float32Array(cells * size);
  for (let i = 0; i < cells; i++) {
    const start = i * span;
    const end = (i + 1) * span;
    for (let j = Math.floor(start); j < Math.min(size, Math.ceil(end)); j++) {
      const overlap = Math.min(end, j + 1) - Math.max(start, j);
      if (overlap > 0) matrix[i * size + j] = overlap / span;
    }
  }
  return matrix;
}

/** For every output pixel, the cell whose value it takes: the cell containing the pixel's centre. */
export function nearestCellIndex(size: number, cells: number): Int32Array {
  const index = new Int32Array(size);
  for (let y = 0; y < size; y++) index[y] = Math.min(cells - 1, Math.floor(((y + 0.5) * cells) / size));
  return index;
}

/** Area-averages the last axis of `x` down to `cells` values: one 2-D matrix product. */
function downsampleLastAxis(x: tf.Tensor4D, cells: number): tf.Tensor4D {
  const size = x.shape[3];
  if (cells === size) return x;
  const down = tf.tensor2d(boxDownsampleMatrix(size, cells), [cells, size]);
  const reduced = tf.matMul(tf.reshape(x, [-1, size]), down, false, true);
  return tf.reshape(reduced, [x.shape[0], x.shape[1], x.shape[2], cells]);
}

/** Repeats the cells of `axis` back to `size` pixels (nearest neighbour) with a gather: exact copies. */
function upsampleAxis(x: tf.Tensor4D, axis: number, size: number): tf.Tensor4D {
  const cells = x.shape[axis] as number;
  if (cells === size) return x;
  return tf.gather(x, tf.tensor1d(nearestCellIndex(size, cells), 'int32'), axis);
}

/**
 * Pixelation by a scale factor in (0, 1]; factor 1 (or any size where both axes keep every pixel) is an
 * exact copy. The products are plain 2-D ones over the last axis (the wasm backend multiplies batched
 * matrices with a slow loop but single ones with XNNPACK), so each axis is brought last by a transpose.
 *
 * The cost is not bounded by the factor's range: the dense matrices are cells x size, so each pixel costs
 * about factor * (height + width) multiply-adds and each matrix factor * size^2 floats. Harmless at dataset
 * sizes (32 to 224 px a side), it grows with the image's side (about 7,000 per pixel for a 50-megapixel
 * square near factor 1); a banded product (a cell spans at most ceil(1 / factor) + 1 pixels) would make it
 * linear.
 */
export function pixelate(x: tf.Tensor4D, factor: number): tf.Tensor4D {
  const [, height, width] = x.shape;
  const cellsY = pixelatedSize(height, factor);
  const cellsX = pixelatedSize(width, factor);
  if (cellsY === height && cellsX === width) return tf.clone(x);
  return tf.tidy(() => {
    const byRow = downsampleLastAxis(tf.transpose(x, [0, 1, 3, 2]), cellsX); // [n, h, c, cellsX]
    const byColumn = downsampleLastAxis(tf.transpose(byRow, [0, 2, 3, 1]), cellsY); // [n, c, cellsX, cellsY]
    const up = upsampleAxis(upsampleAxis(byColumn, 3, height), 2, width); // [n, c, w, h]
    return tf.transpose(up, [0, 3, 2, 1]);
  });
}
