/**
 * The oracle experiment's chart data (rank.experiment): per layer, mean accuracy over the distorted levels
 * against the fraction of its ranked filters corrected, starting from the uncorrected baseline at 0; and the
 * clean accuracy as a reference line. Pure, so the plotted numbers are tested and exposed as they are drawn.
 */
import { CONTRACT } from '../../../shared/bridge/contract.ts';
import { checkDraft } from './schema-issues.ts';

export interface ExperimentLike {
  clean: number;
  baselineMeanLevels: number;
  layers: readonly {
    layer: string;
    fractions: readonly { fraction: number; corrected: number; meanLevels: number }[];
  }[];
}

export interface ExperimentSeries {
  layer: string;
  /** [fraction corrected, mean accuracy over levels], fraction 0 first (the baseline). */
  points: [number, number][];
}

export interface ExperimentPlot {
  clean: number;
  baseline: number;
  series: ExperimentSeries[];
}

export function experimentPlot(result: ExperimentLike): ExperimentPlot {
  return {
    clean: result.clean,
    baseline: result.baselineMeanLevels,
    series: result.layers.map((l) => ({
      layer: l.layer,
      points: [
        [0, result.baselineMeanLevels] as [number, number],
        ...[...l.fractions]
          .sort((a, b) => a.fraction - b.fraction)
          .map((f) => [f.fraction, f.meanLevels] as [number, number]),
      ],
    })),
  };
}

/** Parses a fractions box ("0.1, 0.25, 0.5"), checked by the contract; empty means the engine's default. */
export function parseFractions(text: string): { values?: number[] } | { error: string } {
  const t = text.trim();
  if (t === '') return {};
  const parts = t.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '' || !Number.isFinite(Number(p))))
    return { error: 'Fractions must be numbers separated by commas.' };
  const labels = { '': 'The fractions', '*': 'Each fraction' };
  const checked = checkDraft(CONTRACT['rank.experiment'].input.shape.fractions, parts.map(Number), labels);
  return checked.ok ? { values: checked.input ?? [] } : { error: checked.first };
}
