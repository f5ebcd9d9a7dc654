/**
 * The Ranking view's "Rank agreement (Spearman)" for one layer: between the oracle's tau and the proxy's score.
 * A ranking made with method "both" carries it; an oracle ranking and a proxy ranking made by two jobs (or
 * opened from two files) of the same model and settings are paired here, so ranking by each method in turn
 * gives the same figure as ranking by both at once.
 */
import { spearman } from '../../../shared/stats/spearman.ts';
import type { RankingRunShape } from './opened-rankings.ts';

export type RankAgreement =
  /** rho is null where one score is constant (Spearman is undefined). */
  | { rho: number | null; from: 'this ranking' }
  | { rho: number | null; from: 'paired'; partner: RankingRunShape }
  | { rho: null; missing: string };

const sameList = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Whether two finished rankings measured the same thing apart from the method: the same model, distortion,
 * levels, seed, split and ranking set (and, for two jobs, the same dataset and distortion options; a file
 * keeps neither, so a file pairs on the rest).
 */
export function sameRankingSettings(a: RankingRunShape, b: RankingRunShape): boolean {
  const x = a.result;
  const y = b.result;
  if (x === undefined || y === undefined) return false;
  if (a.input.modelId !== b.input.modelId) return false;
  const jobs = a.path === undefined && b.path === undefined;
  if (
    jobs &&
    (a.input.datasetId !== b.input.datasetId || JSON.stringify(a.input.spec) !== JSON.stringify(b.input.spec))
  )
    return false;
  return (
    x.model === y.model &&
    x.dataset === y.dataset &&
    x.kind === y.kind &&
    sameList(x.levels, y.levels) &&
    x.seed === y.seed &&
    x.split === y.split &&
    x.rankingImages === y.rankingImages &&
    x.rankImages === y.rankImages &&
    x.perClass === y.perClass
  );
}

type Layer = NonNullable<RankingRunShape['result']>['layers'][number];

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * The agreement for `layerName` of `run`: its own when it has both scores, else paired with the newest of
 * `runs` (oldest first) of the same settings that has the other score for that layer; else why there is none.
 */
export function rankAgreement(
  run: RankingRunShape,
  runs: readonly RankingRunShape[],
  layerName: string,
): RankAgreement {
  const own = run.result?.layers.find((l) => l.layer === layerName);
  if (own === undefined) return { rho: null, missing: `no layer ${layerName} in this ranking` };
  if (own.tau !== undefined && own.proxy !== undefined) {
    // The engine sends its figure (NaN, a constant score, travels as null or not at all): recompute then.
    const rho = typeof own.spearman === 'number' ? own.spearman : spearman(own.tau, own.proxy);
    return { rho: finite(rho), from: 'this ranking' };
  }
  const wants: keyof Layer = own.tau === undefined ? 'tau' : 'proxy';
  const partner = [...runs]
    .reverse()
    .find(
      (r) =>
        r !== run &&
        r.job.id !== run.job.id &&
        sameRankingSettings(run, r) &&
        r.result?.layers.some(
          (l) => l.layer === layerName && l.filters === own.filters && l[wants] !== undefined,
        ),
    );
  if (partner === undefined) {
    const other = wants === 'tau' ? 'oracle' : 'proxy';
    return {
      rho: null,
      missing: `needs the ${other}'s scores: rank by the ${other} (or both) with the same distortion, levels, seed and images`,
    };
  }
  const theirs = partner.result?.layers.find((l) => l.layer === layerName) as Layer;
  const tau = (own.tau ?? theirs.tau) as readonly number[];
  const proxy = (own.proxy ?? theirs.proxy) as readonly number[];
  return { rho: finite(spearman(tau, proxy)), from: 'paired', partner };
}
