/**
 * The distortion generator's host-side pieces, without tensor maths: Gaussian weights, motion-line and
 * disk kernels, JPEG tables and DCT, pixelation matrices, the seeded random fields, stream numbers and
 * the conversion to bytes.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { DISTORTION_KINDS, PAPER_PRESETS } from '../../shared/distortions.ts';
import { mulberry32 } from '../../shared/random.ts';
import type { Kernel2D } from '../../electron/engine/distort/convolve.ts';
import { diskKernel } from '../../electron/engine/distort/disk-kernel.ts';
import { blurKernelSize, gaussianWeights } from '../../electron/engine/distort/gaussian.ts';
import {
  CHROMINANCE_TABLE,
  dctMatrix,
  LUMINANCE_TABLE,
  RGB_TO_YCBCR,
  scaledTable,
  YCBCR_TO_RGB,
} from '../../electron/engine/distort/jpeg-tables.ts';
import { lineKernel } from '../../electron/engine/distort/motion-kernel.ts';
import {
  boxDownsampleMatrix,
  nearestCellIndex,
  pixelatedSize,
} from '../../electron/engine/distort/pixelate.ts';
import { toUint8 } from '../../electron/engine/distort/quantize.ts';
import {
  fillStandardNormal,
  normalField,
  uniformPairs,
} from '../../electron/engine/distort/random-fields.ts';
import { streamOf } from '../../electron/engine/distort/streams.ts';

function sum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] as number;
  return s;
}

function at(kernel: Kernel2D, dy: number, dx: number): number {
  const y = dy + (kernel.height - 1) / 2;
  const x = dx + (kernel.width - 1) / 2;
  if (y < 0 || y >= kernel.height || x < 0 || x >= kernel.width) return 0;
  return kernel.weights[y * kernel.width + x] as number;
}

/** A kernel equal to itself turned by 180 degrees (so correlation and convolution agree). */
function expectPointSymmetric(kernel: Kernel2D): void {
  const { weights } = kernel;
  for (let i = 0; i < weights.length; i++) {
    expect(weights[i]).toBeCloseTo(weights[weights.length - 1 - i] as number, 12);
  }
}

function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, digits: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) expect(actual[i]).toBeCloseTo(expected[i] as number, digits);
}

function expectNormalised(kernel: Kernel2D): void {
  expect(kernel.height % 2).toBe(1);
  expect(kernel.width % 2).toBe(1);
  expect(kernel.weights.length).toBe(kernel.height * kernel.width);
  expect(sum(kernel.weights)).toBeCloseTo(1, 12);
  expect(Math.min(...kernel.weights)).toBeGreaterThanOrEqual(0);
}

const ALL_BLUR_SIGMAS = [
  ...new Set([...PAPER_PRESETS['paper-cifar'].blur, ...PAPER_PRESETS['paper-imagenet'].blur]),
];

describe('Gaussian weights (OpenCV getGaussianKernel)', () => {
  it.each(ALL_BLUR_SIGMAS)('sigma %s: the normalised sampled Gaussian of the paper size', (sigma) => {
    const size = blurKernelSize(sigma, undefined);
    expect(size).toBe(Math.ceil(4 * sigma + 1) | 1);
    const w = gaussianWeights(size, sigma);
    const c = (size - 1) / 2;
    const raw = Array.from({ length: size }, (_, i) => Math.exp(-((i - c) ** 2) / (2 * sigma * sigma)));
    const total = raw.reduce((a, b) => a + b, 0);
    for (let i = 0; i < size; i++) expect(w[i]).toBeCloseTo((raw[i] as number) / total, 15);
    expect(sum(w)).toBeCloseTo(1, 14);
  });

  it('uses the paper kernel sizes of docs/method.md §1 and an explicit size when given', () => {
    expect(PAPER_PRESETS['paper-cifar'].blur.map((s) => blurKernelSize(s, undefined))).toEqual([
      3, 5, 7, 9, 11, 13,
    ]);
    expect(PAPER_PRESETS['paper-imagenet'].blur.map((s) => blurKernelSize(s, undefined))).toEqual([
      5, 9, 13, 17, 21, 25,
    ]);
    expect(blurKernelSize(2, 3)).toBe(3);
  });

  it('matches values OpenCV 4 prints for getGaussianKernel(5, 1)', () => {
    // cv2.getGaussianKernel(5, 1).ravel()
    const expected = [0.05448868, 0.24420134, 0.40261995, 0.24420134, 0.05448868];
    const w = gaussianWeights(5, 1);
    for (let i = 0; i < 5; i++) expect(w[i]).toBeCloseTo(expected[i] as number, 7);
  });

  it('refuses even sizes and non-positive sigmas', () => {
    expect(() => gaussianWeights(4, 1)).toThrow(/odd/);
    expect(() => gaussianWeights(5, 0)).toThrow(/positive/);
  });
});

