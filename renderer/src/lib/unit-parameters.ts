/**
 * The trainable parameters a DeepCorrect correction implies, counted exactly as the engine counts them
 * (electron/engine/correct/unit.ts unitParameters, plan.ts correctedCount, build.ts kernel sizes), so the
 * Correction view can show the figure before anything trains.
 */

/** Prefix of the layers a correction adds (a corrected model's own units are not layers to correct). */
export const UNIT_PREFIX = 'dc_';

/** Filters corrected for a fraction beta of n: round(beta * n), at least 1, at most n. */
export function correctedCount(beta: number, filters: number): number {
  if (!(beta > 0 && beta <= 1)) throw new RangeError(`beta must be within (0, 1], not ${beta}`);
  return Math.max(1, Math.min(filters, Math.round(beta * filters)));
}

/**
 * Trainable parameters of one unit of width d with kxk inner convs: two 1x1 and two kxk convs (D -> D, with
 * bias) and three batch norms' gamma and beta (their moving statistics are not trained).
 */
export function unitParameters(d: number, kernel: number): number {
  const conv = (k: number): number => d * d * k * k + d;
  return 2 * conv(1) + 2 * conv(kernel) + 3 * 2 * d;
}

/** The unit's kxk size: 5 for the model's first conv layer, 3 elsewhere (docs/method.md §3). */
export function unitKernel(convIndex: number): number {
  return convIndex === 0 ? 5 : 3;
}

export interface ConvLayerInfo {
  name: string;
  filters: number;
}

export interface UnitPlanRow {
  layer: string;
  filters: number;
  /** Filters corrected (the unit's width D). */
  corrected: number;
  kernel: number;
  parameters: number;
}

export interface UnitPlan {
  rows: UnitPlanRow[];
  total: number;
}

/** The base model's conv layers, without the layers an earlier correction added. */
export function baseConvLayers<T extends ConvLayerInfo>(convLayers: readonly T[]): T[] {
  return convLayers.filter((c) => !c.name.startsWith(UNIT_PREFIX));
}

/**
 * The units for the chosen layers at beta, in the model's layer order, and their trainable parameters in all.
 * Throws for a beta outside (0, 1] or a layer that is not a conv layer of the model.
 */
export function unitPlan(
  convLayers: readonly ConvLayerInfo[],
  layers: readonly string[],
  beta: number,
): UnitPlan {
  const convs = baseConvLayers(convLayers);
  const chosen = new Set(layers);
  for (const name of chosen)
    if (!convs.some((c) => c.name === name)) throw new Error(`"${name}" is not a conv layer of the model`);
  const rows: UnitPlanRow[] = [];
  convs.forEach((conv, index) => {
    if (!chosen.has(conv.name)) return;
    const corrected = correctedCount(beta, conv.filters);
    const kernel = unitKernel(index);
    rows.push({
      layer: conv.name,
      filters: conv.filters,
      corrected,
      kernel,
      parameters: unitParameters(corrected, kernel),
    });
  });
  return { rows, total: rows.reduce((sum, r) => sum + r.parameters, 0) };
}

/** A share as a percentage with two decimals ("4.01%"), or '–' when it cannot be computed. */
export function shareText(part: number, whole: number): string {
  if (!(whole > 0) || !Number.isFinite(part)) return '–';
  return `${((part / whole) * 100).toFixed(2)}%`;
}

/** The plan a form's settings imply, or nothing while no layer is chosen or beta is not valid yet. */
export function draftUnitPlan(
  convLayers: readonly ConvLayerInfo[],
  layers: readonly string[],
  beta: unknown,
): UnitPlan | undefined {
  if (layers.length === 0 || typeof beta !== 'number') return undefined;
  try {
    return unitPlan(convLayers, layers, beta);
  } catch {
    return undefined;
  }
}
