import path from 'node:path';
import { CORRECT_DEFAULTS, MIX_DEFAULTS, STUDY_DEFAULTS } from '../../../shared/bridge/defaults.ts';
import type { RequestInput } from '../../../shared/bridge/contract.ts';
import type { StudyConfig } from '../../../shared/study.ts';
import { ablationVariants, variantName, type StudyVariant } from '../../../shared/study-variants.ts';
import { levelsPhrase, modelPhrase } from '../../../shared/job-title.ts';
import { parseFineTuneLayers } from '../correct/fine-tune.ts';
import { summarize } from '../models/summary.ts';
import type { OpenModel } from '../session/models.ts';
import { openStudy } from '../study/open-study.ts';
import { runStudy } from '../study/run-study.ts';
import { readGivenRanking, type GivenRanking } from '../study/given-ranking.ts';
import { describeOptimizer } from '../train/optimizer.ts';
import { runStudyInWorkspace } from '../workspace/run-study-in-workspace.ts';
import { recordPath, type PathRecording } from '../io/recorded-path.ts';
import {
  APP_TOOL,
  pathRecording,
  recordedCommand,
  reporting,
  type UseCase,
  type UseCaseContext,
} from './context.ts';
import { mixedOptions } from './correct.ts';
import { modelAndDataset } from './open-pair.ts';

/** What the study was asked to do, as report.json and study.json record it: enough to run it again. */
function studyConfig(
  input: RequestInput<'study.run'>,
  base: OpenModel,
  datasetPath: string,
  paths: PathRecording,
  given: GivenRanking | undefined,
): StudyConfig {
  const convLayers = summarize(base.model).convLayers.map((c) => c.name);
  const layers = input.layers ?? convLayers.slice(0, STUDY_DEFAULTS.firstLayers);
  const placement = input.placement ?? CORRECT_DEFAULTS.placement;
  // A given ranking decides the ranking's settings: the study records the file's, not the input's.
  const rank =
    given === undefined
      ? {
          rankMethod: input.rankMethod,
          ...(input.rankImages === undefined ? {} : { rankImages: input.rankImages }),
          ...(input.rankPerClass === undefined ? {} : { rankPerClass: input.rankPerClass }),
          ...(input.rankTau === undefined || input.rankTau === 'abs' ? {} : { rankTau: input.rankTau }),
        }
      : {
          rankMethod: given.ranking.method,
          ...(given.ranking.rankImages === undefined ? {} : { rankImages: given.ranking.rankImages }),
          ...(given.ranking.perClass === undefined ? {} : { rankPerClass: given.ranking.perClass }),
          ...(given.ranking.tauKind === 'signed' ? { rankTau: 'signed' as const } : {}),
          ranking: { file: recordPath(given.path, paths), sha256: given.sha256 },
        };
  const variants = studyVariants(
    input,
    { placement, layers, beta: input.beta, rankMethod: rank.rankMethod },
    convLayers,
  );
  return {
    model: recordPath(base.path, paths),
    dataset: recordPath(datasetPath, paths),
    kind: input.spec.kind,
    levelsName: input.levelsName ?? input.levels.join(','),
    levels: input.levels,
    seed: input.seed,
    // Recorded only for several seeds, so that one-seed studies keep the settings older folders resume with.
    ...((input.seeds ?? 1) > 1
      ? { seeds: Array.from({ length: input.seeds ?? 1 }, (_, i) => input.seed + i) }
      : {}),
    epochs: input.epochs,
    batchSize: input.batchSize,
    layers,
    beta: input.beta,
    // The ranking set as asked (neither: the ranking's default, recorded in ranking.json's rankingImages).
    ...rank,
    placement,
    ...(input.tune === undefined ? {} : { tune: input.tune }),
    patience: input.patience ?? MIX_DEFAULTS.patience,
    fineTuneLayers: input.fineTuneLayers,
    unitOptimizer: describeOptimizer(input.unitOptimizer),
    fineTuneOptimizer: describeOptimizer(input.fineTuneOptimizer),
    ...(input.trainPerClass === undefined ? {} : { trainPerClass: input.trainPerClass }),
    testSplit: 'test',
    ...(input.testPerClass === undefined ? {} : { testPerClass: input.testPerClass }),
    // Recorded only when asked, so that studies without an ablation keep the settings they resume with.
    ...(variants.length === 0 ? {} : { variants }),
  };
}

