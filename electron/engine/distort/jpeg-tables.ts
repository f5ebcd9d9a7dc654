/*
 * The constants of baseline JPEG (ITU-T T.81 and JFIF), as libjpeg uses them. Tables are in natural
 * (row-major) order: row = vertical frequency, column = horizontal frequency.
 */

/** T.81 Annex K, Table K.1: the example luminance quantisation table every common encoder starts from. */
export const LUMINANCE_TABLE: readonly number[] = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22,
  29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103,
  121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];

/** T.81 Annex K, Table K.2: the chrominance table. */
export const CHROMINANCE_TABLE: readonly number[] = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99,
  99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
];

/**
 * libjpeg's jpeg_quality_scaling and jpeg_add_quant_table (force_baseline): quality 1..100 becomes a
 * percentage (integer division, as libjpeg), each entry floor((t * s + 50) / 100) clamped to 1..255.
 * Quality 50 gives the Annex K tables, quality 100 all ones.
 */
export function scaledTable(base: readonly number[], quality: number): Int32Array {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const scale = q < 50 ? Math.floor(5000 / q) : 200 - 2 * q;
  return Int32Array.from(base, (t) => Math.min(255, Math.max(1, Math.floor((t * scale + 50) / 100))));
}

/** The orthonormal 8-point DCT-II matrix, C[u][x] = a(u) cos((2x + 1) u pi / 16): JPEG's transform. */
export function dctMatrix(): Float64Array {
  const c = new Float64Array(64);
  for (let u = 0; u < 8; u++) {
    const a = u === 0 ? Math.sqrt(1 / 8) : Math.sqrt(2 / 8);
    for (let x = 0; x < 8; x++) c[u * 8 + x] = a * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
  }
  return c;
}

/** JFIF's RGB -> YCbCr matrix (rows Y, Cb, Cr; Cb and Cr are then offset by 128). */
export const RGB_TO_YCBCR: readonly number[] = [
  0.299, 0.587, 0.114, -0.168735892, -0.331264108, 0.5, 0.5, -0.418687589, -0.081312411,
];

/** JFIF's YCbCr -> RGB matrix, applied after removing the 128 offset of Cb and Cr. */
export const YCBCR_TO_RGB: readonly number[] = [1, 0, 1.402, 1, -0.344136286, -0.714136286, 1, 1.772, 0];
