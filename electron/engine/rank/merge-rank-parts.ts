import { PartsError, type ReadPart } from '../shard/part-file.ts';
import { emptyTally, summariseLayer, type Tally } from './layer-tally.ts';
import type { RankPartBody, RankPartSettings, RankSlice } from './rank-shard.ts';
import type { LayerRanking, RankingResult } from './types.ts';

const filtersText = (from: number, to: number): string =>
  to - from === 1 ? `filter ${from}` : `filters ${from}-${to - 1}`;

/** The slices of one layer across the parts, checked to cover its filters once each. */
function layerSlices(
  parts: readonly ReadPart<RankPartSettings, RankPartBody>[],
  layer: { name: string; filters: number },
): { slice: RankSlice; file: string }[] {
  const slices = parts
    .flatMap((p) =>
      p.body.slices.filter((s) => s.layer === layer.name).map((slice) => ({ slice, file: p.file })),
    )
    .sort((a, b) => a.slice.from - b.slice.from);
  let next = 0;
  for (const { slice, file } of slices) {
    if (slice.from > next)
      throw new PartsError(
        `layer ${layer.name}: ${filtersText(next, slice.from)} are in no part (the parts were planned differently; rerun them with one engine version)`,
      );
    if (slice.from < next)
      throw new PartsError(
        `layer ${layer.name}: ${filtersText(slice.from, Math.min(next, slice.to))} are in two parts (one of them ${file})`,
      );
    next = slice.to;
  }
  if (next < layer.filters)
    throw new PartsError(`layer ${layer.name}: ${filtersText(next, layer.filters)} are in no part`);
  return slices;
}

/**
 * The ranking the parts of one sharded run add up to: per layer the slices' counts put together and
 * summarised as rankFilters does, so tau, errors, proxy and orders equal the one-process run's. The counts
 * every slice of a layer shares (clean and per-level errors, images per half) must agree, or the parts did
 * not see the same images and models.
 */
export function mergeRankParts(parts: readonly ReadPart<RankPartSettings, RankPartBody>[]): RankingResult {
  const [first] = parts;
  if (first === undefined) throw new PartsError('no parts to merge');
  const { header, layers } = first.settings;
  const levels = header.levels.length;
  const results: LayerRanking[] = layers.map((layer) => {
    const slices = layerSlices(parts, layer);
    const halves = (slices[0] as { slice: RankSlice }).slice.tallies.length;
    const tallies = Array.from({ length: halves }, () => emptyTally(layer.filters, levels));
    for (const { slice, file } of slices) {
      if (slice.tallies.length !== halves)
        throw new PartsError(
          `layer ${layer.name}: ${file} counted ${slice.tallies.length} halves, not ${halves}`,
        );
      slice.tallies.forEach((t, h) => {
        const into = tallies[h] as Tally;
        if (slice === slices[0]?.slice) {
          into.images = t.images;
          into.clean = t.clean;
          into.baseline = [...t.baseline];
        } else if (
          into.images !== t.images ||
          into.clean !== t.clean ||
          into.baseline.some((e, j) => e !== t.baseline[j])
        )
          throw new PartsError(
            `layer ${layer.name}: ${file} counted other errors without any swap (clean ${t.clean}, per level ${t.baseline.join(', ')}) than ${(slices[0] as { file: string }).file} (clean ${into.clean}, per level ${into.baseline.join(', ')}): the parts did not rank the same model on the same images`,
          );
        for (let f = slice.from; f < slice.to; f++) {
          const k = f - slice.from;
          into.perFilter[f] = [...(t.perFilter[k] as number[])];
          into.cleanScale[f] = t.cleanScale[k] as number;
          t.distance.forEach((d, j) => ((into.distance[j] as Float64Array)[f] = d[k] as number));
        }
      });
    }
    const ranking = summariseLayer(
      {
        layer,
        levels: header.levels,
        method: header.method,
        tau: header.tauKind ?? 'abs',
        stabilityBeta: header.stability?.beta ?? 1,
      },
      tallies,
    );
    ranking.seconds = slices.reduce((sum, { slice }) => sum + slice.seconds, 0);
    return ranking;
  });
  const seconds = parts.map((p) => p.seconds);
  return {
    ...header,
    layers: results,
    backend: first.backend,
    seconds: seconds.reduce((a, b) => a + b, 0),
    shards: { count: first.shard.count, seconds },
  };
}
