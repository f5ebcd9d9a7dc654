/**
 * One filter's planes out of a layer's decoded maps, and the maps the Inspector draws of them: the clean,
 * distorted and corrected activations on one colour scale, their differences from clean on another.
 */
import type { ActivationMaps } from '../../composables/use-activation-maps.ts';
import { planeAt } from '../../lib/float-planes.ts';

/** The planes of one filter that are drawn as maps (and listed under the hovered pixel). */
export type PlaneKey = 'clean' | 'distorted' | 'corrected' | 'diffDistorted' | 'diffCorrected';

/** One map: its plane, its canvas's data-testid and its caption; `needsCorrected` maps stay empty without a corrected model. */
export interface MapSpec {
  key: PlaneKey;
  testid: string;
  label: string;
  needsCorrected?: boolean;
}

export const ACTIVATION_MAPS: readonly MapSpec[] = [
  { key: 'clean', testid: 'map-clean', label: 'clean' },
  { key: 'distorted', testid: 'map-distorted', label: 'distorted' },
  { key: 'corrected', testid: 'map-corrected', label: 'corrected', needsCorrected: true },
];
export const DIFFERENCE_MAPS: readonly MapSpec[] = [
  { key: 'diffDistorted', testid: 'map-diff-distorted', label: 'distorted − clean' },
  { key: 'diffCorrected', testid: 'map-diff-corrected', label: 'corrected − clean', needsCorrected: true },
];
export const ALL_MAPS: readonly MapSpec[] = [...ACTIVATION_MAPS, ...DIFFERENCE_MAPS];

export type FilterPlanes = Record<PlaneKey, Float32Array | null> & {
  height: number;
  width: number;
  stats: ActivationMaps['reply']['stats'][number] | null;
};

/** A filter's planes (views into the layer's blocks) and figures; null when the maps do not hold it. */
export function filterPlanes(maps: ActivationMaps | null, filter: number | null): FilterPlanes | null {
  if (maps === null || filter === null) return null;
  const i = maps.positionOf.get(filter);
  if (i === undefined) return null;
  const { height, width } = maps;
  const plane = (block: Float32Array | undefined) => (block ? planeAt(block, i, height, width) : null);
  return {
    height,
    width,
    clean: plane(maps.clean),
    distorted: plane(maps.distorted),
    corrected: plane(maps.corrected),
    diffDistorted: plane(maps.diffDistorted),
    diffCorrected: plane(maps.diffCorrected),
    stats: maps.reply.stats.find((s) => s.filter === filter) ?? null,
  };
}
