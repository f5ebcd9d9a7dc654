/**
 * The Datasets view's distortion sliders: the part of a distortion's range worth a slider on images of this size,
 * the levels to mark on the track (the paper's and the severities), and the rule that one distortion is shown at
 * a time. The engine accepts blur up to sigma 20, but on a 28x28 image anything past about sigma 4 is a grey
 * blob: a track over 0..20 spends four fifths of its length there.
 */
import {
  DISTORTION_KINDS,
  DISTORTIONS,
  PAPER_PRESETS,
  type DistortionInfo,
  type DistortionKind,
} from '../../../shared/distortions.ts';

/**
 * Distortions measured in pixels, with the share of the image's shorter side past which the picture is gone:
 * a blur or defocus of sigma (radius) side / 7 spreads each pixel over about the whole image; a motion streak as
 * long as half of it likewise.
 */
const PIXEL_REACH: Partial<Record<DistortionKind, number>> = {
  blur: 1 / 7,
  defocus: 1 / 7,
  'motion-blur': 1 / 2,
};

export interface SliderRange {
  min: number;
  max: number;
  /** The preset levels inside the range, in increasing order (the identity included): ticks on the track. */
  marks: number[];
  /** True when the track stops short of the engine's range because of the image's size. */
  scaled: boolean;
}

const roundUpTo = (value: number, step: number): number => Math.ceil(value / step - 1e-9) * step;

/** Every preset level of a distortion (severities and, for blur and noise, both paper presets). */
function presetLevels(kind: DistortionKind): number[] {
  const paper = Object.values(PAPER_PRESETS).flatMap((p) => [
    ...((p as Partial<Record<DistortionKind, readonly number[]>>)[kind] ?? []),
  ]);
  return [...DISTORTIONS[kind].severity, ...paper];
}

/**
 * The slider's range for images whose shorter side is `side` pixels (undefined: the engine's whole range). A
 * pixel-sized distortion stops at its reach on this image, never below its severities and the paper's CIFAR
 * levels, and never past the engine's own limit.
 */
export function sliderRange(info: DistortionInfo, side?: number): SliderRange {
  let max = info.max;
  const reach = PIXEL_REACH[info.kind];
  if (reach !== undefined && side !== undefined && side > 0) {
    const cifar =
      (PAPER_PRESETS['paper-cifar'] as Partial<Record<DistortionKind, readonly number[]>>)[info.kind] ?? [];
    const floor = Math.max(...info.severity, ...cifar);
    max = Math.min(info.max, roundUpTo(Math.max(side * reach, floor), info.step));
  }
  const marks = [...new Set([info.identity, ...presetLevels(info.kind)])]
    .filter((v) => v >= info.min && v <= max)
    .sort((a, b) => a - b);
  return { min: info.min, max, marks, scaled: max < info.max };
}

/**
 * The levels after one distortion is set: that one at `level`, every other at its identity. The sample shows
 * one distortion at a time, so no other slider may still show a level that is not applied.
 */
export function onlyOne(kind: DistortionKind, level: number): Record<DistortionKind, number> {
  return Object.fromEntries(
    DISTORTION_KINDS.map((k) => [k, k === kind ? level : DISTORTIONS[k].identity]),
  ) as Record<DistortionKind, number>;
}
