/**
 * distortBatch on the wasm and cpu backends: every kind against a float64 (or, for the seeded kinds,
 * bit-exact) reference written from its definition, identity levels, noise statistics, seeding (batch
 * independence, identical bytes on both backends, a fixed field across levels), leaks and validation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { DistortionKind, DistortionSpec } from '../../shared/distortions.ts';
import { DistortionSpecError } from '../../shared/distortions.ts';
import { imageSeed, mulberry32 } from '../../shared/random.ts';
import { prepareBackend } from '../../electron/engine/backend/probes.ts';
import { distortBatch, type ImageSeeds } from '../../electron/engine/distort/apply.ts';
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
import { normalField, uniformPairs } from '../../electron/engine/distort/random-fields.ts';
import { streamOf } from '../../electron/engine/distort/streams.ts';

type Shape = [number, number, number, number];
type BackendName = 'wasm' | 'cpu';
const BACKENDS: BackendName[] = ['wasm', 'cpu'];
const SHAPES: Shape[] = [
  [2, 5, 7, 1],
  [3, 32, 32, 3],
  [1, 13, 29, 3],
];

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function numDataIds(): number {
  return (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Seeded pixel values on 0..255: whole grey levels (as decoded images are) or any float. */
function randomImages(shape: Shape, seed: number, integers = true): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length: size(shape) }, () =>
    integers ? Math.floor(random() * 256) : random() * 255,
  );
}

function seedsFor(n: number, seed = 17, firstId = 0): ImageSeeds {
  return { seed, ids: Array.from({ length: n }, (_, i) => firstId + 3 * i) };
}

/**
 * distortBatch on the active backend, on a fresh upload of `values`; checks the result's shape and type,
 * that the input survives, and that neither tensors nor backend data ids are left behind.
 */
function distort(values: Float32Array, shape: Shape, spec: DistortionSpec, seeds: ImageSeeds): Float32Array {
  const x = tf.tensor4d(values, shape);
  const tensors = tf.memory().numTensors;
  const ids = numDataIds();
  const out = distortBatch(x, spec, seeds);
  expect(out).not.toBe(x);
  expect(out.shape).toEqual(shape);
  expect(out.dtype).toBe('float32');
  const result = (out.dataSync() as Float32Array).slice();
  out.dispose();
  expect(tf.memory().numTensors, `${spec.kind} left tensors behind`).toBe(tensors);
  expect(numDataIds(), `${spec.kind} left backend data behind`).toBe(ids);
  expect(x.isDisposed).toBe(false);
  x.dispose();
  return result;
}

async function use(backend: BackendName): Promise<void> {
  if (tf.getBackend() !== backend) expect(await tf.setBackend(backend)).toBe(true);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(maxAbsDiff(actual, expected)).toBeLessThanOrEqual(tolerance);
}

/** Correlation of every channel with a kernel, zero border, float64. */
function refCorrelate(x: ArrayLike<number>, shape: Shape, kernel: Kernel2D): Float64Array {
  const [n, h, w, c] = shape;
  const out = new Float64Array(size(shape));
  const cy = (kernel.height - 1) / 2;
  const cx = (kernel.width - 1) / 2;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        for (let ch = 0; ch < c; ch++) {
          let s = 0;
          for (let ky = 0; ky < kernel.height; ky++) {
            const sy = y + ky - cy;
            if (sy < 0 || sy >= h) continue;
            for (let kx = 0; kx < kernel.width; kx++) {
              const sx = xx + kx - cx;
              if (sx < 0 || sx >= w) continue;
              s +=
                (kernel.weights[ky * kernel.width + kx] as number) *
                (x[((b * h + sy) * w + sx) * c + ch] as number);
            }
          }
          out[((b * h + y) * w + xx) * c + ch] = s;
        }
      }
    }
  }
  return out;
}

function outerKernel(weights: Float64Array): Kernel2D {
  const k = weights.length;
  const out = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) out[i * k + j] = (weights[i] as number) * (weights[j] as number);
  return { height: k, width: k, weights: out };
}

function imageStreamSeeds(seeds: ImageSeeds, kind: DistortionKind): Uint32Array {
  return Uint32Array.from(seeds.ids, (id) => imageSeed(seeds.seed, id, streamOf(kind)));
}

function pixelsPerImage(shape: Shape): number {
  return shape[1] * shape[2] * shape[3];
}