describe('motion-blur line kernel', () => {
  it('length 1 is the identity at every angle', () => {
    for (const angle of [0, 17, 45, 90, 135, 200, -30]) {
      const k = lineKernel(1, angle);
      expect([k.height, k.width, k.weights[0]]).toEqual([1, 1, 1]);
    }
  });

  it('horizontal odd lengths are flat 1 x length boxes; even ones add half-weight ends', () => {
    for (const length of [3, 5, 11, 41]) {
      const k = lineKernel(length, 0);
      expect([k.height, k.width]).toEqual([1, length]);
      for (const w of k.weights) expect(w).toBeCloseTo(1 / length, 14);
    }
    const even = lineKernel(4, 0);
    expect([even.height, even.width]).toEqual([1, 5]);
    expectAllClose(
      even.weights.map((w) => w * 4),
      [0.5, 1, 1, 1, 0.5],
      12,
    );
  });

  it('90 degrees is the vertical box, 180 the horizontal one again', () => {
    const v = lineKernel(7, 90);
    expect([v.height, v.width]).toEqual([7, 1]);
    for (const w of v.weights) expect(w).toBeCloseTo(1 / 7, 14);
    const back = lineKernel(7, 180);
    expect([back.height, back.width]).toEqual([1, 7]);
    expectAllClose(back.weights, lineKernel(7, 0).weights, 12);
  });

  it('45 degrees runs up and to the right through pixel centres', () => {
    const k = lineKernel(3 * Math.SQRT2, 45);
    expectNormalised(k);
    expect([k.height, k.width]).toEqual([3, 3]);
    // Counter-clockwise from the x axis: up (smaller row) when going right.
    expect(at(k, -1, 1)).toBeCloseTo(1 / 3, 9);
    expect(at(k, 1, -1)).toBeCloseTo(1 / 3, 9);
    expect(at(k, 0, 0)).toBeCloseTo(1 / 3, 9);
    expect(at(k, 1, 1)).toBe(0);
  });

  it('any length and angle gives a normalised, point-symmetric kernel that is the path length per cell', () => {
    const random = mulberry32(7);
    for (let trial = 0; trial < 40; trial++) {
      const length = 1 + random() * 40;
      const angle = random() * 360 - 180;
      const k = lineKernel(length, angle);
      expectNormalised(k);
      expectPointSymmetric(k);
      // The kernel reaches exactly as far as the path does.
      const reachX = Math.max(0, Math.ceil((length / 2) * Math.abs(Math.cos((angle * Math.PI) / 180)) - 0.5));
      expect(k.width).toBeLessThanOrEqual(2 * reachX + 1);
      // The weights' centroid is the centre, and their spread along the direction matches a uniform segment.
      const rad = (angle * Math.PI) / 180;
      let along2 = 0;
      for (let y = 0; y < k.height; y++) {
        for (let x = 0; x < k.width; x++) {
          const dx = x - (k.width - 1) / 2;
          const dy = y - (k.height - 1) / 2;
          const t = dx * Math.cos(rad) - dy * Math.sin(rad);
          along2 += (k.weights[y * k.width + x] as number) * t * t;
        }
      }
      // A uniform segment has variance L^2 / 12; weights sit at cell centres, up to half a pixel off the
      // path on each axis, which moves the variance by at most a few twelfths.
      expect(Math.abs(along2 - (length * length) / 12)).toBeLessThan(1 / 3);
    }
  });
});

