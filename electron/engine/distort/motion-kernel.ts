import { trimAndNormalise, type Kernel2D } from './convolve.ts';
import { cachedKernel } from './kernel-cache.ts';

/*
 * The motion-blur kernel is the path of a point that moves `length` pixels in a straight line during the
 * exposure, centred on the pixel, as seen by box-shaped pixels: each kernel cell weighs the length of the
 * path inside it. That is the exact box-filtered (anti-aliased) raster of the segment, computed by clipping
 * it against every cell rather than by sampling it. Consequences worth knowing: a horizontal or vertical
 * path of odd integer length is a flat 1 x length box, an even length adds half-weight end cells, and
 * length 1 stays inside the centre cell at any angle, so it is the identity. The kernel is point-symmetric,
 * so angle and angle + 180 degrees give the same blur.
 */

const cache = new Map<string, Kernel2D>();

/**
 * Direction components this close to zero are zero (cos 90 degrees is 6e-17 in float64), and path lengths
 * this short are rounding, not coverage: a path ending exactly on a cell corner must not add a ring of
 * cells that hold nothing.
 */
const EPSILON = 1e-9;

/** The parameter interval of the path inside the cell [centre - 0.5, centre + 0.5] along one axis. */
function slab(direction: number, centre: number, half: number): [number, number] {
  if (direction === 0) return Math.abs(centre) < 0.5 ? [-half, half] : [1, 0];
  const a = (centre - 0.5) / direction;
  const b = (centre + 0.5) / direction;
  return a < b ? [a, b] : [b, a];
}

function snap(v: number): number {
  return Math.abs(v) < EPSILON ? 0 : v;
}

/** At most (length + 1)^2 cells, each clipped once: length is bounded by the level's range (41). */
function buildLineKernel(length: number, angleDegrees: number): Kernel2D {
  const radians = (angleDegrees * Math.PI) / 180;
  // Image rows grow downwards, so counter-clockwise from the x axis is a negative y step.
  const dx = snap(Math.cos(radians));
  const dy = snap(-Math.sin(radians));
  const half = length / 2;
  const radiusX = Math.max(0, Math.ceil(half * Math.abs(dx) - 0.5 - EPSILON));
  const radiusY = Math.max(0, Math.ceil(half * Math.abs(dy) - 0.5 - EPSILON));
  const width = 2 * radiusX + 1;
  const height = 2 * radiusY + 1;
  const weights = new Float64Array(width * height);
  for (let y = -radiusY; y <= radiusY; y++) {
    const [y0, y1] = slab(dy, y, half);
    for (let x = -radiusX; x <= radiusX; x++) {
      const [x0, x1] = slab(dx, x, half);
      const inside = Math.min(half, x1, y1) - Math.max(-half, x0, y0);
      if (inside > EPSILON) weights[(y + radiusY) * width + x + radiusX] = inside;
    }
  }
  return trimAndNormalise({ height, width, weights });
}

/** The motion-blur kernel of a path `length` pixels long at `angleDegrees` (counter-clockwise). */
export function lineKernel(length: number, angleDegrees = 0): Kernel2D {
  return cachedKernel(cache, `${length}@${angleDegrees}`, () => buildLineKernel(length, angleDegrees));
}