/** What the noise kinds must give, bit for bit: float32 arithmetic with the JS-drawn field. */
function refNoise(x: Float32Array, shape: Shape, spec: DistortionSpec, seeds: ImageSeeds): Float32Array {
  const out = new Float32Array(x.length);
  const f = Math.fround;
  const clip = (v: number) => Math.min(255, Math.max(0, v));
  if (spec.kind === 'salt-pepper') {
    const [n, h, w, c] = shape;
    const { hit, coin } = uniformPairs(imageStreamSeeds(seeds, spec.kind), h * w);
    for (let p = 0; p < n * h * w; p++) {
      for (let ch = 0; ch < c; ch++) {
        const i = p * c + ch;
        out[i] = (hit[p] as number) < spec.level ? ((coin[p] as number) < 0.5 ? 0 : 255) : (x[i] as number);
      }
    }
    return out;
  }
  const z = normalField(imageStreamSeeds(seeds, spec.kind), pixelsPerImage(shape));
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    const zi = z[i] as number;
    if (spec.kind === 'noise') {
      const noisy = f(v + f(spec.level * zi));
      out[i] = spec.clip === true ? clip(noisy) : noisy;
    } else {
      out[i] = clip(f(v * f(1 + spec.level * zi)));
    }
  }
  return out;
}

function refContrast(x: Float32Array, shape: Shape, factor: number): Float64Array {
  const per = pixelsPerImage(shape);
  const out = new Float64Array(x.length);
  for (let b = 0; b < shape[0]; b++) {
    let mean = 0;
    for (let i = b * per; i < (b + 1) * per; i++) mean += x[i] as number;
    mean /= per;
    for (let i = b * per; i < (b + 1) * per; i++) out[i] = mean + factor * ((x[i] as number) - mean);
  }
  return out;
}

/** Pixelation from its definition: each pixel shows the area average of the cell its centre falls in. */
function refPixelate(x: Float32Array, shape: Shape, factor: number): Float64Array {
  const [n, h, w, c] = shape;
  const cellsY = Math.max(1, Math.round(h * factor));
  const cellsX = Math.max(1, Math.round(w * factor));
  const span = (pixels: number, cells: number, p: number): [number, number] => {
    const cell = Math.min(cells - 1, Math.floor(((p + 0.5) * cells) / pixels));
    return [(cell * pixels) / cells, ((cell + 1) * pixels) / cells];
  };
  const overlap = (i: number, [a, b]: [number, number]) => Math.max(0, Math.min(b, i + 1) - Math.max(a, i));
  const out = new Float64Array(x.length);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      const sy = span(h, cellsY, y);
      for (let xx = 0; xx < w; xx++) {
        const sx = span(w, cellsX, xx);
        const area = (sy[1] - sy[0]) * (sx[1] - sx[0]);
        for (let ch = 0; ch < c; ch++) {
          let s = 0;
          for (let i = Math.floor(sy[0]); i < Math.ceil(sy[1]); i++) {
            for (let j = Math.floor(sx[0]); j < Math.ceil(sx[1]); j++) {
              s += overlap(i, sy) * overlap(j, sx) * (x[((b * h + i) * w + j) * c + ch] as number);
            }
          }
          out[((b * h + y) * w + xx) * c + ch] = s / area;
        }
      }
    }
  }
  return out;
}

/** Rounds half up and clips to 0..255; `slack` moves exact ties of inverse-DCT output up, as libjpeg. */
const toByte = (v: number, slack = 0) => Math.min(255, Math.max(0, Math.floor(v + 0.5 + slack)));

/**
 * A float64 JPEG round trip written block by block from T.81 (the direct 2-D DCT formula, no matrices),
 * rounding as libjpeg: coefficients half away from zero, samples half up (exact ties in float64 are nudged
 * by the same slack as the engine's, far below the 1/8 spacing of values that can tie).
 */
