import path from 'node:path';
import type { RequestInput, RequestOutput } from '../../../shared/bridge/contract.ts';
import { CORRECT_DEFAULTS, FINE_TUNE_DEFAULTS, MIX_DEFAULTS } from '../../../shared/bridge/defaults.ts';
import { levelsPhrase, modelPhrase } from '../../../shared/job-title.ts';
import { fineTune, parseFineTuneLayers } from '../correct/fine-tune.ts';
import { planFromRanking } from '../correct/plan.ts';
import { trainCorrection, type TrainedModel } from '../correct/train-correction.ts';
import type { MixedTrainingOptions } from '../correct/train-loop.ts';
import type { Dataset } from '../data/dataset.ts';
import { openRanking } from '../rank/open-ranking.ts';
import { rankFiltersCase } from './rank.ts';
import { pathRecording, recordedCommand, reporting, type UseCase, type UseCaseContext } from './context.ts';
import { layerOrders, ordersOf, type LayerOrder } from './layer-orders.ts';
import { modelAndDataset } from './open-pair.ts';
import type { OpenModel } from '../session/models.ts';
import { mixedEpochLine } from './training-lines.ts';
import { keepTrainedModel, modelName } from './save-into-workspace.ts';

type MixedInput = RequestInput<'correct.train'> | RequestInput<'finetune.train'>;

/** The clean/distorted mix and budget of a training run, every setting the input leaves out from MIX_DEFAULTS. */
export function mixedOptions(
  input: Omit<MixedInput, 'modelId' | 'layers' | 'outDir'>,
  dataset: Dataset,
  context: UseCaseContext,
): MixedTrainingOptions {
  const { session, log, replicas } = context;
  return {
    dataset,
    spec: input.spec,
    levels: input.levels,
    epochs: input.epochs,
    patience: input.patience ?? MIX_DEFAULTS.patience,
    batchSize: input.batchSize,
    seed: input.seed,
    schedule: input.schedule ?? MIX_DEFAULTS.schedule,
    augment: input.augment ?? MIX_DEFAULTS.augment,
    distortedFraction: input.distortedFraction ?? MIX_DEFAULTS.distortedFraction,
    validationFraction: input.validationFraction ?? MIX_DEFAULTS.validationFraction,
    ...(input.trainPerClass === undefined ? {} : { trainPerClass: input.trainPerClass }),
    resume: input.resume ?? false,
    paths: pathRecording(context),
    backend: session.backend.name,
    ...(replicas === undefined ? {} : { replicas }),
    ...reporting(context),
    ...(log ? { onEpoch: (r) => log(mixedEpochLine(r, input.epochs)), onNote: log } : {}),
  };
}

function trainedOutput(outDir: string, r: TrainedModel): RequestOutput<'correct.train'> {
  r.model.dispose();
  if (r.metadata === undefined) throw new Error('the trained model was not saved');
  return {
    modelDir: outDir,
    bestEpoch: r.bestEpoch,
    stop: r.stop,
    validation: r.validation,
    trainableParameters: r.trainableParameters,
    seconds: r.seconds,
    ...(r.resumedFrom === undefined ? {} : { resumedFrom: r.resumedFrom }),
    history: r.history,
    metadata: r.metadata,
  };
}

/** The orders the units follow: given, read from a ranking file, or ranked now; with their provenance. */
async function ordersFor(
  input: RequestInput<'correct.train'>,
  base: OpenModel,
  context: UseCaseContext,
): Promise<{ orders: LayerOrder[]; method: string }> {
  if (input.orders !== undefined) return { orders: layerOrders(base.model, input.orders), method: 'given' };
  if (input.ranking !== undefined) {
    const saved = await openRanking(input.ranking);
    return {
      orders: layerOrders(base.model, ordersOf(saved.ranking)),
      method: `${saved.ranking.method} (${saved.path})`,
    };
  }
  const method = input.rankMethod ?? CORRECT_DEFAULTS.rankMethod;
  context.log?.(`ranking ${input.layers?.join(', ') ?? 'every conv layer'} by the ${method}...`);
  const { progress: _progress, ...quiet } = context;
  const ranking = await rankFiltersCase.run(
    {
      modelId: input.modelId,
      datasetId: input.datasetId,
      ...(input.layers ? { layers: input.layers } : {}),
      spec: input.spec,
      levels: input.levels,
      seed: input.seed,
      perClass: input.rankPerClass ?? CORRECT_DEFAULTS.rankPerClass,
      method,
    },
    quiet,
  );
  return { orders: ranking.layers, method };
}

