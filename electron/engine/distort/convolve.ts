import * as tf from '@tensorflow/tfjs';

/** A 2-D filter kernel, row-major, with odd height and width so that it has a centre pixel. */
export interface Kernel2D {
  height: number;
  width: number;
  weights: Float64Array;
}

/*
 * Blurs run as depthwise convolutions on NHWC tensors: the same kernel for every channel, no transposes,
 * and the fastest of the variants measured on wasm (XNNPACK): a conv2d over a [n*c, h, w, 1] transpose
 * was 1.1x (32x32 images) to 3x (224x224) slower, a banded-matrix product 1.6x to 12x slower. The padding
 * is explicit zeros, which is OpenCV's BORDER_CONSTANT: the method's reference border. depthwiseConv2d
 * correlates rather than convolves; every kernel here is point-symmetric, so the two are the same.
 */

function depthwiseFilter(
  weights: ArrayLike<number>,
  height: number,
  width: number,
  channels: number,
): tf.Tensor4D {
  const data = new Float32Array(height * width * channels);
  for (let i = 0; i < height * width; i++) data.fill(weights[i] as number, i * channels, (i + 1) * channels);
  return tf.tensor4d(data, [height, width, channels, 1]);
}

function zeroPadded(x: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor4D {
  const [height, width] = filter.shape;
  const padY = (height - 1) / 2;
  const padX = (width - 1) / 2;
  return tf.depthwiseConv2d(x, filter, 1, [
    [0, 0],
    [padY, padY],
    [padX, padX],
    [0, 0],
  ]);
}

function isIdentity(kernel: Kernel2D): boolean {
  return kernel.height === 1 && kernel.width === 1 && kernel.weights[0] === 1;
}

/** Convolves every channel with `column` (vertical) then `row` (horizontal), both odd-length. */
export function convolveSeparable(
  x: tf.Tensor4D,
  column: ArrayLike<number>,
  row: ArrayLike<number>,
): tf.Tensor4D {
  const channels = x.shape[3];
  return tf.tidy(() => {
    const vertical = zeroPadded(x, depthwiseFilter(column, column.length, 1, channels));
    return zeroPadded(vertical, depthwiseFilter(row, 1, row.length, channels));
  });
}

/** Convolves every channel with a 2-D kernel; a 1x1 unit kernel returns an exact copy. */
export function convolve2d(x: tf.Tensor4D, kernel: Kernel2D): tf.Tensor4D {
  if (isIdentity(kernel)) return tf.clone(x);
  return tf.tidy(() =>
    zeroPadded(x, depthwiseFilter(kernel.weights, kernel.height, kernel.width, x.shape[3])),
  );
}

/**
 * Removes rows and columns of zeros from both edges alike (so the kernel keeps its centre) and normalises
 * the weights to sum 1. Motion-blur lines are mostly zeros around the line; a horizontal one becomes 1 x k.
 */
export function trimAndNormalise(kernel: Kernel2D): Kernel2D {
  const { height, width, weights } = kernel;
  const rowEmpty = (y: number) => weights.subarray(y * width, (y + 1) * width).every((w) => w === 0);
  const columnEmpty = (x: number) => {
    for (let y = 0; y < height; y++) if (weights[y * width + x] !== 0) return false;
    return true;
  };
  let trimY = 0;
  while (2 * (trimY + 1) < height && rowEmpty(trimY) && rowEmpty(height - 1 - trimY)) trimY++;
  let trimX = 0;
  while (2 * (trimX + 1) < width && columnEmpty(trimX) && columnEmpty(width - 1 - trimX)) trimX++;
  const h = height - 2 * trimY;
  const w = width - 2 * trimX;
  const out = new Float64Array(h * w);
  let sum = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = weights[(y + trimY) * width + x + trimX] as number;
      out[y * w + x] = v;
      sum += v;
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / sum;
  return { height: h, width: w, weights: out };
}
