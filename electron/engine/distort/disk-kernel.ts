import { trimAndNormalise, type Kernel2D } from './convolve.ts';
import { cachedKernel } from './kernel-cache.ts';

/*
 * The defocus kernel is a uniform disk (the geometric-optics blur circle of an out-of-focus lens) of the
 * given radius, centred on a pixel centre. Each cell weighs the fraction of its area inside the disk,
 * estimated on a SUPERSAMPLE x SUPERSAMPLE grid of sample points, so the edge is anti-aliased and small
 * radii change the blur smoothly instead of in jumps of whole pixels. The sample grid is symmetric about
 * the centre, so the kernel keeps the disk's symmetries exactly. A radius under half a pixel stays inside
 * the centre cell: the identity.
 */

const SUPERSAMPLE = 32;
const cache = new Map<string, Kernel2D>();

function coverage(cellX: number, cellY: number, radius: number): number {
  const r2 = radius * radius;
  let inside = 0;
  for (let sy = 0; sy < SUPERSAMPLE; sy++) {
    const y = cellY + (sy + 0.5) / SUPERSAMPLE - 0.5;
    for (let sx = 0; sx < SUPERSAMPLE; sx++) {
      const x = cellX + (sx + 0.5) / SUPERSAMPLE - 0.5;
      if (x * x + y * y <= r2) inside++;
    }
  }
  return inside / (SUPERSAMPLE * SUPERSAMPLE);
}

/** (2 * reach + 1)^2 cells of SUPERSAMPLE^2 samples: 1.7 million at radius 20, the level's bound. */
function buildDiskKernel(radius: number): Kernel2D {
  const reach = Math.max(0, Math.ceil(radius - 0.5));
  const size = 2 * reach + 1;
  const weights = new Float64Array(size * size);
  for (let y = -reach; y <= reach; y++) {
    for (let x = -reach; x <= reach; x++) weights[(y + reach) * size + x + reach] = coverage(x, y, radius);
  }
  // A radius too small to reach any sample point still means "no blur".
  if (weights.every((w) => w === 0)) return { height: 1, width: 1, weights: Float64Array.of(1) };
  return trimAndNormalise({ height: size, width: size, weights });
}

/** The normalised defocus (disk) kernel of a radius in pixels. */
export function diskKernel(radius: number): Kernel2D {
  return cachedKernel(cache, String(radius), () => buildDiskKernel(radius));
}
