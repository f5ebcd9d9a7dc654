import path from 'node:path';
import { DISTORTIONS } from '../../../shared/distortions.ts';
import { settingsSummary, type SavedTo } from '../../../shared/saved-result.ts';
import { recordCommand, recordPath } from '../io/recorded-path.ts';
import type { ReadPart } from '../shard/part-file.ts';
import type { RankPartBody, RankPartSettings } from '../rank/rank-shard.ts';
import type { RankingResult } from '../rank/types.ts';
import { runSavingResult } from '../workspace/save-result.ts';

export const MERGE_TOOL = 'deepcorrect rank merge';

/**
 * A ranking merged from shards kept in a workspace as a ranking artefact (rankings/<id>.json, the format of
 * `rank --out`), registered as a ranking run in the app is: the app lists it and opens it in Ranking.
 */
export async function saveMergedRanking(
  workspace: string,
  merged: RankingResult,
  parts: readonly ReadPart<RankPartSettings, RankPartBody>[],
  command: string,
): Promise<SavedTo> {
  const root = path.resolve(workspace);
  const label = DISTORTIONS[merged.kind].label.toLowerCase();
  const summary = settingsSummary({
    kind: label,
    levels: merged.levels,
    ...(merged.perClass === undefined ? {} : { perClass: merged.perClass }),
    ...(merged.rankImages === undefined ? {} : { images: merged.rankImages }),
    seed: merged.seed,
    method: merged.method,
  });
  const folder = parts[0]?.body.modelFolder;
  const modelName = folder === undefined ? merged.model : `${path.basename(folder)} (${merged.model})`;
  const { saved } = await runSavingResult(
    workspace,
    {
      kind: 'ranking',
      name: `${modelName} ranked for ${label} (${merged.method}), merged from ${parts.length} shards`,
      tool: MERGE_TOOL,
      provenance: {
        summary: `${summary}; ${parts.length} shards`,
        ...(folder === undefined ? {} : { model: recordPath(folder, { within: root }) }),
        modelName,
        dataset: merged.dataset,
        command: recordCommand(command, { within: root }),
        tool: MERGE_TOOL,
        parts: parts.map((p) => recordPath(p.file, { within: root })),
      },
    },
    () => Promise.resolve(merged),
    (ranking) => ranking,
  );
  return saved;
}