function refJpeg(x: Float32Array, shape: Shape, quality: number): Float64Array {
  const [n, h, w, c] = shape;
  const ph = Math.ceil(h / 8) * 8;
  const pw = Math.ceil(w / 8) * 8;
  const tables = [scaledTable(LUMINANCE_TABLE, quality), scaledTable(CHROMINANCE_TABLE, quality)];
  const cosine = dctMatrix();
  const out = new Float64Array(x.length);
  for (let b = 0; b < n; b++) {
    // Encoder input: bytes, padded by repeating the last row and column, then YCbCr bytes.
    const planes = Array.from({ length: c }, () => new Float64Array(ph * pw));
    for (let y = 0; y < ph; y++) {
      for (let xx = 0; xx < pw; xx++) {
        const src = ((b * h + Math.min(y, h - 1)) * w + Math.min(xx, w - 1)) * c;
        const px = Array.from({ length: c }, (_, ch) => toByte(x[src + ch] as number));
        for (let ch = 0; ch < c; ch++) {
          let v = px[ch] as number;
          if (c === 3) {
            v = ch === 0 ? 0 : 128;
            for (let k = 0; k < 3; k++) v += (RGB_TO_YCBCR[ch * 3 + k] as number) * (px[k] as number);
            v = toByte(v);
          }
          (planes[ch] as Float64Array)[y * pw + xx] = v - 128;
        }
      }
    }
    for (let ch = 0; ch < c; ch++) {
      const plane = planes[ch] as Float64Array;
      const table = tables[ch === 0 ? 0 : 1] as Int32Array;
      for (let by = 0; by < ph; by += 8) {
        for (let bx = 0; bx < pw; bx += 8) {
          const coef = new Float64Array(64);
          for (let u = 0; u < 8; u++) {
            for (let v = 0; v < 8; v++) {
              let s = 0;
              for (let i = 0; i < 8; i++) {
                for (let j = 0; j < 8; j++) {
                  s +=
                    (cosine[u * 8 + i] as number) *
                    (cosine[v * 8 + j] as number) *
                    (plane[(by + i) * pw + bx + j] as number);
                }
              }
              const q = table[u * 8 + v] as number;
              coef[u * 8 + v] = Math.sign(s) * Math.floor(Math.abs(s) / q + 0.5 + 1 / 32 / q) * q;
            }
          }
          for (let i = 0; i < 8; i++) {
            for (let j = 0; j < 8; j++) {
              let s = 0;
              for (let u = 0; u < 8; u++) {
                for (let v = 0; v < 8; v++)
                  s +=
                    (cosine[u * 8 + i] as number) *
                    (cosine[v * 8 + j] as number) *
                    (coef[u * 8 + v] as number);
              }
              plane[(by + i) * pw + bx + j] = toByte(s + 128, 1 / 64);
            }
          }
        }
      }
    }
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        const ycc = planes.map((p) => p[y * pw + xx] as number);
        for (let ch = 0; ch < c; ch++) {
          let v = ycc[ch] as number;
          if (c === 3) {
            v = 0;
            for (let k = 0; k < 3; k++)
              v += (YCBCR_TO_RGB[ch * 3 + k] as number) * ((ycc[k] as number) - (k === 0 ? 0 : 128));
            v = toByte(v);
          }
          out[((b * h + y) * w + xx) * c + ch] = v;
        }
      }
    }
  }
  return out;
}

function countDifferent(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d++;
  return d;
}

function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] as number;
  return s / values.length;
}

function std(values: ArrayLike<number>): number {
  const m = mean(values);
  let s = 0;
  for (let i = 0; i < values.length; i++) s += ((values[i] as number) - m) ** 2;
  return Math.sqrt(s / values.length);
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  const outcome = await prepareBackend('wasm');
  expect(outcome.ok, outcome.detail).toBe(true);
});

afterAll(async () => {
  await use('wasm');
});

const shapeName = (s: Shape) => s.join('x');

