/**
 * Evaluations, rankings, oracle experiments and trained models asked with a `workspace` are saved into it as
 * artefacts (workspace/save-result.ts): what each file holds, the entry's name and its settings' summary. A
 * trained model is still written to the folder the request names (its checkpoint lives there, for a resume)
 * and a copy of the model is registered under models/<id>. Without a workspace a request's output is only the
 * job's (and the UI says it was not saved).
 */
import path from 'node:path';
import type { RequestInput, RequestOutput } from '../../../shared/bridge/contract.ts';
import { DISTORTIONS } from '../../../shared/distortions.ts';
import {
  SAVED_EVALUATION_FORMAT,
  SAVED_EXPERIMENT_FORMAT,
  settingsSummary,
  type SavedEvaluation,
  type SavedExperiment,
  type SavedTo,
} from '../../../shared/saved-result.ts';
import type { Dataset } from '../data/dataset.ts';
import { recordPath } from '../io/recorded-path.ts';
import type { OpenModel } from '../session/models.ts';
import { recordedNow } from '../io/recorded-time.ts';
import { copyModelFolder, runSavingArtefact, runSavingResult } from '../workspace/save-result.ts';
import { APP_TOOL, pathRecording, recordedCommand, type UseCaseContext } from './context.ts';

type Evaluation = RequestOutput<'models.evaluate'>;
type Ranking = RequestOutput<'rank.filters'>;
type Experiment = RequestOutput<'rank.experiment'>;

const label = (kind: keyof typeof DISTORTIONS): string => DISTORTIONS[kind].label.toLowerCase();

/** The model's name as the UI shows it: its folder and architecture. */
export function modelName(base: OpenModel): string {
  return `${path.basename(base.path)} (${base.metadata.arch})`;
}

/** The model and dataset a result was measured on, their paths recorded against the workspace. */
function sources(
  base: OpenModel,
  dataset: Dataset,
  context: UseCaseContext,
  root: string,
): Pick<SavedEvaluation, 'model' | 'dataset'> {
  const how = pathRecording(context, root);
  return {
    model: { path: recordPath(base.path, how), name: modelName(base) },
    dataset: { path: recordPath(dataset.summary.path, how), name: dataset.summary.name },
  };
}

/** What the manifest's entry records beside the file: the summary the list shows, what and who. */
function provenance(
  summary: string,
  base: OpenModel,
  dataset: Dataset,
  context: UseCaseContext,
  root: string,
): Record<string, unknown> {
  const how = pathRecording(context, root);
  return {
    summary,
    model: recordPath(base.path, how),
    modelName: modelName(base),
    dataset: recordPath(dataset.summary.path, how),
    datasetName: dataset.summary.name,
    ...recordedCommand(context, how),
    tool: context.tool ?? APP_TOOL,
  };
}

/** models.evaluate with a workspace: evaluations/<id>.json. */
export async function saveEvaluation(
  input: RequestInput<'models.evaluate'> & { workspace: string },
  context: UseCaseContext,
  base: OpenModel,
  dataset: Dataset,
  measure: () => Promise<Evaluation>,
): Promise<RequestOutput<'models.evaluate'>> {
  const settings: SavedEvaluation['settings'] = {
    split: input.split,
    ...(input.perClass === undefined ? {} : { perClass: input.perClass }),
    spec: input.spec,
    levels: input.levels,
    seed: input.seed,
  };
  const summary = settingsSummary({ kind: label(input.spec.kind), ...settings });
  const root = path.resolve(input.workspace);
  const { result, saved } = await runSavingResult(
    input.workspace,
    {
      kind: 'evaluation',
      name: `${modelName(base)} under ${label(input.spec.kind)}`,
      tool: context.tool ?? APP_TOOL,
      provenance: provenance(summary, base, dataset, context, root),
    },
    measure,
    (evaluation, at): SavedEvaluation => ({
      format: SAVED_EVALUATION_FORMAT,
      version: 1,
      ...sources(base, dataset, context, at),
      settings,
      backend: context.session.backend.name,
      createdAt: recordedNow(),
      result: evaluation,
    }),
  );
  return { ...result, saved };
}