describe('defocus disk kernel', () => {
  it('radius 0 and radii inside the centre pixel are the identity', () => {
    for (const r of [0, 0.1, 0.25, 0.5]) {
      const k = diskKernel(r);
      expect([k.height, k.width, k.weights[0]]).toEqual([1, 1, 1]);
    }
  });

  it.each([0.75, 1, 1.5, 2, 3, 7.3, 20])('radius %s: normalised, symmetric, area-weighted', (r) => {
    const k = diskKernel(r);
    expectNormalised(k);
    expect(k.height).toBe(2 * Math.ceil(r - 0.5) + 1);
    expect(k.width).toBe(k.height);
    const c = (k.height - 1) / 2;
    // Cells wholly inside the disk all carry the centre's weight, about 1 / (pi r^2); cells outside none.
    const centre = k.weights[c * k.width + c] as number;
    expect(Math.abs(centre * Math.PI * r * r - 1)).toBeLessThan(0.01);
    for (let y = 0; y < k.height; y++) {
      for (let x = 0; x < k.width; x++) {
        const w = k.weights[y * k.width + x] as number;
        expect(w).toBeCloseTo(k.weights[x * k.width + y] as number, 14); // transpose
        expect(w).toBeCloseTo(k.weights[y * k.width + (k.width - 1 - x)] as number, 14); // mirror
        const near = Math.hypot(Math.max(0, Math.abs(x - c) - 0.5), Math.max(0, Math.abs(y - c) - 0.5));
        const far = Math.hypot(Math.abs(x - c) + 0.5, Math.abs(y - c) + 0.5);
        if (near >= r) expect(w).toBe(0);
        if (far <= r) expect(w).toBe(centre);
      }
    }
  });
});

describe('JPEG tables and transform', () => {
  it('quality 50 gives the Annex K tables, 100 all ones, 1 the baseline clamp', () => {
    expect(Array.from(scaledTable(LUMINANCE_TABLE, 50))).toEqual(LUMINANCE_TABLE);
    expect(Array.from(scaledTable(CHROMINANCE_TABLE, 50))).toEqual(CHROMINANCE_TABLE);
    expect(Array.from(scaledTable(LUMINANCE_TABLE, 100))).toEqual(new Array<number>(64).fill(1));
    expect(Math.max(...scaledTable(LUMINANCE_TABLE, 1))).toBe(255);
    expect(Math.min(...scaledTable(LUMINANCE_TABLE, 1))).toBe(255);
    expect(LUMINANCE_TABLE[0]).toBe(16);
    expect(LUMINANCE_TABLE[63]).toBe(99);
    expect(CHROMINANCE_TABLE[0]).toBe(17);
  });

  it('follows libjpeg jpeg_quality_scaling (integer division) for every quality', () => {
    for (let q = 1; q <= 100; q++) {
      const scale = q < 50 ? Math.trunc(5000 / q) : 200 - q * 2;
      const lum = scaledTable(LUMINANCE_TABLE, q);
      for (let i = 0; i < 64; i++) {
        const t = Math.trunc(((LUMINANCE_TABLE[i] as number) * scale + 50) / 100);
        expect(lum[i]).toBe(Math.min(255, Math.max(1, t)));
      }
    }
    // libjpeg takes an integer quality; fractional levels round.
    expect(Array.from(scaledTable(LUMINANCE_TABLE, 74.6))).toEqual(
      Array.from(scaledTable(LUMINANCE_TABLE, 75)),
    );
  });

  it('uses an orthonormal DCT-II, so its transpose inverts it', () => {
    const c = dctMatrix();
    for (let i = 0; i < 8; i++) {
      for (let j = 0; j < 8; j++) {
        let dot = 0;
        for (let k = 0; k < 8; k++) dot += (c[i * 8 + k] as number) * (c[j * 8 + k] as number);
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 14);
      }
    }
    // The DC basis row is flat: a constant block of value v has DC coefficient 8 v in 2-D.
    for (let k = 0; k < 8; k++) expect(c[k]).toBeCloseTo(Math.sqrt(1 / 8), 15);
  });

  it('has inverse JFIF colour matrices', () => {
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let dot = 0;
        for (let k = 0; k < 3; k++)
          dot += (YCBCR_TO_RGB[i * 3 + k] as number) * (RGB_TO_YCBCR[k * 3 + j] as number);
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 5);
      }
    }
  });
});

