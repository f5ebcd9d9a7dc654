import path from 'node:path';
import type { RequestInput, RequestOutput } from '../../../shared/bridge/contract.ts';
import { DISTORTIONS } from '../../../shared/distortions.ts';
import type { StudyConfig } from '../../../shared/study.ts';
import { fineTune, parseFineTuneLayers } from '../correct/fine-tune.ts';
import { planFromRanking } from '../correct/plan.ts';
import { trainCorrection, type TrainedModel } from '../correct/train-correction.ts';
import type { MixedTrainingOptions } from '../correct/train-loop.ts';
import { summarize } from '../models/summary.ts';
import { rankFilters } from '../rank/rank-filters.ts';
import { runStudy } from '../study/run-study.ts';
import { runStudyInWorkspace } from '../workspace/run-study-in-workspace.ts';
import { describeOptimizer } from '../train/optimizer.ts';
import type { HostState } from './handlers.ts';
import type { JobRun } from './jobs.ts';
import { APP_TOOL } from './workspace-handlers.ts';

type Context = Parameters<JobRun>[0];
type Job<N extends 'correct.train' | 'finetune.train' | 'study.run'> = (
  input: RequestInput<N>,
  state: HostState,
) => { title: string; run: (context: Context) => Promise<RequestOutput<N>> };

type MixedInput = RequestInput<'correct.train'> | RequestInput<'finetune.train'>;

function mixedOptions(input: MixedInput, state: HostState, context: Context): MixedTrainingOptions {
  return {
    dataset: state.datasets.get(input.datasetId),
    spec: input.spec,
    levels: input.levels,
    epochs: input.epochs,
    batchSize: input.batchSize,
    seed: input.seed,
    ...(input.optimizer ? { optimizer: input.optimizer } : {}),
    ...(input.schedule ? { schedule: input.schedule } : {}),
    ...(input.augment ? { augment: input.augment } : {}),
    ...(input.distortedFraction === undefined ? {} : { distortedFraction: input.distortedFraction }),
    ...(input.validationFraction === undefined ? {} : { validationFraction: input.validationFraction }),
    ...(input.trainPerClass === undefined ? {} : { trainPerClass: input.trainPerClass }),
    ...(input.resume === undefined ? {} : { resume: input.resume }),
    backend: state.backend.name,
    signal: context.signal,
    onProgress: context.progress,
  };
}

function trainedOutput(outDir: string, r: TrainedModel): RequestOutput<'correct.train'> {
  r.model.dispose();
  if (r.metadata === undefined) throw new Error('the trained model was not saved');
  return {
    modelDir: outDir,
    bestEpoch: r.bestEpoch,
    trainableParameters: r.trainableParameters,
    history: r.history,
    metadata: r.metadata,
  };
}

const correctTrain: Job<'correct.train'> = (input, state) => {
  const base = state.models.get(input.modelId);
  return {
    title: `Train DeepCorrect units on ${input.layers.join(', ')} of ${base.metadata.arch} (beta ${input.beta}, ${DISTORTIONS[input.spec.kind].label.toLowerCase()}) into ${input.outDir}`,
    run: async (context) => {
      const options = mixedOptions(input, state, context);
      const orders =
        input.orders ??
        (
          await rankFilters({
            model: base.model,
            dataset: options.dataset,
            layers: input.layers,
            spec: input.spec,
            levels: input.levels,
            seed: input.seed,
            ...(input.rankPerClass === undefined ? {} : { perClass: input.rankPerClass }),
            method: input.rankMethod ?? 'proxy',
            signal: context.signal,
          })
        ).layers.reduce<Record<string, number[]>>((all, l) => ({ ...all, [l.layer]: l.order }), {});
      const filters = new Map(summarize(base.model).convLayers.map((c) => [c.name, c.filters]));
      const plan = planFromRanking(
        {
          layers: Object.entries(orders).map(([layer, order]) => ({
            layer,
            order,
            filters: filters.get(layer) ?? order.length,
          })),
        },
        input.beta,
        input.layers,
      );
      const result = await trainCorrection({
        ...options,
        model: base.model,
        plan,
        ...(input.placement ? { placement: input.placement } : {}),
        baseMetadata: base.metadata,
        outDir: input.outDir,
        baseModelPath: base.path,
        beta: input.beta,
        rankingMethod: input.orders ? 'given' : (input.rankMethod ?? 'proxy'),
      });
      return trainedOutput(input.outDir, result);
    },
  };
};

