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

/*
 * On the wasm backend no depthwiseConv2d call gets more than MAX_TAPS_PER_CALL output pixels x kernel taps.
 * Its XNNPACK convolution builds an indirection buffer of one pointer per output pixel and tap, for a whole
 * image at once: a 41 x 41 defocus kernel (the level's bound) on one 1024 x 1024 image asked for 7 GB of it
 * and failed at wasm's 4 GB after 23 s, and wasm memory, once grown, is never given back. So there a large
 * image is convolved in tiles, each cut with its halo of zeros or neighbours: every output pixel is still
 * the same sum over the same taps, and each call's buffer stays within 32 MB. Images of dataset size (any
 * batch of 32 x 32 images at any kernel, 224 x 224 with the paper's blur kernels) still take one call, as
 * every image does on the other backends, whose convolutions need no such buffer.
 */
const MAX_TAPS_PER_CALL = 1 << 23;

function concatAndDispose(parts: tf.Tensor4D[], axis: number): tf.Tensor4D {
  if (parts.length === 1) return parts[0] as tf.Tensor4D;
  const whole = tf.concat(parts, axis);
  for (const part of parts) part.dispose();
  return whole;
}

function zeroPadded(x: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor4D {
  const [kernelHeight, kernelWidth] = filter.shape;
  const [, height, width] = x.shape;
  const taps = kernelHeight * kernelWidth;
  if (tf.getBackend() === 'wasm' && height * width * taps > MAX_TAPS_PER_CALL) return tiled(x, filter);
  const padY = (kernelHeight - 1) / 2;
  const padX = (kernelWidth - 1) / 2;
  return tf.depthwiseConv2d(x, filter, 1, [
    [0, 0],
    [padY, padY],
    [padX, padX],
    [0, 0],
  ]);
}

/** `count` consecutive indices from `start`, for tf.gather. */
function span(start: number, count: number): tf.Tensor1D {
  return tf.tensor1d(
    Int32Array.from({ length: count }, (_, i) => start + i),
    'int32',
  );
}

/**
 * The convolution tile by tile: whole rows where a row fits the budget, else each row in equal parts, and as
 * many rows as fit; every image of the batch at once (the buffer is per image). Tiles are cut from the padded
 * input with tf.gather, not tf.slice: on wasm a slice first copies its whole input, so a 4096 x 4096 blur
 * cut in slices took 330 s; a gather copies only what it returns.
 */
function tiled(x: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor4D {
  const [, height, width] = x.shape;
  const [kernelHeight, kernelWidth] = filter.shape;
  const taps = kernelHeight * kernelWidth;
  const tileWidth = Math.ceil(width / Math.ceil((width * taps) / MAX_TAPS_PER_CALL));
  const tileHeight = Math.max(1, Math.floor(MAX_TAPS_PER_CALL / (taps * tileWidth)));
  const padY = (kernelHeight - 1) / 2;
  const padX = (kernelWidth - 1) / 2;
  const padded = tf.pad(x, [
    [0, 0],
    [padY, padY],
    [padX, padX],
    [0, 0],
  ]);
  const strips: tf.Tensor4D[] = [];
  for (let y = 0; y < height; y += tileHeight) {
    const rows = Math.min(tileHeight, height - y);
    // Inputs are freed as soon as they are used, not at the end of the caller's tidy: halos overlap.
    const band = tf.tidy(() => tf.gather(padded, span(y, rows + kernelHeight - 1), 1));
    const tiles: tf.Tensor4D[] = [];
    for (let x0 = 0; x0 < width; x0 += tileWidth) {
      const columns = Math.min(tileWidth, width - x0);
      tiles.push(
        tf.tidy(() => {
          const input = tileWidth < width ? tf.gather(band, span(x0, columns + kernelWidth - 1), 2) : band;
          return tf.depthwiseConv2d(input, filter, 1, 'valid');
        }),
      );
    }
    band.dispose();
    strips.push(concatAndDispose(tiles, 2));
  }
  padded.dispose();
  return concatAndDispose(strips, 1);
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
