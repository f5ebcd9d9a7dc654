import path from 'node:path';
import { DISTORTIONS } from '../../../shared/distortions.ts';
import {
  SAVED_EVALUATION_FORMAT,
  settingsSummary,
  type SavedEvaluation,
  type SavedTo,
} from '../../../shared/saved-result.ts';
import type { MergedEvaluation } from '../eval/evaluation-parts.ts';
import { recordedNow } from '../io/recorded-time.ts';
import { recordCommand, recordPath } from '../io/recorded-path.ts';
import type { ReadPart } from '../shard/part-file.ts';
import type { RankPartBody, RankPartSettings } from '../rank/rank-shard.ts';
import type { RankingResult } from '../rank/types.ts';
import { runSavingResult } from '../workspace/save-result.ts';

/**
 * Results merged from a sharded job's parts kept in a workspace, registered as the same job run in the app is
 * (workspace/save-result.ts): the app lists them and opens them in Ranking or Evaluation.
 */
export const MERGE_TOOL = 'deepcorrect rank merge';
export const EVALUATE_MERGE_TOOL = 'deepcorrect evaluate merge';

const shardsText = (n: number): string => (n === 1 ? '1 shard' : `${n} shards`);

/** A merged ranking as a ranking artefact: rankings/<id>.json, in the format of `rank --out`. */
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
      name: `${modelName} ranked for ${label} (${merged.method}), merged from ${shardsText(parts.length)}`,
      tool: MERGE_TOOL,
      provenance: {
        summary: `${summary}; ${shardsText(parts.length)}`,
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

/** A merged evaluation as an evaluation artefact: evaluations/<id>.json, as models.evaluate saves one. */
export async function saveMergedEvaluation(
  workspace: string,
  merged: MergedEvaluation,
  shards: number,
  command: string,
): Promise<SavedTo> {
  const root = path.resolve(workspace);
  const { settings, model } = merged;
  const label = DISTORTIONS[settings.distortion.kind].label.toLowerCase();
  const saved: SavedEvaluation['settings'] = {
    split: settings.split,
    ...(settings.perClass === undefined ? {} : { perClass: settings.perClass }),
    spec: settings.distortion,
    levels: settings.levels,
    seed: settings.seed,
  };
  const modelName = `${path.basename(model.path)} (${model.metadata.arch})`;
  const sources = {
    model: { path: model.path, name: modelName },
    dataset: { path: settings.dataset.path, name: settings.dataset.name },
  };
  const result = await runSavingResult(
    workspace,
    {
      kind: 'evaluation',
      name: `${modelName} under ${label}, merged from ${shardsText(shards)}`,
      tool: EVALUATE_MERGE_TOOL,
      provenance: {
        summary: `${settingsSummary({ kind: label, ...saved })}; ${shardsText(shards)}`,
        model: model.path,
        modelName,
        dataset: settings.dataset.path,
        datasetName: settings.dataset.name,
        command: recordCommand(command, { within: root }),
        tool: EVALUATE_MERGE_TOOL,
      },
    },
    () => Promise.resolve(merged.result),
    (evaluation): SavedEvaluation => ({
      format: SAVED_EVALUATION_FORMAT,
      version: 1,
      ...sources,
      settings: saved,
      backend: merged.backend,
      createdAt: recordedNow(),
      result: evaluation,
    }),
  );
  return result.saved;
}
