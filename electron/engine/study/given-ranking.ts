/**
 * A study started from a ranking file (--ranking: the file of `deepcorrect rank --out` or `rank merge --out`)
 * instead of ranking itself. Every seed of a study corrects the same base model (--model; seeds vary the
 * draws, not the model), so the given ranking is every seed's ranking: no seed ranks, and the seeds differ in
 * their training and distortion draws alone. It is checked against the study before any work.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { StudyConfig } from '../../../shared/study.ts';
import { variantSettings } from '../../../shared/study-variants.ts';
import { weightsSha256 } from '../models/weights-hash.ts';
import { summarize } from '../models/summary.ts';
import { openRanking, RankingFileError } from '../rank/open-ranking.ts';
import type { RankingResult } from '../rank/types.ts';

export interface GivenRanking {
  /** The file, resolved. */
  path: string;
  /** SHA-256 of the file's bytes: what the config records, so a resume or a merge refuses another file. */
  sha256: string;
  /** The ranking as the file holds it, less a saved oracle experiment. */
  ranking: RankingResult;
}

/** Reads and checks a ranking file against the ranking format (refusals name the file and the field). */
export async function readGivenRanking(file: string): Promise<GivenRanking> {
  const { path: resolved } = await openRanking(file);
  const bytes = await readFile(resolved);
  const { experiment: _experiment, ...ranking } = JSON.parse(bytes.toString('utf8')) as RankingResult & {
    experiment?: unknown;
  };
  return { path: resolved, sha256: createHash('sha256').update(bytes).digest('hex'), ranking };
}

/** The ranking's layers named, in the order named: what a study ranking those layers itself would write. */
export function rankingOf(given: GivenRanking, layers: readonly string[]): RankingResult {
  const byName = new Map(given.ranking.layers.map((l) => [l.layer, l]));
  return {
    ...given.ranking,
    layers: layers.map((name) => {
      const layer = byName.get(name);
      if (layer === undefined) throw new RankingFileError(given.path, `ranks no layer "${name}"`);
      return layer;
    }),
  };
}

const listed = (values: readonly number[]): string => values.join(', ');

/**
 * Refuses a ranking that does not fit the study, naming what differs: another distortion or other levels,
 * a ranking made on the split the study tests on, a layer the study or a variant corrects that it does not
 * rank (or ranks with another filter count than the base model's), a method other than the study's, and,
 * where the file records the ranked model's weights hash, other weights than the base model's.
 */
export async function checkGivenRanking(
  given: GivenRanking,
  config: StudyConfig,
  model: tf.LayersModel,
): Promise<void> {
  const r = given.ranking;
  const refuse = (problem: string): never => {
    throw new RankingFileError(
      given.path,
      `${problem}; --ranking needs a ranking of this study's base model`,
    );
  };
  if (config.ranking?.sha256 !== given.sha256)
    throw new RangeError(`the study's config does not record the ranking file ${given.path} it was given`);
  if (r.kind !== config.kind) refuse(`a ranking under ${r.kind}, not the study's distortion ${config.kind}`);
  if (r.levels.length !== config.levels.length || r.levels.some((l, i) => l !== config.levels[i]))
    refuse(
      `ranked at levels ${listed(r.levels)}, not the study's ${listed(config.levels)} (${config.levelsName})`,
    );
  if (r.split === config.testSplit)
    refuse(`ranked on the ${r.split} split, which the study tests on (rank on the train split)`);
  if (r.method !== config.rankMethod)
    throw new RangeError(
      `the study's ranking method ${config.rankMethod} is not the ranking file's ${r.method} (${given.path})`,
    );
  const wanted = [
    ...new Set([
      ...config.layers,
      ...(config.variants ?? []).flatMap((v) => variantSettings(config, v).layers),
    ]),
  ];
  const ranked = new Set(r.layers.map((l) => l.layer));
  const missing = wanted.filter((l) => !ranked.has(l));
  if (missing.length > 0)
    refuse(
      `ranks ${[...ranked].join(', ')} but not ${missing.join(', ')}, which the study${config.variants === undefined ? '' : ' or a variant'} corrects`,
    );
  const convs = new Map(summarize(model).convLayers.map((c) => [c.name, c]));
  for (const name of wanted) {
    const layer = r.layers.find((l) => l.layer === name);
    const conv = convs.get(name);
    if (layer === undefined) continue;
    if (conv === undefined)
      refuse(
        `ranks "${name}", which is not a conv layer of the base model (${[...convs.keys()].join(', ')})`,
      );
    else if (layer.filters !== conv.filters)
      refuse(`ranks ${layer.filters} filters of ${name}, whose base model has ${conv.filters}`);
  }
  if (r.weightsSha256 !== undefined) {
    const own = await weightsSha256(model);
    if (own !== r.weightsSha256)
      refuse(
        `ranks a model whose weights hash ${r.weightsSha256.slice(0, 12)}..., not the base model ${path.basename(config.model)} (${own.slice(0, 12)}...)`,
      );
  }
}
