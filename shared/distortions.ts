/**
 * The distortions the workbench generates, their parameters, and the level presets of the method
 * (docs/method.md §1). Pure data and parsing, shared by the engine, the CLI and the UI.
 *
 * A level is always the distortion's own parameter in its own unit (a blur sigma in pixels, a noise sigma on
 * the 0..255 scale, a JPEG quality), never an abstract index, so tables and plots can show the real value.
 */

export const DISTORTION_KINDS = [
  'blur',
  'noise',
  'motion-blur',
  'defocus',
  'jpeg',
  'contrast',
  'brightness',
  'salt-pepper',
  'speckle',
  'pixelate',
] as const;
export type DistortionKind = (typeof DISTORTION_KINDS)[number];

export interface DistortionInfo {
  kind: DistortionKind;
  label: string;
  /** The parameter a level sets, with its unit, for axis labels. */
  parameter: string;
  /** The level at which the image is unchanged (a slider's start). */
  identity: number;
  /** The range of levels the engine accepts (inclusive). */
  min: number;
  max: number;
  /** A sensible slider step. */
  step: number;
  /** Severity 1..5 as levels of this distortion, mildest first. */
  severity: [number, number, number, number, number];
  /** What the paper does, or what the level means, in one line. */
  note: string;
}

/*
 * Severity scales follow the spirit of CIFAR-10-C (Hendrycks and Dietterich) for small images, re-expressed
 * in each distortion's own parameter: 1 is mild, 5 is about where a plain classifier loses most of its
 * accuracy on 32x32 images.
 */
export const DISTORTIONS: Record<DistortionKind, DistortionInfo> = {
  blur: {
    kind: 'blur',
    label: 'Gaussian blur',
    parameter: 'sigma (px)',
    identity: 0,
    min: 0,
    max: 20,
    step: 0.25,
    severity: [0.5, 1, 1.5, 2, 3],
    note: 'separable sampled Gaussian, kernel 4*sigma+1, zero border (OpenCV GaussianBlur, BORDER_CONSTANT)',
  },
  noise: {
    kind: 'noise',
    label: 'Additive Gaussian noise',
    parameter: 'sigma (0..255)',
    identity: 0,
    min: 0,
    max: 255,
    step: 1,
    severity: [10, 15, 20, 25, 30],
    note: 'white Gaussian noise added in floating point; not clipped unless asked (as in the paper)',
  },
  'motion-blur': {
    kind: 'motion-blur',
    label: 'Motion blur',
    parameter: 'length (px)',
    identity: 1,
    min: 1,
    max: 41,
    step: 1,
    severity: [3, 5, 7, 9, 11],
    note: 'a straight line of the given length and angle (degrees, default 0), each pixel weighted by the path length inside it; zero border',
  },
  defocus: {
    kind: 'defocus',
    label: 'Defocus blur',
    parameter: 'radius (px)',
    identity: 0,
    min: 0,
    max: 20,
    step: 0.25,
    severity: [0.75, 1, 1.5, 2, 3],
    note: 'an anti-aliased disk kernel of the given radius, zero border',
  },
  jpeg: {
    kind: 'jpeg',
    label: 'JPEG compression',
    parameter: 'quality (1..100)',
    identity: 100,
    min: 1,
    max: 100,
    step: 1,
    severity: [80, 65, 50, 30, 15],
    note: 'baseline JPEG: YCbCr, 8x8 DCT quantised with the standard tables scaled by quality, no subsampling',
  },
  contrast: {
    kind: 'contrast',
    label: 'Contrast reduction',
    parameter: 'contrast factor',
    identity: 1,
    min: 0,
    max: 1,
    step: 0.05,
    severity: [0.75, 0.5, 0.4, 0.3, 0.15],
    note: "pixels pulled toward the image's mean: mean + factor * (x - mean)",
  },
  brightness: {
    kind: 'brightness',
    label: 'Brightness shift',
    parameter: 'shift (0..255)',
    identity: 0,
    min: -255,
    max: 255,
    step: 1,
    severity: [13, 26, 38, 51, 77],
    note: 'a constant added to every pixel, clipped to 0..255',
  },
  'salt-pepper': {
    kind: 'salt-pepper',
    label: 'Salt-and-pepper noise',
    parameter: 'fraction of pixels',
    identity: 0,
    min: 0,
    max: 1,
    step: 0.005,
    severity: [0.01, 0.02, 0.03, 0.05, 0.07],
    note: 'that fraction of pixels (all channels) set to 0 or 255 with equal odds',
  },
  speckle: {
    kind: 'speckle',
    label: 'Speckle noise',
    parameter: 'sigma (relative)',
    identity: 0,
    min: 0,
    max: 2,
    step: 0.01,
    severity: [0.06, 0.1, 0.12, 0.16, 0.2],
    note: 'multiplicative Gaussian noise x * (1 + sigma * n), clipped to 0..255',
  },
  pixelate: {
    kind: 'pixelate',
    label: 'Pixelation',
    parameter: 'scale factor',
    identity: 1,
    min: 0.01,
    max: 1,
    step: 0.01,
    severity: [0.85, 0.75, 0.6, 0.5, 0.4],
    note: 'box-filtered down to that fraction of the size, then nearest-neighbour back up',
  },
};

