import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { ModelMetadata } from '../models/metadata.ts';
import { loadModel } from '../models/model-io.ts';
import { demoModelDir } from '../resources.ts';
import { fingerprint } from './fingerprint.ts';
import { HandleRegistry, type InUse } from './handle-registry.ts';

export interface OpenModel {
  model: tf.LayersModel;
  metadata: ModelMetadata;
  /** The folder it was loaded from, absolute (studies and corrected models record it). */
  path: string;
}

/**
 * Idle models kept open. The views use at most three at once (a base model with its corrected and
 * fine-tuned versions) and an evaluation compares a few more; models that jobs use stay open past it. At
 * ResNet-18 size (about 45 MB of weights) eight idle models are a few hundred MB, at the demo's 2 MB nothing.
 */
export const MAX_OPEN_MODELS = 8;

/** Opening order, for listing: ids are `model-N`. */
const counter = (id: string): number => Number(id.slice(id.lastIndexOf('-') + 1));

/**
 * The models the UI has open, by id: loaded (and validated) once, used by many requests. A folder opened
 * again with unchanged files gets the open model back; past MAX_OPEN_MODELS the least recently used one no
 * job uses is disposed, and its id then fails with a message that says to open it again.
 */
export class ModelRegistry {
  private readonly handles: HandleRegistry<OpenModel>;

  constructor(limit = MAX_OPEN_MODELS) {
    this.handles = new HandleRegistry({
      noun: 'model',
      prefix: 'model',
      limit,
      close: ({ model }) => {
        model.dispose();
      },
    });
  }

  /** Opens a model folder (the demo model without one); `inUse` names the models jobs hold. */
  async add(folder: string | undefined, inUse?: InUse): Promise<{ modelId: string } & OpenModel> {
    const dir = path.resolve(folder ?? demoModelDir());
    // Taken before loading: files changed during the load then differ next time, and are loaded again.
    const key = await fingerprint(dir);
    const { id, value } = await this.handles.add(
      key,
      async () => ({ ...(await loadModel(dir)), path: dir }),
      inUse,
    );
    return { modelId: id, ...value };
  }

  /** Every open model with its id, in the order they were opened. */
  entries(): ({ modelId: string } & OpenModel)[] {
    return this.handles
      .entries()
      .sort((a, b) => counter(a.id) - counter(b.id))
      .map(({ id, value }) => ({ modelId: id, ...value }));
  }

  get(modelId: string): OpenModel {
    return this.handles.get(modelId);
  }

  /** Runs `work` with these models (undefined ones skipped) kept open: a concurrent open cannot dispose them. */
  holding<R>(modelIds: readonly (string | undefined)[], work: () => Promise<R>): Promise<R> {
    return this.handles.holding(modelIds, work);
  }

  /** Disposes every model, at once: disposing is synchronous, only the registry's signature is a promise. */
  closeAll(): void {
    void this.handles.closeAll();
  }
}
