import * as tf from '@tensorflow/tfjs';
import {
  CHROMINANCE_TABLE,
  dctMatrix,
  LUMINANCE_TABLE,
  RGB_TO_YCBCR,
  scaledTable,
  YCBCR_TO_RGB,
} from './jpeg-tables.ts';

/*
 * A baseline JPEG encode + decode on tensors, so a whole batch is compressed on the backend without an
 * image codec: what a libjpeg round trip at 4:4:4 does, step for step, with float DCTs in place of
 * libjpeg's integer ones (which is why results may differ from a real codec by a grey level or so, and by
 * more where a coefficient sits right at a quantisation boundary).
 *
 * Where a real codec holds bytes, the simulation rounds and clips too: the encoder's input and its YCbCr
 * samples, the decoder's YCbCr samples after the inverse DCT, and its RGB output.
 *
 * Layout: the images stay NHWC. The horizontal DCT is one matrix product over rows of 8 pixels x c channels
 * (a block-diagonal 8c x 8c matrix, so channels never mix); the vertical one runs after a single transpose
 * to [n, w, c, h], where the 8 rows of a block are contiguous. Quantisation happens in that layout and the
 * inverse path mirrors the forward one, so the whole round trip costs two transposes.
 */

const BLOCK = 8;

/** Pixel indices that extend an axis of `size` to `padded` by repeating its last pixel (libjpeg's edge). */
function edgeIndex(size: number, padded: number): Int32Array {
  return Int32Array.from({ length: padded }, (_, i) => Math.min(i, size - 1));
}

function padToBlocks(x: tf.Tensor4D): tf.Tensor4D {
  const [, h, w] = x.shape;
  const ph = Math.ceil(h / BLOCK) * BLOCK;
  const pw = Math.ceil(w / BLOCK) * BLOCK;
  let out = x;
  if (ph !== h) out = tf.gather(out, tf.tensor1d(edgeIndex(h, ph), 'int32'), 1);
  if (pw !== w) out = tf.gather(out, tf.tensor1d(edgeIndex(w, pw), 'int32'), 2);
  return out;
}

/**
 * The horizontal DCT of rows laid out as 8 pixels x `channels` interleaved values: B[(x, ch), (v, ch)] =
 * C[v][x]. Its transpose is the inverse (C is orthonormal).
 */
function rowDctMatrix(dct: Float64Array, channels: number): tf.Tensor2D {
  const size = BLOCK * channels;
  const m = new Float32Array(size * size);
  for (let x = 0; x < BLOCK; x++) {
    for (let v = 0; v < BLOCK; v++) {
      for (let ch = 0; ch < channels; ch++)
        m[(x * channels + ch) * size + v * channels + ch] = dct[v * 8 + x] as number;
    }
  }
  return tf.tensor2d(m, [size, size]);
}

/*
 * Rounding as libjpeg rounds, made robust to float error. With whole-number samples, exact ties are common:
 * the DC coefficient (and any with frequencies 0 or 4 only) is a multiple of 1/8, so it often lies exactly
 * halfway between two quantisation steps, and a flat decoded block often lies exactly halfway between two
 * grey levels. libjpeg computes those exactly in integers and rounds ties away from zero (coefficients) or
 * up (samples); a float32 DCT lands a hair either side. A slack far above float32 error (about 1e-3 here)
 * and below the 1/8 spacing of such values rounds the ties libjpeg's way and moves nothing else. Measured
 * against libjpeg (through sharp) on test cards, rounding coefficient ties away from zero halves the mean
 * difference of leaving them to float error, and rounding them toward zero doubles it.
 */
const COEFFICIENT_SLACK = 1 / 32;
const SAMPLE_SLACK = 1 / 64;

/**
 * Per coefficient position, laid out like the coefficients during quantisation ([1, width, c, height]):
 * the step, and 0.5 plus the tie slack in units of that step.
 */
