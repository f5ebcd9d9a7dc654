import { readImages } from '../session/datasets.ts';
import type { UseCase } from './context.ts';

/** dataset.open: opens a dataset (the bundled demo without a path) and keeps it open under an id. */
export const openDatasetCase: UseCase<'dataset.open'> = {
  run: async (input, { session }) => {
    const { datasetId, dataset } = await session.datasets.add(
      input.path,
      {
        ...(input.size ? { size: input.size } : {}),
        ...(input.channels ? { channels: input.channels } : {}),
        ...(input.skipBad ? { skipBad: true } : {}),
        ...(input.labels ? { labels: input.labels } : {}),
      },
      session.inUse?.datasets,
    );
    return { datasetId, summary: dataset.summary };
  },
};

export const datasetImages: UseCase<'dataset.images'> = {
  run: (input, { session }) => readImages(session.datasets.get(input.datasetId), input.split, input.indices),
};

export const classIndices: UseCase<'dataset.classIndices'> = {
  run: async (input, { session }) => {
    const labels = await session.datasets.get(input.datasetId).labels(input.split);
    const indices: number[] = [];
    labels.forEach((label, i) => {
      if (label === input.classIndex) indices.push(i);
    });
    return { indices };
  },
};