/** correct.train: DeepCorrect units on the top beta of each chosen layer's ranking; the base stays frozen. */
export const correctTrain: UseCase<'correct.train'> = {
  title: (input, session) => {
    const model = session.models.get(input.modelId);
    return `Train DeepCorrect units on ${input.layers?.join(', ') ?? 'every ranked layer'} of ${modelPhrase(model.metadata.arch, model.path)} (beta ${input.beta}, ${input.epochs} epochs; ${levelsPhrase(input.spec.kind, input.levels)}) into ${input.outDir}`;
  },
  run: (input, context) => {
    const { base, dataset } = modelAndDataset(context.session, input.modelId, input.datasetId);
    const outDir = path.resolve(input.outDir);
    const train = async (): Promise<RequestOutput<'correct.train'>> => {
      const { orders, method } = await ordersFor(input, base, context);
      const plan = planFromRanking({ layers: orders }, input.beta, input.layers);
      const placement = input.placement ?? CORRECT_DEFAULTS.placement;
      context.log?.(
        `correcting ${plan.map((p) => `${p.layer} (${p.filters.length} filters)`).join(', ')}, ${placement}`,
      );
      const result = await trainCorrection({
        ...mixedOptions(input, dataset, context),
        optimizer: input.optimizer ?? CORRECT_DEFAULTS.optimizer,
        model: base.model,
        plan,
        placement,
        baseMetadata: base.metadata,
        outDir,
        baseModelPath: base.path,
        beta: input.beta,
        rankingMethod: method,
        ...recordedCommand(context, pathRecording(context)),
      });
      return trainedOutput(outDir, result);
    };
    const { workspace } = input;
    if (workspace === undefined) return train();
    return keepTrainedModel(
      workspace,
      context,
      {
        role: 'deepcorrect',
        name: `${path.basename(outDir)} (DeepCorrect units of ${modelName(base)})`,
        summary: `units on ${input.layers?.join(', ') ?? 'every ranked layer'}, beta ${input.beta}; ${levelsPhrase(input.spec.kind, input.levels)}; up to ${input.epochs} epochs, seed ${input.seed}`,
        outDir,
        base,
        dataset,
      },
      train,
    );
  },
};

/** finetune.train: the fine-tuning baseline under the same data and budget, on a copy of the base model. */
export const fineTuneTrain: UseCase<'finetune.train'> = {
  title: (input, session) => {
    const model = session.models.get(input.modelId);
    return `Fine-tune ${input.layers} layers of ${modelPhrase(model.metadata.arch, model.path)} (${input.epochs} epochs; ${levelsPhrase(input.spec.kind, input.levels)}) into ${input.outDir}`;
  },
  run: (input, context) => {
    const { base, dataset } = modelAndDataset(context.session, input.modelId, input.datasetId);
    const outDir = path.resolve(input.outDir);
    const train = async (): Promise<RequestOutput<'finetune.train'>> => {
      const result = await fineTune({
        ...mixedOptions(input, dataset, context),
        optimizer: input.optimizer ?? FINE_TUNE_DEFAULTS.optimizer,
        model: base.model,
        layers: parseFineTuneLayers(input.layers),
        baseMetadata: base.metadata,
        outDir,
        baseModelPath: base.path,
        ...recordedCommand(context, pathRecording(context)),
      });
      return trainedOutput(outDir, result);
    };
    const { workspace } = input;
    if (workspace === undefined) return train();
    return keepTrainedModel(
      workspace,
      context,
      {
        role: 'fine-tuned',
        name: `${path.basename(outDir)} (${modelName(base)} fine-tuned)`,
        summary: `${input.layers} layers; ${levelsPhrase(input.spec.kind, input.levels)}; up to ${input.epochs} epochs, seed ${input.seed}`,
        outDir,
        base,
        dataset,
      },
      train,
    );
  },
};