const fineTuneTrain: Job<'finetune.train'> = (input, state) => {
  const base = state.models.get(input.modelId);
  return {
    title: `Fine-tune ${input.layers} layers of ${base.metadata.arch} (${DISTORTIONS[input.spec.kind].label.toLowerCase()}) into ${input.outDir}`,
    run: async (context) => {
      const result = await fineTune({
        ...mixedOptions(input, state, context),
        model: base.model,
        layers: parseFineTuneLayers(input.layers),
        baseMetadata: base.metadata,
        outDir: input.outDir,
        baseModelPath: base.path,
      });
      return trainedOutput(input.outDir, result);
    },
  };
};

const studyRun: Job<'study.run'> = (input, state) => {
  const base = state.models.get(input.modelId);
  const dataset = state.datasets.get(input.datasetId);
  return {
    title: `Study DeepCorrect against ${DISTORTIONS[input.spec.kind].label.toLowerCase()} on ${base.metadata.arch} and ${dataset.summary.name} into ${input.workspace === undefined ? input.outDir : `the workspace ${input.workspace}`}`,
    run: async (context) => {
      const config: StudyConfig = {
        model: base.path,
        dataset: path.resolve(dataset.summary.path),
        kind: input.spec.kind,
        levelsName: input.levelsName ?? input.levels.join(','),
        levels: input.levels,
        seed: input.seed,
        epochs: input.epochs,
        batchSize: input.batchSize,
        layers: input.layers,
        beta: input.beta,
        rankMethod: input.rankMethod,
        rankPerClass: input.rankPerClass,
        fineTuneLayers: input.fineTuneLayers,
        unitOptimizer: describeOptimizer(input.unitOptimizer),
        fineTuneOptimizer: describeOptimizer(input.fineTuneOptimizer),
        ...(input.trainPerClass === undefined ? {} : { trainPerClass: input.trainPerClass }),
        testSplit: 'test',
        ...(input.testPerClass === undefined ? {} : { testPerClass: input.testPerClass }),
      };
      const run = (outDir: string, resume: boolean) =>
        runStudy({
          config,
          base,
          dataset,
          outDir,
          resume,
          unitOptimizer: input.unitOptimizer,
          fineTuneOptimizer: input.fineTuneOptimizer,
          fineTuneLayers: parseFineTuneLayers(input.fineTuneLayers),
          ...(input.schedule ? { schedule: input.schedule } : {}),
          ...(input.augment ? { augment: input.augment } : {}),
          ...(input.distortedFraction === undefined ? {} : { distortedFraction: input.distortedFraction }),
          ...(input.validationFraction === undefined ? {} : { validationFraction: input.validationFraction }),
          backend: state.backend.name,
          device: state.backend.device,
          signal: context.signal,
          onProgress: context.progress,
        });
      if (input.workspace === undefined) {
        const outDir = input.outDir ?? '';
        return { ...(await run(outDir, input.resume ?? false)), outDir };
      }
      const done = await runStudyInWorkspace(input.workspace, config, run, {
        command: `study.run in ${APP_TOOL}`,
        tool: APP_TOOL,
        resume: input.resume ?? false,
      });
      return { ...done.report, outDir: done.outDir };
    },
  };
};

/** The DeepCorrect jobs of the bridge: units, the fine-tuning baseline, and the whole study. */
export const CORRECTION_JOBS = {
  'correct.train': correctTrain,
  'finetune.train': fineTuneTrain,
  'study.run': studyRun,
};
