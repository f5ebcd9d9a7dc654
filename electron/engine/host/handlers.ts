import * as tf from '@tensorflow/tfjs';
import type { JobName, QuickName, RequestInput, RequestOutput } from '../../../shared/bridge/contract.ts';
import type { BackendChoice } from '../../../shared/backends.ts';
import type { SplitName } from '../../../shared/datasets.ts';
import { DISTORTIONS } from '../../../shared/distortions.ts';
import { stratifiedSubset } from '../data/subset.ts';
import { distortBatch } from '../distort/apply.ts';
import { toUint8 } from '../distort/quantize.ts';
import { demoBaseline } from '../ops/demo-baseline.ts';
import { writeDistortedDataset } from '../ops/write-distorted.ts';
import { DatasetRegistry, readImages } from './datasets.ts';
import type { ModelRegistry } from './models.ts';
import { evaluate } from '../eval/evaluate.ts';
import { summarize } from '../models/registry.ts';
import { oracleExperiment } from '../rank/experiment.ts';
import { openRanking } from '../rank/open-ranking.ts';
import { rankFilters } from '../rank/rank-filters.ts';
import { runTraining } from '../train/run-training.ts';
import { openStudy } from '../study/open-study.ts';
import { CORRECTION_JOBS } from './correction-jobs.ts';
import { inspectActivations } from './inspect.ts';
import type { JobQueue, JobRun } from './jobs.ts';
import { WORKSPACE_HANDLERS } from './workspace-handlers.ts';

export interface HostState {
  backend: BackendChoice;
  mode: 'desktop' | 'browser';
  datasets: DatasetRegistry;
  models: ModelRegistry;
  jobs: JobQueue;
  /** The workspace the UI has open (absolute), read-only: the host holds no lock on it. */
  workspace?: string;
}

type QuickHandlers = {
  [N in QuickName]: (input: RequestInput<N>, state: HostState) => Promise<RequestOutput<N>>;
};
type JobHandlers = {
  [N in JobName]: (
    input: RequestInput<N>,
    state: HostState,
  ) => { title: string; run: (context: Parameters<JobRun>[0]) => Promise<RequestOutput<N>> };
};

/** The model and dataset ids that queued and running jobs name: opening others must not close these. */
function usedByJobs(state: HostState, fields: readonly string[]): (id: string) => boolean {
  const ids = new Set<unknown>();
  for (const input of state.jobs.activeInputs())
    if (typeof input === 'object' && input !== null)
      for (const field of fields) ids.add((input as Record<string, unknown>)[field]);
  return (id) => ids.has(id);
}
const MODEL_FIELDS = ['modelId', 'correctedModelId'];
const DATASET_FIELDS = ['datasetId'];

/** A quick request run with the model and dataset it names held open, so an open meanwhile cannot close them. */
/**
 * Largest image `distort.sample` distorts. A preview is a quick request, answered on the engine's one thread
 * while other requests wait: at the distortions' own bounds a 1024 x 1024 image took up to 7.6 s on wasm
 * (defocus radius 20; a 121-tap blur 2 s), and a 50-megapixel one, which the readers accept, 166 s and 3.9 GB.
 * Larger images are distorted by the distort.write job, which reports progress and can be cancelled.
 */
export const MAX_PREVIEW_PIXELS = 1024 * 1024;

function refuseLargePreview(summary: { name: string; width: number; height: number }): void {
  const pixels = summary.width * summary.height;
  if (pixels > MAX_PREVIEW_PIXELS)
    throw new Error(
      `${summary.name}: its ${summary.width} x ${summary.height} images are too large to preview a distortion here (at most ${MAX_PREVIEW_PIXELS.toLocaleString('en')} pixels, about 1024 x 1024); distort the dataset with Write (the distort.write job) or \`deepcorrect distort\`, or open it resized to a smaller size`,
    );
}

function holding<I extends { datasetId?: string; modelId?: string; correctedModelId?: string }, O>(
  handler: (input: I, state: HostState) => Promise<O>,
): (input: I, state: HostState) => Promise<O> {
  return (input, state) =>
    state.models.holding([input.modelId, input.correctedModelId], () =>
      state.datasets.holding(input.datasetId, () => handler(input, state)),
    );
}