describe.each(BACKENDS)('%s backend against float64 references', (backend) => {
  beforeAll(async () => {
    await use(backend);
  });

  it.each(SHAPES.map((s) => [shapeName(s), s] as const))('Gaussian blur on %s', (_name, shape) => {
    const x = randomImages(shape, 1, false);
    const cases: [number, number | undefined][] = [
      [0.5, undefined],
      [1.5, undefined],
      [3, undefined],
      [6, undefined], // kernel 25: wider than the smallest images
      [2, 3],
    ];
    for (const [sigma, kernelSize] of cases) {
      const spec: DistortionSpec =
        kernelSize === undefined
          ? { kind: 'blur', level: sigma }
          : { kind: 'blur', level: sigma, kernelSize };
      const expected = refCorrelate(
        x,
        shape,
        outerKernel(gaussianWeights(blurKernelSize(sigma, kernelSize), sigma)),
      );
      expectClose(distort(x, shape, spec, seedsFor(shape[0])), expected, 2e-3);
    }
  });

  it.each(SHAPES.map((s) => [shapeName(s), s] as const))('motion blur and defocus on %s', (_name, shape) => {
    const x = randomImages(shape, 2, false);
    for (const [length, angle] of [
      [3, 0],
      [7.5, 30],
      [5, 90],
      [11, 135],
    ] as const) {
      const spec: DistortionSpec = { kind: 'motion-blur', level: length, angle };
      expectClose(
        distort(x, shape, spec, seedsFor(shape[0])),
        refCorrelate(x, shape, lineKernel(length, angle)),
        2e-3,
      );
    }
    for (const radius of [0.75, 2, 3.5]) {
      const spec: DistortionSpec = { kind: 'defocus', level: radius };
      expectClose(
        distort(x, shape, spec, seedsFor(shape[0])),
        refCorrelate(x, shape, diskKernel(radius)),
        2e-3,
      );
    }
  });

  it.each(SHAPES.map((s) => [shapeName(s), s] as const))(
    'noise, speckle and salt-pepper on %s, bit for bit',
    (_name, shape) => {
      const x = randomImages(shape, 3);
      const seeds = seedsFor(shape[0], 99, 5);
      const specs: DistortionSpec[] = [
        { kind: 'noise', level: 30 },
        { kind: 'noise', level: 100, clip: true },
        { kind: 'speckle', level: 0.2 },
        { kind: 'salt-pepper', level: 0.1 },
      ];
      for (const spec of specs)
        expect(distort(x, shape, spec, seeds)).toEqual(refNoise(x, shape, spec, seeds));
    },
  );

  it.each(SHAPES.map((s) => [shapeName(s), s] as const))(
    'contrast, brightness and pixelate on %s',
    (_name, shape) => {
      const x = randomImages(shape, 4, false);
      const seeds = seedsFor(shape[0]);
      for (const factor of [0, 0.3, 0.75]) {
        expectClose(
          distort(x, shape, { kind: 'contrast', level: factor }, seeds),
          refContrast(x, shape, factor),
          2e-3,
        );
      }
      for (const shift of [-77, 13, 200]) {
        const expected = x.map((v) => Math.min(255, Math.max(0, Math.fround(v + shift))));
        expect(distort(x, shape, { kind: 'brightness', level: shift }, seeds)).toEqual(expected);
      }
      for (const factor of [0.85, 0.5, 0.4, 0.13, 0.01]) {
        expectClose(
          distort(x, shape, { kind: 'pixelate', level: factor }, seeds),
          refPixelate(x, shape, factor),
          2e-3,
        );
      }
    },
  );

  it.each([
    ['2x5x7x1', [2, 5, 7, 1]],
    ['1x13x29x3', [1, 13, 29, 3]],
    ['2x16x24x3', [2, 16, 24, 3]],
    ['1x9x17x1', [1, 9, 17, 1]],
  ] as [string, Shape][])('JPEG on %s matches a float64 block-by-block codec', (_name, shape) => {
    const x = randomImages(shape, 5);
    for (const quality of [10, 50, 90, 100]) {
      const actual = distort(x, shape, { kind: 'jpeg', level: quality }, seedsFor(shape[0]));
      const expected = refJpeg(x, shape, quality);
      // Whole grey levels in range, as a decoder gives.
      expect(actual.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true);
      // Identical for these images (measured); float32 against float64 could still round a coefficient that
      // sits within float error of a quantisation boundary (not an exact tie) the other way.
      expect(countDifferent(actual, expected) / actual.length, `quality ${quality}`).toBeLessThan(0.002);
      expect(
        mean(actual.map((v, i) => Math.abs(v - (expected[i] as number)))),
        `quality ${quality}`,
      ).toBeLessThan(0.01);
    }
  });
});

