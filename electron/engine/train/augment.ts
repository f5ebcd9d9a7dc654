import { imageSeed, mulberry32 } from '../../../shared/random.ts';

/** Light training augmentation (docs/method.md §4): random horizontal flips and small integer shifts. */
export interface AugmentOptions {
  flip: boolean;
  /** Largest shift in pixels along each axis; the uncovered border is filled with zeros. 0 for none. */
  shift: number;
}

export const NO_AUGMENT: AugmentOptions = { flip: false, shift: 0 };

/** Stream number of augmentation draws in imageSeed, apart from the subset and distortion streams. */
const AUGMENT_STREAM = 0xa06;

/** What one image gets in one epoch. */
export interface ImageAugmentation {
  flip: boolean;
  /** Content moves right by dx and down by dy (negative: left, up). */
  dx: number;
  dy: number;
}

/**
 * The augmentation of one image in one epoch: a function of (seed, epoch, image id) alone, so a resumed run
 * draws exactly what an uninterrupted one would, whatever order or batch the image comes in.
 */
export function augmentationOf(
  options: AugmentOptions,
  seed: number,
  epoch: number,
  imageId: number,
): ImageAugmentation {
  if (!options.flip && options.shift === 0) return { flip: false, dx: 0, dy: 0 };
  const random = mulberry32(imageSeed(imageSeed(seed, epoch, AUGMENT_STREAM), imageId, AUGMENT_STREAM));
  const flip = options.flip && random() < 0.5;
  const span = 2 * options.shift + 1;
  const dx = options.shift === 0 ? 0 : Math.floor(random() * span) - options.shift;
  const dy = options.shift === 0 ? 0 : Math.floor(random() * span) - options.shift;
  return { flip, dx, dy };
}

/**
 * Flips and shifts each image of an NHWC batch in place. `ids` are the images' indices in their split (their
 * identity for the draws); the buffer's values are moved, not rescaled, so any value range works.
 */
export function augmentBatch(
  x: Float32Array,
  ids: ArrayLike<number>,
  imageShape: readonly [number, number, number],
  options: AugmentOptions,
  seed: number,
  epoch: number,
): void {
  if (!options.flip && options.shift === 0) return;
  const size = imageShape[0] * imageShape[1] * imageShape[2];
  const scratch = new Float32Array(size);
  for (let i = 0; i < ids.length; i++) {
    const a = augmentationOf(options, seed, epoch, ids[i] as number);
    applyAugmentation(x.subarray(i * size, (i + 1) * size), imageShape, a, scratch);
  }
}

/**
 * Applies one augmentation to one HWC image in place: a horizontal flip first, then a shift of the content by
 * (dx, dy) pixels with zeros where nothing moved in.
 */
export function applyAugmentation(
  image: Float32Array,
  imageShape: readonly [number, number, number],
  a: ImageAugmentation,
  scratch = new Float32Array(image.length),
): void {
  if (!a.flip && a.dx === 0 && a.dy === 0) return;
  const [h, w, c] = imageShape;
  scratch.set(image);
  for (let y = 0; y < h; y++) {
    const sy = y - a.dy;
    for (let xo = 0; xo < w; xo++) {
      const shifted = xo - a.dx;
      const out = (y * w + xo) * c;
      if (sy < 0 || sy >= h || shifted < 0 || shifted >= w) {
        image.fill(0, out, out + c);
        continue;
      }
      // The output column reads the flipped image at the shifted column.
      const sx = a.flip ? w - 1 - shifted : shifted;
      image.set(scratch.subarray((sy * w + sx) * c, (sy * w + sx + 1) * c), out);
    }
  }
}

/** Parses `none`, or a comma list of `flip` and `shift:<pixels>` (e.g. flip,shift:2). */
export function parseAugment(text: string): AugmentOptions {
  const value = text.trim().toLowerCase();
  if (value === 'none' || value === '') return { ...NO_AUGMENT };
  const options = { ...NO_AUGMENT };
  for (const part of value.split(',').map((p) => p.trim())) {
    const shift = /^shift:(\d+)$/.exec(part);
    if (part === 'flip') options.flip = true;
    else if (shift !== null && Number(shift[1]) <= 64) options.shift = Number(shift[1]);
    else
      throw new RangeError(
        `"${text}" is not an augmentation: use none, or a comma list of flip and shift:<pixels, 0..64> (e.g. flip,shift:2)`,
      );
  }
  return options;
}

export function describeAugment(options: AugmentOptions): string {
  const parts = [...(options.flip ? ['flip'] : []), ...(options.shift > 0 ? [`shift:${options.shift}`] : [])];
  return parts.length === 0 ? 'none' : parts.join(',');
}