/** The variants asked for by name, then the standard ablation's (those not asked already), each named. */
function studyVariants(
  input: RequestInput<'study.run'>,
  own: Parameters<typeof ablationVariants>[0],
  convLayers: readonly string[],
): StudyVariant[] {
  const asked = (input.variants ?? []).map((v) => {
    const settings = {
      ...(v.placement === undefined ? {} : { placement: v.placement }),
      ...(v.layers === undefined ? {} : { layers: v.layers }),
      ...(v.beta === undefined ? {} : { beta: v.beta }),
      ...(v.rank === undefined ? {} : { rank: v.rank }),
    };
    return { name: variantName(settings), ...settings };
  });
  const standard = input.ablation === true ? ablationVariants(own, convLayers) : [];
  return [...asked, ...standard.filter((v) => !asked.some((a) => a.name === v.name))];
}

/** study.run: the whole comparison on one distortion into a study folder or a workspace; resumable. */
export const runStudyCase: UseCase<'study.run'> = {
  title: (input, session) => {
    const model = session.models.get(input.modelId);
    const seeds = input.seeds ?? 1;
    const which =
      input.seedIndex === undefined
        ? `${seeds} seed${seeds === 1 ? '' : 's'}`
        : `seed index ${input.seedIndex} of ${seeds}`;
    return `Study DeepCorrect on ${modelPhrase(model.metadata.arch, model.path)} and ${session.datasets.get(input.datasetId).summary.name} (${which}; ${levelsPhrase(input.spec.kind, input.levels)}) into ${input.workspace === undefined ? input.outDir : `the workspace ${input.workspace}`}`;
  },
  run: async (input, context: UseCaseContext) => {
    const { session } = context;
    const { base, dataset } = modelAndDataset(session, input.modelId, input.datasetId);
    // Paths inside the workspace (or the study folder) are recorded relative to it (io/recorded-path.ts).
    const paths = pathRecording(
      context,
      input.workspace ?? (input.outDir === undefined ? undefined : path.resolve(input.outDir)),
    );
    const given = input.ranking === undefined ? undefined : await readGivenRanking(input.ranking);
    const config = studyConfig(input, base, dataset.summary.path, paths, given);
    const command = recordedCommand(context, paths).command;
    const mixed = mixedOptions(input, dataset, context);
    const run = (outDir: string, resume: boolean) =>
      runStudy({
        config,
        base,
        dataset,
        outDir,
        resume,
        ...(input.seedIndex === undefined ? {} : { seedIndex: input.seedIndex }),
        ...(given === undefined ? {} : { ranking: given }),
        unitOptimizer: input.unitOptimizer,
        fineTuneOptimizer: input.fineTuneOptimizer,
        fineTuneLayers: parseFineTuneLayers(input.fineTuneLayers),
        schedule: mixed.schedule,
        augment: mixed.augment,
        distortedFraction: mixed.distortedFraction,
        validationFraction: mixed.validationFraction,
        ...(mixed.patience === undefined ? {} : { patience: mixed.patience }),
        ...(mixed.replicas === undefined ? {} : { replicas: mixed.replicas }),
        backend: session.backend.name,
        device: session.backend.device,
        paths,
        ...(command === undefined ? {} : { command }),
        ...reporting(context),
        ...(context.log ? { onLog: context.log } : {}),
      });
    const resume = input.resume ?? false;
    if (input.workspace === undefined) {
      const outDir = path.resolve(input.outDir ?? '');
      return { ...(await run(outDir, resume)), outDir };
    }
    const tool = context.tool ?? APP_TOOL;
    const done = await runStudyInWorkspace(input.workspace, config, run, {
      command: command ?? `study.run in ${tool}`,
      tool,
      resume,
      ...(input.studyId === undefined ? {} : { studyId: input.studyId }),
      ...(context.log ? { log: context.log } : {}),
    });
    return { ...done.report, outDir: done.outDir };
  },
};

export const openStudyCase: UseCase<'study.open'> = {
  run: (input) => openStudy(input.path, input.html === undefined ? {} : { html: input.html }),
};