export const QUICK: QuickHandlers = {
  ...WORKSPACE_HANDLERS,

  'engine.info': (_input, state) =>
    Promise.resolve({
      backend: {
        name: state.backend.name,
        reason: state.backend.reason,
        device: state.backend.device,
        threads: state.backend.threads,
      },
      version: '0.1.0',
      mode: state.mode,
    }),

  'dataset.open': async (input, state) => {
    const { datasetId, dataset } = await state.datasets.add(
      input.path,
      {
        ...(input.size ? { size: input.size } : {}),
        ...(input.channels ? { channels: input.channels } : {}),
        ...(input.skipBad ? { skipBad: true } : {}),
      },
      usedByJobs(state, DATASET_FIELDS),
    );
    return { datasetId, summary: dataset.summary };
  },

  'dataset.images': holding((input, state) =>
    readImages(state.datasets.get(input.datasetId), input.split, input.indices),
  ),

  'dataset.classIndices': holding(async (input, state) => {
    const labels = await state.datasets.get(input.datasetId).labels(input.split);
    const indices: number[] = [];
    labels.forEach((label, i) => {
      if (label === input.classIndex) indices.push(i);
    });
    return { indices };
  }),

  'distort.sample': holding(async (input, state) => {
    const dataset = state.datasets.get(input.datasetId);
    refuseLargePreview(dataset.summary);
    const clean = await readImages(dataset, input.split, [input.index]);
    const x = tf.tensor4d(Float32Array.from(clean.pixels), [1, clean.height, clean.width, clean.channels]);
    let out: tf.Tensor4D | undefined;
    try {
      out = distortBatch(x, input.spec, { seed: input.seed, ids: [input.index] });
      return { clean, distorted: { ...clean, pixels: await toUint8(out) } };
    } finally {
      x.dispose();
      out?.dispose();
    }
  }),

  'models.open': async (input, state) => {
    const { modelId, model, metadata, path } = await state.models.add(
      input.path,
      usedByJobs(state, MODEL_FIELDS),
    );
    return { modelId, path, metadata, summary: summarize(model) };
  },

  'inspect.activations': holding(inspectActivations),

  'study.open': (input) => openStudy(input.path),

  'rank.open': (input) => openRanking(input.path),

  'models.list': (_input, state) =>
    Promise.resolve({
      models: state.models.entries().map(({ modelId, model, metadata, path }) => ({
        modelId,
        path,
        metadata,
        summary: summarize(model),
      })),
    }),

  'jobs.list': (_input, state) => Promise.resolve({ jobs: state.jobs.list() }),

  'jobs.cancel': (input, state) => Promise.resolve({ cancelled: state.jobs.cancel(input.jobId) }),
};