/** The method's presets (docs/method.md §1): six levels each, for blur and noise only. */
export const PAPER_PRESETS = {
  'paper-imagenet': { blur: [1, 2, 3, 4, 5, 6], noise: [10, 20, 40, 60, 80, 100] },
  'paper-cifar': { blur: [0.5, 1, 1.5, 2, 2.5, 3], noise: [5, 10, 15, 20, 25, 30] },
} as const satisfies Record<string, Partial<Record<DistortionKind, readonly number[]>>>;
export type PaperPreset = keyof typeof PAPER_PRESETS;

export const LEVEL_PRESETS = ['paper-imagenet', 'paper-cifar', 'severity'] as const;
export type LevelPreset = (typeof LEVEL_PRESETS)[number];

/*
 * The bounds of the options, next to the level ranges above. Each is what the method needs and no more: the
 * engine's work grows with them (a blur costs kernelSize multiply-adds per pixel and pass, a defocus or
 * motion kernel (2 * reach + 1)^2), so an unbounded option is a request that holds the engine for as long as
 * its sender likes. The bridge's schema (shared/bridge/schemas.ts), the CLI and the engine all check these.
 */

/**
 * The largest blur kernel: a radius of 3 sigma at the largest sigma (2 * ceil(3 * 20) + 1 = 121), the size
 * OpenCV itself picks for 8-bit images, and half again the paper's 4 * sigma + 1. The Gaussian holds 0.27%
 * of its mass past 3 sigma per axis, so a larger kernel moves no pixel by much more than one grey level. The
 * engine accepts images far wider than this (up to 50 megapixels), so the sigma, not the image, sets it.
 */
export const MAX_BLUR_KERNEL = 2 * Math.ceil(3 * DISTORTIONS.blur.max) + 1;
/** Motion-blur direction in degrees: one turn either way (the kernel repeats every 180 degrees). */
export const MOTION_ANGLE_RANGE = { min: -360, max: 360 } as const;
/** The widest level range of any kind: what a level can be before its kind is known. */
export const LEVEL_RANGE = {
  min: Math.min(...DISTORTION_KINDS.map((k) => DISTORTIONS[k].min)),
  max: Math.max(...DISTORTION_KINDS.map((k) => DISTORTIONS[k].max)),
} as const;

/** One distortion at one level, with its kind-specific options. */
export interface DistortionSpec {
  kind: DistortionKind;
  level: number;
  /** blur only: the kernel size (odd, 1..MAX_BLUR_KERNEL); default 4*sigma+1 (docs/method.md §1). */
  kernelSize?: number;
  /** noise only: clip the result to 0..255 (the paper does not). */
  clip?: boolean;
  /** motion-blur only: direction in degrees (MOTION_ANGLE_RANGE), counter-clockwise from the x axis. */
  angle?: number;
}

export class DistortionSpecError extends Error {
  override name = 'DistortionSpecError';
}

export function isDistortionKind(value: string): value is DistortionKind {
  return (DISTORTION_KINDS as readonly string[]).includes(value);
}

export function parseDistortionKind(value: string): DistortionKind {
  if (isDistortionKind(value)) return value;
  throw new DistortionSpecError(`unknown distortion "${value}"; valid kinds: ${DISTORTION_KINDS.join(', ')}`);
}

/** The paper's blur kernel size for a sigma: 4*sigma+1, rounded up to the next odd integer. */
export function paperKernelSize(sigma: number): number {
  const k = Math.ceil(4 * sigma + 1);
  return k % 2 === 1 ? k : k + 1;
}

/**
 * Why `value` is not a valid `name` (a number in min..max, a whole one where `whole`), in words that name the
 * parameter, the value and the range, with `note` (a unit, say) after them; undefined when it is valid. The
 * bridge's schema, the CLI and the engine all word it so.
 */