/** rank.filters with a workspace: rankings/<id>.json, in the format of `deepcorrect rank --out`. */
export async function saveRanking(
  input: RequestInput<'rank.filters'> & { workspace: string },
  context: UseCaseContext,
  base: OpenModel,
  dataset: Dataset,
  rank: () => Promise<Ranking>,
): Promise<RequestOutput<'rank.filters'>> {
  const summary = settingsSummary({
    kind: label(input.spec.kind),
    levels: input.levels,
    ...(input.perClass === undefined ? {} : { perClass: input.perClass }),
    ...(input.images === undefined ? {} : { images: input.images }),
    seed: input.seed,
    method: input.method,
  });
  const root = path.resolve(input.workspace);
  const { result, saved } = await runSavingResult(
    input.workspace,
    {
      kind: 'ranking',
      name: `${modelName(base)} ranked for ${label(input.spec.kind)} (${input.method})`,
      tool: context.tool ?? APP_TOOL,
      provenance: provenance(summary, base, dataset, context, root),
    },
    rank,
    (ranking) => ranking,
  );
  return { ...result, saved };
}

/** rank.experiment with a workspace: experiments/<id>.json. */
export async function saveExperiment(
  input: RequestInput<'rank.experiment'> & { workspace: string },
  context: UseCaseContext,
  base: OpenModel,
  dataset: Dataset,
  resolved: { fractions: number[]; evalPerClass: number; split: SavedExperiment['settings']['split'] },
  measure: () => Promise<Experiment>,
): Promise<RequestOutput<'rank.experiment'>> {
  const settings: SavedExperiment['settings'] = {
    spec: input.spec,
    levels: input.levels,
    seed: input.seed,
    orders: input.orders,
    ...resolved,
  };
  const summary = `${settingsSummary({
    kind: label(input.spec.kind),
    levels: input.levels,
    split: resolved.split,
    perClass: resolved.evalPerClass,
    seed: input.seed,
  })}; ${Object.keys(input.orders).join(', ')} at ${resolved.fractions.join(', ')}`;
  const root = path.resolve(input.workspace);
  const { result, saved } = await runSavingResult(
    input.workspace,
    {
      kind: 'experiment',
      name: `${modelName(base)} oracle experiment under ${label(input.spec.kind)}`,
      tool: context.tool ?? APP_TOOL,
      provenance: provenance(summary, base, dataset, context, root),
    },
    measure,
    (experiment, at): SavedExperiment => ({
      format: SAVED_EXPERIMENT_FORMAT,
      version: 1,
      ...sources(base, dataset, context, at),
      settings,
      backend: context.session.backend.name,
      createdAt: recordedNow(),
      result: experiment,
    }),
  );
  return { ...result, saved };
}

/** What a model trained with a workspace is: its role, the folder it was trained in, what it came from. */
export interface TrainedModelInfo {
  role: 'baseline' | 'deepcorrect' | 'fine-tuned';
  /** The artefact's name. */
  name: string;
  /** The settings in a line, for the workspace's list. */
  summary: string;
  /** The folder the job trains into (absolute); its model files are copied into the workspace. */
  outDir: string;
  /** The base model of a corrected or fine-tuned one. */
  base?: OpenModel;
  dataset: Dataset;
}

/** models.train, correct.train or finetune.train with a workspace: trained into outDir, copied to models/<id>. */
export async function keepTrainedModel<T extends object>(
  workspace: string,
  context: UseCaseContext,
  info: TrainedModelInfo,
  train: () => Promise<T>,
): Promise<T & { saved: SavedTo }> {
  const how = pathRecording(context, path.resolve(workspace));
  const { result, saved } = await runSavingArtefact(
    workspace,
    {
      kind: 'model',
      name: info.name,
      tool: context.tool ?? APP_TOOL,
      provenance: {
        summary: info.summary,
        role: info.role,
        trainedIn: recordPath(info.outDir, how),
        ...(info.base === undefined
          ? {}
          : { model: recordPath(info.base.path, how), modelName: modelName(info.base) }),
        dataset: recordPath(info.dataset.summary.path, how),
        datasetName: info.dataset.summary.name,
        ...recordedCommand(context, how),
        tool: context.tool ?? APP_TOOL,
      },
    },
    train,
    (_result, target) => copyModelFolder(info.outDir, target),
  );
  return { ...result, saved };
}