describe('identity levels', () => {
  const identities: DistortionSpec[] = [
    { kind: 'blur', level: 0 },
    { kind: 'noise', level: 0 },
    { kind: 'motion-blur', level: 1 },
    { kind: 'motion-blur', level: 1, angle: 37 },
    { kind: 'defocus', level: 0 },
    { kind: 'defocus', level: 0.3 },
    { kind: 'contrast', level: 1 },
    { kind: 'brightness', level: 0 },
    { kind: 'salt-pepper', level: 0 },
    { kind: 'speckle', level: 0 },
    { kind: 'pixelate', level: 1 },
  ];
  it.each(BACKENDS)('return exact copies on %s', async (backend) => {
    await use(backend);
    for (const shape of SHAPES) {
      const x = randomImages(shape, 6, false);
      for (const spec of identities)
        expect(distort(x, shape, spec, seedsFor(shape[0])), JSON.stringify(spec)).toEqual(x);
    }
  });

  it('JPEG quality 100 is close to lossless on a smooth image', async () => {
    await use('wasm');
    const shape: Shape = [1, 24, 40, 3];
    const x = new Float32Array(size(shape));
    for (let y = 0; y < 24; y++) {
      for (let xx = 0; xx < 40; xx++) {
        for (let ch = 0; ch < 3; ch++) x[(y * 40 + xx) * 3 + ch] = 20 + 3 * xx + 2 * y + 20 * ch;
      }
    }
    const out = distort(x, shape, { kind: 'jpeg', level: 100 }, seedsFor(1));
    expect(maxAbsDiff(out, x)).toBeLessThanOrEqual(2);
    expect(mean(out.map((v, i) => Math.abs(v - (x[i] as number))))).toBeLessThan(1);
  });
});

describe('noise statistics', () => {
  const shape: Shape = [4, 64, 64, 3];
  const flat = new Float32Array(size(shape)).fill(128);

  it('additive noise has mean 0 and standard deviation sigma, and is unclipped by default', async () => {
    await use('wasm');
    for (const sigma of [5, 30, 100]) {
      const noise = distort(flat, shape, { kind: 'noise', level: sigma }, seedsFor(4)).map((v) => v - 128);
      const tolerance = (4 * sigma) / Math.sqrt(noise.length);
      expect(Math.abs(mean(noise))).toBeLessThan(tolerance);
      expect(Math.abs(std(noise) / sigma - 1)).toBeLessThan(0.015);
      if (sigma === 100) {
        expect(Math.min(...noise)).toBeLessThan(-128);
        expect(Math.max(...noise)).toBeGreaterThan(127);
      }
    }
    const clipped = distort(flat, shape, { kind: 'noise', level: 100, clip: true }, seedsFor(4));
    expect(Math.min(...clipped)).toBe(0);
    expect(Math.max(...clipped)).toBe(255);
  });

  it('speckle scales with the pixel: std sigma * x', async () => {
    await use('wasm');
    const x = new Float32Array(size(shape)).fill(100);
    const out = distort(x, shape, { kind: 'speckle', level: 0.2 }, seedsFor(4));
    expect(Math.abs(mean(out) - 100)).toBeLessThan(0.5);
    expect(Math.abs(std(out) / 20 - 1)).toBeLessThan(0.015);
    const black = distort(new Float32Array(size(shape)), shape, { kind: 'speckle', level: 2 }, seedsFor(4));
    expect(black.every((v) => v === 0)).toBe(true);
  });

  it('salt-pepper hits the given fraction of pixel locations, all channels alike, half white', async () => {
    await use('wasm');
    const [n, h, w, c] = shape;
    for (const fraction of [0.01, 0.05, 0.3, 1]) {
      const out = distort(flat, shape, { kind: 'salt-pepper', level: fraction }, seedsFor(n));
      let hit = 0;
      let white = 0;
      for (let p = 0; p < n * h * w; p++) {
        const px = out.subarray(p * c, (p + 1) * c);
        if (px[0] === 128) {
          expect(Array.from(px)).toEqual([128, 128, 128]);
          continue;
        }
        hit++;
        expect(px[0] === 0 || px[0] === 255).toBe(true);
        expect(Array.from(px)).toEqual(new Array<number>(c).fill(px[0] as number));
        if (px[0] === 255) white++;
      }
      const locations = n * h * w;
      const sd = Math.sqrt(locations * fraction * (1 - fraction));
      expect(Math.abs(hit - locations * fraction)).toBeLessThanOrEqual(5 * sd + 1e-9);
      expect(Math.abs(white - hit / 2)).toBeLessThanOrEqual(5 * Math.sqrt(hit / 4));
    }
  });

  it('salt-pepper levels are nested: pixels hit at a low fraction are hit, the same way, at a higher one', async () => {
    await use('wasm');
    const low = distort(flat, shape, { kind: 'salt-pepper', level: 0.02 }, seedsFor(4));
    const high = distort(flat, shape, { kind: 'salt-pepper', level: 0.07 }, seedsFor(4));
    for (let i = 0; i < low.length; i++) if (low[i] !== 128) expect(high[i]).toBe(low[i]);
  });
});