export function rangeProblem(
  name: string,
  value: unknown,
  bounds: { min: number; max: number; whole?: boolean; note?: string },
): string | undefined {
  const { min, max, whole = false, note } = bounds;
  const after = note === undefined ? '' : ` (${note})`;
  if (typeof value !== 'number') return `${name} must be a number in ${min}..${max}${after}`;
  if (!Number.isFinite(value) || value < min || value > max)
    return `${name} ${value} is outside ${min}..${max}${after}`;
  if (whole && !Number.isInteger(value))
    return `${name} ${value} is not a whole number in ${min}..${max}${after}`;
  return undefined;
}

/** Why a blur kernel size is not valid (an odd whole number in 1..MAX_BLUR_KERNEL); undefined when it is. */
export function kernelSizeProblem(kernelSize: unknown): string | undefined {
  const note = `odd; ${MAX_BLUR_KERNEL} = 2 * ceil(3 * ${DISTORTIONS.blur.max}) + 1 covers 3 sigma at the largest sigma`;
  const problem = rangeProblem('blur kernelSize', kernelSize, {
    min: 1,
    max: MAX_BLUR_KERNEL,
    whole: true,
    note,
  });
  if (problem !== undefined) return problem;
  return (kernelSize as number) % 2 === 0
    ? `blur kernelSize ${kernelSize as number} is even; it must be odd (a kernel needs a centre pixel)`
    : undefined;
}

/** Why a motion-blur angle is not valid (degrees in MOTION_ANGLE_RANGE); undefined when it is. */
export function angleProblem(angle: unknown): string | undefined {
  return rangeProblem('angle', angle, { ...MOTION_ANGLE_RANGE, note: 'degrees; motion-blur only' });
}

/** Checks a spec's level and options; returns it unchanged or throws a message that says what is wrong. */
export function validateSpec(spec: DistortionSpec): DistortionSpec {
  const info = DISTORTIONS[spec.kind];
  const levelProblem = rangeProblem(`${spec.kind} level`, spec.level, {
    min: info.min,
    max: info.max,
    whole: spec.kind === 'jpeg',
    note: info.parameter,
  });
  if (levelProblem !== undefined) throw new DistortionSpecError(levelProblem);
  if (spec.kernelSize !== undefined) {
    if (spec.kind !== 'blur')
      throw new DistortionSpecError(`kernel size applies to blur only, not ${spec.kind}`);
    const problem = kernelSizeProblem(spec.kernelSize);
    if (problem !== undefined) throw new DistortionSpecError(problem);
  }
  if (spec.clip !== undefined && spec.kind !== 'noise') {
    throw new DistortionSpecError(`clip applies to noise only (${spec.kind} is always clipped or bounded)`);
  }
  if (spec.angle !== undefined) {
    if (spec.kind !== 'motion-blur')
      throw new DistortionSpecError(`angle applies to motion-blur only, not ${spec.kind}`);
    const problem = angleProblem(spec.angle);
    if (problem !== undefined) throw new DistortionSpecError(problem);
  }
  return spec;
}

/**
 * Levels for a kind from a preset name (`paper-cifar`, `paper-imagenet`, `severity`) or a comma-separated
 * list of values ("0.5,1,2"). Throws when a paper preset does not define the kind or a value is out of range.
 */
export function resolveLevels(kind: DistortionKind, levels: string): number[] {
  const text = levels.trim();
  let values: readonly number[];
  if (text === 'severity') values = DISTORTIONS[kind].severity;
  else if (text in PAPER_PRESETS) {
    const preset = PAPER_PRESETS[text as PaperPreset] as Partial<Record<DistortionKind, readonly number[]>>;
    const defined = preset[kind];
    if (defined === undefined) {
      throw new DistortionSpecError(
        `preset ${text} defines blur and noise only; use "severity" or a list of values for ${kind}`,
      );
    }
    values = defined;
  } else {
    const parts = text.split(',').map((p) => p.trim());
    if (parts.length === 0 || parts.some((p) => p === '' || !Number.isFinite(Number(p)))) {
      throw new DistortionSpecError(
        `levels "${levels}" are neither a preset (${LEVEL_PRESETS.join(', ')}) nor a comma-separated list of numbers`,
      );
    }
    values = parts.map(Number);
  }
  for (const level of values) validateSpec({ kind, level });
  return [...values];
}
