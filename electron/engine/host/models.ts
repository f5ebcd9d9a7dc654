import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { ModelMetadata } from '../models/metadata.ts';
import { loadModel } from '../models/model-io.ts';
import { demoModelDir } from '../resources.ts';

interface OpenModel {
  model: tf.LayersModel;
  metadata: ModelMetadata;
  /** The folder it was loaded from, absolute (studies and corrected models record it). */
  path: string;
}

/** The models the UI has open, by id: loaded (and validated) once, used by many requests. */
export class ModelRegistry {
  private readonly open = new Map<string, OpenModel>();
  private nextId = 1;

  async add(folder: string | undefined): Promise<{ modelId: string } & OpenModel> {
    const dir = path.resolve(folder ?? demoModelDir());
    const loaded = { ...(await loadModel(dir)), path: dir };
    const modelId = `model-${this.nextId++}`;
    this.open.set(modelId, loaded);
    return { modelId, ...loaded };
  }

  /** Every open model with its id, in the order they were opened. */
  entries(): ({ modelId: string } & OpenModel)[] {
    return [...this.open.entries()].map(([modelId, m]) => ({ modelId, ...m }));
  }

  get(modelId: string): OpenModel {
    const found = this.open.get(modelId);
    if (found === undefined) throw new Error(`model ${modelId} is not open (open it again)`);
    return found;
  }

  closeAll(): void {
    for (const { model } of this.open.values()) model.dispose();
    this.open.clear();
  }
}