describe('seeding', () => {
  const ALL_SPECS: DistortionSpec[] = [
    { kind: 'blur', level: 1.5 },
    { kind: 'noise', level: 20 },
    { kind: 'noise', level: 20, clip: true },
    { kind: 'motion-blur', level: 5, angle: 20 },
    { kind: 'defocus', level: 1.5 },
    { kind: 'jpeg', level: 30 },
    { kind: 'contrast', level: 0.4 },
    { kind: 'brightness', level: 51 },
    { kind: 'salt-pepper', level: 0.05 },
    { kind: 'speckle', level: 0.12 },
    { kind: 'pixelate', level: 0.5 },
  ];

  it.each(BACKENDS)(
    'a batch equals its images distorted one by one with the same ids (%s)',
    async (backend) => {
      await use(backend);
      const shape: Shape = [3, 20, 12, 3];
      const x = randomImages(shape, 7);
      const seeds: ImageSeeds = { seed: 2024, ids: [7, 0, 123456] };
      const per = pixelsPerImage(shape);
      for (const spec of ALL_SPECS) {
        const batch = distort(x, shape, spec, seeds);
        for (let i = 0; i < 3; i++) {
          const alone = distort(x.slice(i * per, (i + 1) * per), [1, 20, 12, 3], spec, {
            seed: 2024,
            ids: [seeds.ids[i] as number],
          });
          expect(batch.subarray(i * per, (i + 1) * per), `${JSON.stringify(spec)} image ${i}`).toEqual(alone);
        }
      }
    },
  );

  it('the noise kinds give identical bytes on cpu and wasm; the others agree closely', async () => {
    for (const shape of SHAPES) {
      const x = randomImages(shape, 8, false);
      const seeds = seedsFor(shape[0], 5, 40);
      const results: Record<BackendName, Float32Array[]> = { wasm: [], cpu: [] };
      for (const backend of BACKENDS) {
        await use(backend);
        for (const spec of ALL_SPECS) results[backend].push(distort(x, shape, spec, seeds));
      }
      ALL_SPECS.forEach((spec, i) => {
        const wasm = results.wasm[i] as Float32Array;
        const cpu = results.cpu[i] as Float32Array;
        if (
          spec.kind === 'noise' ||
          spec.kind === 'speckle' ||
          spec.kind === 'salt-pepper' ||
          spec.kind === 'brightness'
        ) {
          expect(wasm, JSON.stringify(spec)).toEqual(cpu);
        } else if (spec.kind === 'jpeg') {
          expect(countDifferent(wasm, cpu) / wasm.length).toBeLessThan(0.002);
        } else {
          expectClose(wasm, cpu, 2e-3);
        }
      });
    }
  });

  it('different ids and different seeds give different noise; the field is the same at every level', async () => {
    await use('wasm');
    const shape: Shape = [2, 16, 16, 3];
    const per = pixelsPerImage(shape);
    const flat = new Float32Array(size(shape)).fill(100);
    const a = distort(flat, shape, { kind: 'noise', level: 10 }, { seed: 1, ids: [3, 4] });
    expect(countDifferent(a.subarray(0, per), a.subarray(per))).toBeGreaterThan(per * 0.99);
    const otherSeed = distort(flat, shape, { kind: 'noise', level: 10 }, { seed: 2, ids: [3, 4] });
    expect(countDifferent(a, otherSeed)).toBeGreaterThan(a.length * 0.99);
    const swapped = distort(flat, shape, { kind: 'noise', level: 10 }, { seed: 1, ids: [4, 3] });
    expect(swapped.subarray(0, per)).toEqual(a.subarray(per));
    // Level 40 is level 10's field, four times as strong (up to float32 rounding).
    const strong = distort(flat, shape, { kind: 'noise', level: 40 }, { seed: 1, ids: [3, 4] });
    for (let i = 0; i < a.length; i++)
      expect(Math.abs((strong[i] as number) - 100 - 4 * ((a[i] as number) - 100))).toBeLessThan(1e-3);
    // Speckle draws its own stream: not the noise field rescaled.
    const speckle = distort(flat, shape, { kind: 'speckle', level: 0.1 }, { seed: 1, ids: [3, 4] });
    expect(countDifferent(speckle, a)).toBeGreaterThan(a.length * 0.99);
  });
});