describe('pixelation matrices', () => {
  it('keeps round(size * factor) cells, at least one', () => {
    expect(pixelatedSize(32, 0.5)).toBe(16);
    expect(pixelatedSize(32, 0.85)).toBe(27);
    expect(pixelatedSize(7, 0.01)).toBe(1);
    expect(pixelatedSize(1, 0.4)).toBe(1);
    expect(pixelatedSize(224, 1)).toBe(224);
  });

  it.each([
    [32, 16],
    [32, 27],
    [7, 3],
    [13, 1],
    [5, 5],
  ])('size %i to %i cells: rows average their span, columns cover every pixel once', (size, cells) => {
    const m = boxDownsampleMatrix(size, cells);
    const columnTotals = new Float64Array(size);
    for (let i = 0; i < cells; i++) {
      const row = m.subarray(i * size, (i + 1) * size);
      expect(sum(row)).toBeCloseTo(1, 6);
      for (let j = 0; j < size; j++)
        columnTotals[j] = (columnTotals[j] as number) + (row[j] as number) * (size / cells);
    }
    for (const t of columnTotals) expect(t).toBeCloseTo(1, 5);
    if (cells === size) for (let i = 0; i < size; i++) expect(m[i * size + i]).toBe(1);
    const index = nearestCellIndex(size, cells);
    expect(index[0]).toBe(0);
    expect(index[size - 1]).toBe(cells - 1);
    for (let y = 1; y < size; y++)
      expect((index[y] as number) - (index[y - 1] as number)).toBeGreaterThanOrEqual(0);
    // Every cell is shown somewhere, as a run of floor or ceil(size / cells) pixels.
    const counts = new Array<number>(cells).fill(0);
    for (const i of index) counts[i] = (counts[i] as number) + 1;
    for (const c of counts) {
      expect(c).toBeGreaterThanOrEqual(Math.floor(size / cells));
      expect(c).toBeLessThanOrEqual(Math.ceil(size / cells));
    }
  });
});

describe('seeded random fields', () => {
  it('give standard normal draws: mean 0, variance 1, symmetric tails', () => {
    const z = new Float32Array(200_000);
    fillStandardNormal(z, 0, z.length, 12345);
    let mean = 0;
    for (const v of z) mean += v;
    mean /= z.length;
    let variance = 0;
    let beyond2 = 0;
    for (const v of z) {
      variance += (v - mean) ** 2;
      if (Math.abs(v) > 2) beyond2++;
    }
    variance /= z.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.015);
    expect(beyond2 / z.length).toBeCloseTo(0.0455, 2);
    expect(z.every(Number.isFinite)).toBe(true);
  });

  it('are a pure function of the seed, image by image, whatever the batch', () => {
    const seeds = Uint32Array.of(5, 99, 5);
    const batch = normalField(seeds, 7);
    const alone = normalField(Uint32Array.of(99), 7);
    expect(batch.subarray(7, 14)).toEqual(alone);
    expect(batch.subarray(0, 7)).toEqual(batch.subarray(14, 21));
    expect(batch.subarray(0, 7)).not.toEqual(batch.subarray(7, 14));
    // An odd count draws the same leading values as a longer one.
    const longer = normalField(Uint32Array.of(99), 8);
    expect(longer.subarray(0, 7)).toEqual(alone);
  });

  it('draw two uniforms per location from the same streams', () => {
    const { hit, coin } = uniformPairs(Uint32Array.of(42, 43), 3);
    const random = mulberry32(43);
    for (let j = 3; j < 6; j++) {
      expect(hit[j]).toBe(random());
      expect(coin[j]).toBe(random());
    }
  });

  it('have a distinct, fixed stream number per kind', () => {
    const streams = DISTORTION_KINDS.map(streamOf);
    expect(new Set(streams).size).toBe(DISTORTION_KINDS.length);
    expect([streamOf('noise'), streamOf('speckle'), streamOf('salt-pepper')]).toEqual([2, 9, 8]);
  });
});

describe('toUint8', () => {
  it('rounds halves away from zero, clips to 0..255 and maps NaN to 0', async () => {
    const t = tf.tensor1d([
      -3,
      -0.5,
      0,
      0.49,
      0.5,
      1.5,
      2.5,
      127.5,
      254.49,
      254.5,
      255,
      300,
      NaN,
      Infinity,
      -Infinity,
    ]);
    expect(Array.from(await toUint8(t))).toEqual([0, 0, 0, 0, 1, 2, 3, 128, 254, 255, 255, 255, 0, 255, 0]);
    t.dispose();
  });

  it('keeps NHWC order and leaves the tensor alone', async () => {
    const values = Array.from({ length: 2 * 3 * 2 * 3 }, (_, i) => i * 7);
    const t = tf.tensor4d(values, [2, 3, 2, 3]);
    const before = tf.memory().numTensors;
    expect(Array.from(await toUint8(t))).toEqual(values.map((v) => Math.min(255, v)));
    expect(tf.memory().numTensors).toBe(before);
    expect(t.isDisposed).toBe(false);
    t.dispose();
  });
});
