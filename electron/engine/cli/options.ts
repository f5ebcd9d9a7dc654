import { InvalidArgumentError } from 'commander';
import type { Channels } from '../../../shared/datasets.ts';

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a positive integer`);
  return n;
}

/** An integer in [min, max], for options whose range matters (seeds, images). */
export function intBetween(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`"${value}" is not an integer from ${min} to ${max}`);
    return n;
  };
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`"${value}" is not a non-negative integer`);
  return n;
}

export function finiteNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n))
    throw new InvalidArgumentError(`"${value}" is not a number`);
  return n;
}

/** "28" or "28x28" (height x width). */
export function imageSize(value: string): [number, number] {
  const match = /^(\d+)(?:x(\d+))?$/.exec(value.trim());
  const h = Number(match?.[1]);
  const w = Number(match?.[2] ?? match?.[1]);
  if (match === null || h < 1 || w < 1) {
    throw new InvalidArgumentError(`"${value}" is not an image size (e.g. 32 or 224x224)`);
  }
  return [h, w];
}

export function channelCount(value: string): Channels {
  if (value === '1' || value === 'gray' || value === 'grey') return 1;
  if (value === '3' || value === 'rgb') return 3;
  throw new InvalidArgumentError(`"${value}" is not a channel count: use 1 (grayscale) or 3 (RGB)`);
}

/** A commander argument parser from a parse function that throws on bad input. */
export function parsed<T>(parse: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (error) {
      throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
    }
  };
}

/** A number within (low, high]. */
export function fraction(low: number, high: number): (value: string) => number {
  return (value) => {
    const n = finiteNumber(value);
    if (!(n > low && n <= high)) throw new InvalidArgumentError(`"${value}" is not within (${low}, ${high}]`);
    return n;
  };
}

/** --placement: pre or post (short for pre-activation and post-activation, which are accepted too). */
export function placementOption(value: string): 'post-activation' | 'pre-activation' {
  const v = value.trim();
  if (v === 'pre' || v === 'pre-activation') return 'pre-activation';
  if (v === 'post' || v === 'post-activation') return 'post-activation';
  throw new InvalidArgumentError(
    `"${value}" is not a placement: pre (units before the layer's activation) or post (after it)`,
  );
}
