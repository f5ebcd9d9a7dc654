/**
 * Every engine request by name: the engine host answers the bridge from this table, and each `deepcorrect`
 * command parses its flags into the same input and calls the same entry.
 */
import type { RequestName } from '../../../shared/bridge/contract.ts';
import { browseCase } from './browse.ts';
import type { UseCase } from './context.ts';
import { correctTrain, fineTuneTrain } from './correct.ts';
import { classIndices, datasetImages, openDatasetCase } from './datasets.ts';
import { distortSample, distortWrite } from './distort.ts';
import { demoTrain, engineInfo } from './engine.ts';
import { inspectActivations } from './inspect.ts';
import { evaluateModel, listModels, openModelCase, trainModel } from './models.ts';
import { openRankingCase, rankExperiment, rankFiltersCase } from './rank.ts';
import { openResultCase } from './open-result.ts';
import { openStudyCase, runStudyCase } from './study.ts';
import { checkWorkspaceCase, demoWorkspaceCase, discardArtefact, openWorkspaceCase } from './workspace.ts';

/** The requests about the engine host's own job queue, which the host answers itself. */
export type QueueRequest = 'jobs.list' | 'jobs.cancel';
export type EngineRequest = Exclude<RequestName, QueueRequest>;

export const USE_CASES: { [N in EngineRequest]: UseCase<N> } = {
  'engine.info': engineInfo,
  'dataset.open': openDatasetCase,
  'dataset.images': datasetImages,
  'dataset.classIndices': classIndices,
  'distort.sample': distortSample,
  'distort.write': distortWrite,
  'demo.train': demoTrain,
  'models.open': openModelCase,
  'models.list': listModels,
  'models.train': trainModel,
  'models.evaluate': evaluateModel,
  'rank.filters': rankFiltersCase,
  'rank.experiment': rankExperiment,
  'rank.open': openRankingCase,
  'result.open': openResultCase,
  'correct.train': correctTrain,
  'finetune.train': fineTuneTrain,
  'study.run': runStudyCase,
  'study.open': openStudyCase,
  'inspect.activations': inspectActivations,
  'workspace.open': openWorkspaceCase,
  'workspace.demo': demoWorkspaceCase,
  'workspace.check': checkWorkspaceCase,
  'workspace.discard': discardArtefact,
  'fs.browse': browseCase,
};