function quantisation(
  quality: number,
  channels: number,
  height: number,
  width: number,
): { steps: tf.Tensor4D; bias: tf.Tensor4D } {
  const tables = [scaledTable(LUMINANCE_TABLE, quality), scaledTable(CHROMINANCE_TABLE, quality)];
  const steps = new Float32Array(width * channels * height);
  const bias = new Float32Array(steps.length);
  for (let x = 0; x < width; x++) {
    for (let ch = 0; ch < channels; ch++) {
      const table = tables[ch === 0 ? 0 : 1] as Int32Array;
      const base = (x * channels + ch) * height;
      for (let y = 0; y < height; y++) {
        const step = table[(y % BLOCK) * BLOCK + (x % BLOCK)] as number;
        steps[base + y] = step;
        bias[base + y] = 0.5 + COEFFICIENT_SLACK / step;
      }
    }
  }
  const shape: [number, number, number, number] = [1, width, channels, height];
  return { steps: tf.tensor4d(steps, shape), bias: tf.tensor4d(bias, shape) };
}

/** Coefficients to whole multiples of their step, ties away from zero (libjpeg's quantiser). */
function quantise(coefficients: tf.Tensor, steps: tf.Tensor4D, bias: tf.Tensor4D): tf.Tensor {
  const levels = tf.floor(tf.add(tf.div(tf.abs(coefficients), steps), bias));
  return tf.mul(tf.mul(tf.sign(coefficients), levels), steps);
}

/** Values to bytes, ties up (libjpeg's descale), clipped to 0..255; `slack` only for inverse-DCT output. */
function toBytes(x: tf.Tensor, slack = 0): tf.Tensor {
  return tf.clipByValue(tf.floor(tf.add(x, 0.5 + slack)), 0, 255);
}

/** Per-pixel colour transform of a [..., 3] tensor: (x - before) M^T + after. */
function colourTransform(
  x: tf.Tensor4D,
  matrix: readonly number[],
  before: number[],
  after: number[],
): tf.Tensor4D {
  const m = tf.tensor2d([...matrix], [3, 3]);
  const flat = tf.sub(tf.reshape(x, [-1, 3]), tf.tensor1d(before));
  return tf.reshape(tf.add(tf.matMul(flat, m, false, true), tf.tensor1d(after)), x.shape);
}

/**
 * JPEG-compresses and decompresses every image at `quality` (1..100, rounded to an integer as libjpeg takes
 * one). Colour images are coded as YCbCr with the luminance and chrominance tables, grayscale ones as
 * luminance only. The result is whole grey levels in 0..255.
 */
export function jpegRoundTrip(x: tf.Tensor4D, quality: number): tf.Tensor4D {
  const [n, h, w, channels] = x.shape;
  return tf.tidy(() => {
    const dct = dctMatrix();
    const column = tf.tensor2d(Float32Array.from(dct), [BLOCK, BLOCK]);
    const rows = rowDctMatrix(dct, channels);
    const padded = padToBlocks(toBytes(x) as tf.Tensor4D);
    const [, ph, pw] = padded.shape;

    // Encoder: YCbCr samples are bytes; the DCT sees them level-shifted to -128..127.
    const samples =
      channels === 3 ? toBytes(colourTransform(padded, RGB_TO_YCBCR, [0, 0, 0], [0, 128, 128])) : padded;
    const shifted = tf.sub(samples, 128);
    const horizontal = tf.matMul(tf.reshape(shifted, [-1, BLOCK * channels]), rows);
    const byColumn = tf.transpose(tf.reshape(horizontal, [n, ph, pw, channels]), [0, 2, 3, 1]);
    const coefficients = tf.matMul(tf.reshape(byColumn, [-1, BLOCK]), column, false, true);

    const { steps, bias } = quantisation(quality, channels, ph, pw);
    const shape = [n, pw, channels, ph];
    const quantised = quantise(tf.reshape(coefficients, shape), steps, bias);

    // Decoder: inverse DCTs in reverse order, then bytes again before and after the colour transform.
    const columnsBack = tf.matMul(tf.reshape(quantised, [-1, BLOCK]), column);
    const nhwc = tf.transpose(tf.reshape(columnsBack, shape), [0, 3, 1, 2]);
    const rowsBack = tf.matMul(tf.reshape(nhwc, [-1, BLOCK * channels]), rows, false, true);
    const decoded = toBytes(
      tf.add(tf.reshape(rowsBack, [n, ph, pw, channels]), 128),
      SAMPLE_SLACK,
    ) as tf.Tensor4D;
    const rgb =
      channels === 3 ? toBytes(colourTransform(decoded, YCBCR_TO_RGB, [0, 128, 128], [0, 0, 0])) : decoded;
    return tf.slice(rgb, [0, 0, 0, 0], [n, h, w, channels]) as tf.Tensor4D;
  });
}
