import path from 'node:path';
import { describeStop } from '../../../shared/training.ts';
import { imagesPhrase, levelsPhrase, modelPhrase } from '../../../shared/job-title.ts';
import { evaluate } from '../eval/evaluate.ts';
import { evaluationImages } from '../eval/evaluation-images.ts';
import { summarize } from '../models/registry.ts';
import { runTraining } from '../train/run-training.ts';
import { pathRecording, recordedCommand, reporting, type UseCase } from './context.ts';
import { modelAndDataset } from './open-pair.ts';
import { keepTrainedModel, saveEvaluation } from './save-into-workspace.ts';
import { epochLine, trainingStartLines } from './training-lines.ts';

/** models.open: a model folder (the shipped demo model without a path), validated before it is built. */
export const openModelCase: UseCase<'models.open'> = {
  run: async (input, { session }) => {
    const {
      modelId,
      model,
      metadata,
      path: dir,
    } = await session.models.add(input.path, session.inUse?.models);
    return { modelId, path: dir, metadata, summary: summarize(model) };
  },
};

export const listModels: UseCase<'models.list'> = {
  run: (_input, { session }) =>
    Promise.resolve({
      models: session.models.entries().map(({ modelId, model, metadata, path: dir }) => ({
        modelId,
        path: dir,
        metadata,
        summary: summarize(model),
      })),
    }),
};

/** models.train: a baseline trained from scratch into a new model folder (checkpoints every epoch, resumable). */
export const trainModel: UseCase<'models.train'> = {
  title: (input, session) =>
    `Train ${input.arch} on ${session.datasets.get(input.datasetId).summary.name} (${input.epochs} epochs) into ${input.outDir}`,
  run: (input, context) => {
    const { session, log, replicas } = context;
    const dataset = session.datasets.get(input.datasetId);
    const outDir = path.resolve(input.outDir);
    const { datasetId: _datasetId, outDir: _outDir, workspace, ...settings } = input;
    const train = async () => {
      const result = await runTraining({
        ...settings,
        dataset,
        outDir,
        backend: session.backend.name,
        ...(replicas === undefined ? {} : { replicas }),
        ...reporting(context),
        paths: pathRecording(context),
        ...recordedCommand(context, pathRecording(context)),
        ...(log
          ? {
              onStart: (i) => {
                for (const line of trainingStartLines(i, {
                  ...input,
                  out: outDir,
                  dataset: dataset.summary.name,
                }))
                  log(line);
              },
              onEpoch: (r) => log(epochLine(r, input.epochs)),
            }
          : {}),
      });
      result.model.dispose();
      const best = result.history.find((h) => h.epoch === result.bestEpoch);
      log?.(`stopped: ${describeStop(result.stop)}`);
      return {
        modelDir: outDir,
        bestEpoch: result.bestEpoch,
        stop: result.stop,
        bestValAccuracy: best === undefined || Number.isNaN(best.valAccuracy) ? null : best.valAccuracy,
        metadata: result.metadata,
      };
    };
    if (workspace === undefined) return train();
    return keepTrainedModel(
      workspace,
      context,
      {
        role: 'baseline',
        name: `${path.basename(outDir)} (${input.arch} trained on ${dataset.summary.name})`,
        summary: `${input.arch} on ${dataset.summary.name}; up to ${input.epochs} epochs, batch ${input.batchSize}, ${input.optimizer.kind} ${input.optimizer.learningRate}; seed ${input.seed}`,
        outDir,
        dataset,
      },
      train,
    );
  },
};

/** models.evaluate: accuracy clean and at every level (top-1, top-5, per class, confusion); saved into a workspace if asked. */
export const evaluateModel: UseCase<'models.evaluate'> = {
  // Says what differs between two evaluations of one model, first what differs most: the levels, then the images.
  title: (input, session) => {
    const model = session.models.get(input.modelId);
    return `Evaluate ${modelPhrase(model.metadata.arch, model.path)}, ${levelsPhrase(input.spec.kind, input.levels)}, on ${session.datasets.get(input.datasetId).summary.name} (${imagesPhrase(input.split, input.perClass)}, seed ${input.seed})`;
  },
  run: async (input, context) => {
    const { session } = context;
    const { base, dataset } = modelAndDataset(session, input.modelId, input.datasetId);
    const indices = await evaluationImages(dataset, input.split, input.perClass, input.seed);
    const measure = () =>
      evaluate({
        model: base.model,
        dataset,
        split: input.split,
        ...(indices ? { indices } : {}),
        spec: input.spec,
        levels: input.levels,
        seed: input.seed,
        ...reporting(context),
      });
    const { workspace } = input;
    return workspace === undefined
      ? measure()
      : saveEvaluation({ ...input, workspace }, context, base, dataset, measure);
  },
};
