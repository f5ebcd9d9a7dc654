import type { Dataset } from '../data/dataset.ts';
import { ModelError } from '../models/model-error.ts';
import { expectationProblem } from '../models/model-io.ts';
import type { OpenModel } from '../session/models.ts';
import type { EngineSession } from './context.ts';

/**
 * An open model and an open dataset that a request uses together, refused with the model's folder named when
 * the model's input size or classes do not match the dataset's.
 */
export function modelAndDataset(
  session: EngineSession,
  modelId: string,
  datasetId: string,
): { base: OpenModel; dataset: Dataset } {
  const base = session.models.get(modelId);
  const dataset = session.datasets.get(datasetId);
  const { height, width, channels, classes } = dataset.summary;
  const problem = expectationProblem(base.metadata.inputShape, base.metadata.classes.length, {
    expectInput: [height, width, channels],
    expectClasses: classes.length,
  });
  if (problem !== undefined) throw new ModelError(base.path, `${problem} (${dataset.summary.path})`);
  return { base, dataset };
}