describe('validation and edge cases', () => {
  beforeAll(async () => {
    await use('wasm');
  });

  const image = () => tf.zeros<tf.Rank.R4>([2, 4, 4, 3]);
  const good: ImageSeeds = { seed: 1, ids: [0, 1] };

  it.each([
    [{ kind: 'blur', level: -1 }, /outside/],
    [{ kind: 'blur', level: 21 }, /outside/],
    [{ kind: 'noise', level: Number.NaN }, /outside/],
    [{ kind: 'jpeg', level: 0 }, /outside/],
    [{ kind: 'pixelate', level: 0 }, /outside/],
    [{ kind: 'blur', level: 1, kernelSize: 4 }, /odd/],
    [{ kind: 'noise', level: 1, kernelSize: 5 }, /blur only/],
    [{ kind: 'blur', level: 1, clip: true }, /noise only/],
    [{ kind: 'blur', level: 1, angle: 30 }, /motion-blur only/],
    [{ kind: 'motion-blur', level: 3, angle: Number.POSITIVE_INFINITY }, /motion-blur only/],
  ] as [DistortionSpec, RegExp][])('refuses %j', (spec, message) => {
    const x = image();
    const before = tf.memory().numTensors;
    expect(() => distortBatch(x, spec, good)).toThrow(message);
    expect(() => distortBatch(x, spec, good)).toThrow(DistortionSpecError);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('refuses bad images and seeds with a message that says what is wrong', () => {
    const blur: DistortionSpec = { kind: 'blur', level: 1 };
    const x = image();
    const before = tf.memory().numTensors;
    expect(() => distortBatch(x, blur, { seed: 1, ids: [0] })).toThrow(/1 image ids for a batch of 2/);
    expect(() => distortBatch(x, { kind: 'noise', level: 5 }, { seed: 1, ids: [0, 1.5] })).toThrow(
      /image id 1.5/,
    );
    expect(() => distortBatch(x, blur, { seed: 1, ids: [-1, 0] })).toThrow(/image id -1/);
    expect(() => distortBatch(x, blur, { seed: 0.5, ids: [0, 1] })).toThrow(/seed must be an integer/);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    const two = tf.zeros<tf.Rank.R4>([1, 4, 4, 2]);
    expect(() => distortBatch(two, blur, { seed: 1, ids: [0] })).toThrow(/1 or 3 channels/);
    two.dispose();
    const ints = tf.zeros<tf.Rank.R4>([1, 4, 4, 3], 'int32');
    expect(() => distortBatch(ints, blur, { seed: 1, ids: [0] })).toThrow(/float32/);
    ints.dispose();
    const rank3 = tf.zeros([4, 4, 3]) as unknown as tf.Tensor4D;
    expect(() => distortBatch(rank3, blur, { seed: 1, ids: [0] })).toThrow(/\[n, h, w, c\]/);
    rank3.dispose();
  });

  it('handles an empty batch and 1 x 1 images', () => {
    const empty = tf.zeros<tf.Rank.R4>([0, 8, 8, 3]);
    const out = distortBatch(empty, { kind: 'noise', level: 10 }, { seed: 1, ids: [] });
    expect(out.shape).toEqual([0, 8, 8, 3]);
    out.dispose();
    empty.dispose();
    const shape: Shape = [2, 1, 1, 3];
    const x = Float32Array.of(10, 20, 30, 200, 100, 0);
    const kinds: DistortionSpec[] = [
      { kind: 'blur', level: 2 },
      { kind: 'motion-blur', level: 9, angle: 45 },
      { kind: 'defocus', level: 3 },
      { kind: 'jpeg', level: 50 },
      { kind: 'pixelate', level: 0.3 },
      { kind: 'contrast', level: 0.5 },
      { kind: 'noise', level: 10 },
    ];
    for (const spec of kinds) expect(distort(x, shape, spec, seedsFor(2)).every(Number.isFinite)).toBe(true);
    expect(distort(x, shape, { kind: 'pixelate', level: 0.3 }, seedsFor(2))).toEqual(x);
  });
});
