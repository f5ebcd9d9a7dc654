import { mulberry32 } from '../../../shared/random.ts';

/** The generated demo's classes: simple strokes and shapes that blur and noise make confusable. */
export const SHAPE_CLASSES = [
  'horizontal bar',
  'vertical bar',
  'rising diagonal',
  'falling diagonal',
  'square outline',
  'filled square',
  'circle outline',
  'filled disk',
  'plus',
  'cross',
] as const;

export interface ImageSet {
  /** Images [n, size, size, 1], values 0..1. */
  x: Float32Array;
  /** Class index per image. */
  labels: Int32Array;
  n: number;
  size: number;
  classes: readonly string[];
}

/** Whether pixel (px, py) is on shape `k` centred at (cx, cy) with half-size r and stroke t. */
function inside(k: number, px: number, py: number, cx: number, cy: number, r: number, t: number): boolean {
  const dx = px - cx;
  const dy = py - cy;
  const ax = Math.abs(dx);
  const ay = Math.abs(dy);
  const d = Math.hypot(dx, dy);
  switch (k) {
    case 0:
      return ax <= r && ay <= t;
    case 1:
      return ay <= r && ax <= t;
    case 2:
      return ax <= r && ay <= r && Math.abs(dx + dy) <= t * 1.4;
    case 3:
      return ax <= r && ay <= r && Math.abs(dx - dy) <= t * 1.4;
    case 4:
      return Math.max(ax, ay) <= r && Math.max(ax, ay) >= r - 2 * t;
    case 5:
      return Math.max(ax, ay) <= r;
    case 6:
      return Math.abs(d - r) <= t;
    case 7:
      return d <= r;
    case 8:
      return (ax <= r && ay <= t) || (ay <= r && ax <= t);
    default:
      return ax <= r && ay <= r && (Math.abs(dx + dy) <= t * 1.4 || Math.abs(dx - dy) <= t * 1.4);
  }
}

/**
 * A seeded, class-balanced set of grayscale shape images: the engine's demo data until a real
 * dataset is bundled. Position, size, stroke, contrast and background noise vary per image.
 */
export function syntheticShapes(n: number, seed: number, size = 28): ImageSet {
  const random = mulberry32(seed);
  const x = new Float32Array(n * size * size);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % SHAPE_CLASSES.length;
    labels[i] = k;
    const r = size * (0.18 + 0.14 * random());
    const cx = size / 2 + (random() - 0.5) * (size - 2 * r - 2);
    const cy = size / 2 + (random() - 0.5) * (size - 2 * r - 2);
    const t = 0.8 + 1.2 * random();
    const ink = 0.6 + 0.4 * random();
    const base = i * size * size;
    for (let py = 0; py < size; py++) {
      for (let px = 0; px < size; px++) {
        const on = inside(k, px + 0.5, py + 0.5, cx, cy, r, t) ? ink : 0;
        x[base + py * size + px] = Math.min(1, Math.max(0, on + 0.08 * (random() - 0.5)));
      }
    }
  }
  return { x, labels, n, size, classes: SHAPE_CLASSES };
}