export const JOBS: JobHandlers = {
  ...CORRECTION_JOBS,

  'distort.write': (input, state) => {
    const dataset = state.datasets.get(input.datasetId);
    const info = DISTORTIONS[input.spec.kind];
    return {
      title: `Write ${info.label.toLowerCase()} ${input.spec.level} of ${dataset.summary.name} to ${input.outDir}`,
      run: async ({ signal, progress }) => {
        const names: SplitName[] = input.splits ?? dataset.summary.splits.map((s) => s.name);
        const splits = [];
        for (const name of names) {
          const perClass = input.perClass;
          splits.push(
            perClass === undefined
              ? { name }
              : {
                  name,
                  indices: stratifiedSubset(
                    await dataset.labels(name),
                    perClass,
                    0,
                    dataset.summary.classes.length,
                  ),
                },
          );
        }
        return writeDistortedDataset(dataset, {
          spec: input.spec,
          seed: input.seed,
          splits,
          outDir: input.outDir,
          signal,
          onProgress: progress,
        });
      },
    };
  },

  'models.train': (input, state) => {
    const dataset = state.datasets.get(input.datasetId);
    return {
      title: `Train ${input.arch} on ${dataset.summary.name} (${input.epochs} epochs) into ${input.outDir}`,
      run: async ({ signal, progress }) => {
        const { outDir, datasetId: _datasetId, ...settings } = input;
        const result = await runTraining({
          ...settings,
          dataset,
          outDir,
          backend: state.backend.name,
          signal,
          onProgress: progress,
        });
        result.model.dispose();
        return { modelDir: outDir, bestEpoch: result.bestEpoch, metadata: result.metadata };
      },
    };
  },

  'models.evaluate': (input, state) => {
    const dataset = state.datasets.get(input.datasetId);
    const { model, metadata } = state.models.get(input.modelId);
    return {
      title: `Evaluate ${metadata.arch} on ${dataset.summary.name} (${input.split}), ${DISTORTIONS[input.spec.kind].label.toLowerCase()}`,
      run: async ({ signal, progress }) => {
        const indices =
          input.perClass === undefined
            ? undefined
            : stratifiedSubset(
                await dataset.labels(input.split),
                input.perClass,
                input.seed,
                dataset.summary.classes.length,
              );
        return evaluate({
          model,
          dataset,
          split: input.split,
          ...(indices ? { indices } : {}),
          spec: input.spec,
          levels: input.levels,
          seed: input.seed,
          signal,
          onProgress: progress,
        });
      },
    };
  },

  'rank.experiment': (input, state) => {
    const dataset = state.datasets.get(input.datasetId);
    const { model, metadata } = state.models.get(input.modelId);
    return {
      title: `Oracle experiment on ${Object.keys(input.orders).join(', ')} of ${metadata.arch} (${DISTORTIONS[input.spec.kind].label.toLowerCase()})`,
      run: ({ signal, progress }) => {
        const convs = summarize(model).convLayers;
        const layers = Object.entries(input.orders).map(([layer, order]) => {
          const conv = convs.find((c) => c.name === layer);
          if (conv === undefined)
            throw new Error(
              `"${layer}" is not a conv layer of the model; its conv layers are ${convs.map((c) => c.name).join(', ')}`,
            );
          if (
            order.length !== conv.filters ||
            new Set(order).size !== order.length ||
            order.some((f) => f >= conv.filters)
          )
            throw new Error(`the order for ${layer} must list each of its ${conv.filters} filters once`);
          return { layer, activation: conv.activation, filters: conv.filters, order, seconds: 0 };
        });
        return oracleExperiment({
          model,
          dataset,
          ranking: {
            model: metadata.arch,
            dataset: dataset.summary.path,
            method: 'oracle',
            kind: input.spec.kind,
            levels: input.levels,
            seed: input.seed,
            split: 'train',
            perClass: 0,
            rankingImages: 0,
            layers,
            backend: state.backend.name,
            seconds: 0,
          },
          spec: input.spec,
          ...(input.fractions ? { fractions: input.fractions } : {}),
          ...(input.evalPerClass ? { evalPerClass: input.evalPerClass } : {}),
          ...(input.split ? { split: input.split } : {}),
          seed: input.seed,
          signal,
          onProgress: progress,
        });
      },
    };
  },

  'rank.filters': (input, state) => {
    const dataset = state.datasets.get(input.datasetId);
    const { model, metadata } = state.models.get(input.modelId);
    return {
      title: `Rank ${metadata.arch}'s filters (${input.method}) for ${DISTORTIONS[input.spec.kind].label.toLowerCase()} on ${dataset.summary.name}`,
      run: ({ signal, progress }) =>
        rankFilters({
          model,
          dataset,
          ...(input.layers ? { layers: input.layers } : {}),
          spec: input.spec,
          levels: input.levels,
          seed: input.seed,
          ...(input.perClass ? { perClass: input.perClass } : {}),
          method: input.method,
          modelName: metadata.arch,
          signal,
          onProgress: progress,
        }),
    };
  },

  'demo.train': (input, state) => ({
    title: `Train cnn4 on the demo (${input.trainPerClass * 10} images, ${input.epochs} epochs), then ${DISTORTIONS[input.spec.kind].label.toLowerCase()} accuracy`,
    run: async ({ signal, progress }) => {
      const result = await demoBaseline({
        backend: state.backend.name,
        ...input,
        signal,
        onProgress: progress,
      });
      return {
        rows: result.rows,
        epochs: result.epochs.map((e) => ({
          epoch: e.epoch,
          loss: e.loss,
          imagesPerSecond: e.imagesPerSecond,
        })),
      };
    },
  }),
};
