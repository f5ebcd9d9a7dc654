import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '../io/atomic-write.ts';
import {
  MODEL_FILE,
  parseModelJson,
  parseWeight,
  WEIGHTS_FILE,
  type ParsedModelJson,
  type WeightSpec,
} from './manifest.ts';
import { METADATA_FILE, validateMetadata, type ModelMetadata } from './metadata.ts';
import { ModelError, reason } from './model-error.ts';
import { readChecked, resolveFolder, resolveInside, type FolderFile } from './folder-files.ts';
import { summarize } from './summary.ts';

export { ModelError } from './model-error.ts';

/** model.json is topology and a manifest; anything near this size is not a model file. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

export interface LoadOptions {
  /** [height, width, channels] of the data the model will see. */
  expectInput?: [number, number, number];
  expectClasses?: number;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const dims = (shape: readonly number[]): string => shape.join('x');

/** The first weight with NaN or infinite values, and how many there are. */
function nonFinite(
  data: ArrayBuffer,
  specs: readonly WeightSpec[],
): { name: string; count: number } | undefined {
  let offset = 0;
  for (const spec of specs) {
    if (spec.dtype === 'float32') {
      const values = new Float32Array(data, offset, spec.bytes / 4);
      let count = 0;
      for (const v of values) if (!Number.isFinite(v)) count++;
      if (count > 0) return { name: spec.name, count };
    }
    offset += spec.bytes;
  }
  return undefined;
}

/** The model's [h, w, c] input and class count, or why it is not a one-input image classifier. */
function modelShapes(model: tf.LayersModel): { input: [number, number, number]; classes: number } | string {
  const input = model.inputs.length === 1 ? model.inputs[0]?.shape : undefined;
  const output = model.outputs.length === 1 ? model.outputs[0]?.shape : undefined;
  if (input?.length !== 4 || !input.slice(1).every((d) => typeof d === 'number')) {
    return `the model needs one input of fixed size [batch, height, width, channels], it has ${JSON.stringify(model.inputs.map((t) => t.shape))}`;
  }
  if (output?.length !== 2 || typeof output[1] !== 'number') {
    return `the model needs one output [batch, classes], it has ${JSON.stringify(model.outputs.map((t) => t.shape))}`;
  }
  return { input: input.slice(1) as [number, number, number], classes: output[1] };
}

/** Why a model does not fit data of the expected shape and classes, or undefined when it does. */
export function expectationProblem(
  input: readonly number[],
  classes: number,
  { expectInput, expectClasses }: LoadOptions,
): string | undefined {
  if (expectInput !== undefined && dims(input) !== dims(expectInput)) {
    return `model expects ${dims(input)} inputs, the dataset has ${dims(expectInput)}`;
  }
  if (expectClasses !== undefined && classes !== expectClasses) {
    return `model has ${classes} classes, the dataset has ${expectClasses}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Saving
// ---------------------------------------------------------------------------------------------------------

async function artifactsOf(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler((artifacts) => {
      captured = artifacts;
      return Promise.resolve({ modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) });
    }),
  );
  if (captured?.modelTopology === undefined || captured.weightSpecs === undefined) {
    throw new Error('tfjs gave no topology or weights for the model');
  }
  return captured;
}

/** Flushes a folder's entries (the renames) to disk; not possible on every platform, hence best effort. */
async function syncFolder(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    await handle.sync().finally(() => handle.close());
  } catch {
    // Windows cannot open a folder for syncing; the renames are still atomic there.
  }
}

/**
 * Writes <dir>/weights.bin, <dir>/model.json (tfjs LayersModel format, loadable by tf.loadLayersModel) and
 * <dir>/deepcorrect.json, creating the folder. All three are first written in full and flushed under
 * temporary names, then renamed over the old files, weights first: a failure while writing leaves the
 * previous model untouched, and a crash between the renames leaves files whose SHA-256 links (model.json
 * and deepcorrect.json both record the weights' hash) make loadModel refuse them with a clear message.
 * metadata.weightsSha256 is set here; the rest of the metadata must describe the model.
 */
export async function saveModel(model: tf.LayersModel, dir: string, metadata: ModelMetadata): Promise<void> {
  const metaFile = path.join(dir, METADATA_FILE);
  const checked = validateMetadata(metadata, metaFile);
  const shapes = modelShapes(model);
  if (typeof shapes === 'string') throw new ModelError(dir, `cannot save: ${shapes}`);
  if (dims(checked.inputShape) !== dims(shapes.input) || checked.classes.length !== shapes.classes) {
    throw new ModelError(
      metaFile,
      `metadata describes ${dims(checked.inputShape)} inputs and ${checked.classes.length} classes, the model has ${dims(shapes.input)} and ${shapes.classes}`,
    );
  }
  let artifacts: tf.io.ModelArtifacts;
  try {
    artifacts = await artifactsOf(model);
  } catch (error) {
    throw new ModelError(dir, `cannot save: tfjs could not serialise the model (${reason(error)})`, {
      cause: error,
    });
  }
  const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? []));
  // The same checks as loading, so that what is saved loads (a layers model's weights are all float32).
  const specs = (artifacts.weightSpecs ?? []).map(({ name, shape, dtype }, i) =>
    parseWeight({ name, shape, dtype }, `weight ${i}`, dir),
  );
  const bad = nonFinite(weights.buffer, specs);
  if (bad !== undefined) {
    throw new ModelError(
      dir,
      `not saved: weight "${bad.name}" has ${bad.count} NaN or infinite values (did training diverge?)`,
    );
  }
  const weightsSha256 = sha256(weights);
  const modelJson = {
    format: 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: artifacts.modelTopology,
    ...(artifacts.trainingConfig === undefined ? {} : { trainingConfig: artifacts.trainingConfig }),
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs }],
    deepcorrect: { weightsSha256 },
  };
  const files: [string, Uint8Array | string][] = [
    [WEIGHTS_FILE, weights],
    [MODEL_FILE, JSON.stringify(modelJson)],
    [METADATA_FILE, `${JSON.stringify({ ...checked, weightsSha256 }, null, 2)}\n`],
  ];
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new ModelError(dir, `cannot create the folder: ${reason(error)}`, { cause: error });
  }
  const token = `${process.pid}.${randomBytes(4).toString('hex')}`;
  const staged = files.map(([name]) => path.join(dir, `.${name}.${token}.staged`));
  // Which file was being written or renamed when a step failed, and how many now carry the new model.
  let current = 0;
  let renamed = 0;
  try {
    for (const [i, [, data]] of files.entries()) {
      current = i;
      await writeFileAtomic(staged[i] as string, data);
    }
    for (const [i, [name]] of files.entries()) {
      current = i;
      await rename(staged[i] as string, path.join(dir, name));
      renamed++;
    }
  } catch (error) {
    await Promise.all(staged.slice(renamed).map((f) => rm(f, { force: true }).catch(() => undefined)));
    const name = files[current]?.[0] ?? MODEL_FILE;
    const state =
      renamed === 0 ? 'the previous model is unchanged' : 'the folder now fails to load; save again';
    throw new ModelError(path.join(dir, name), `could not be written (${reason(error)}); ${state}`, {
      cause: error,
    });
  }
  await syncFolder(dir);
}

// ---------------------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------------------

interface CheckedFolder {
  parsed: ParsedModelJson;
  modelFile: string;
  metadata?: ModelMetadata;
  metaFile: string;
  weights: ArrayBuffer;
}

async function readJson(file: FolderFile): Promise<string> {
  if (file.size > MAX_JSON_BYTES) throw new ModelError(file.shown, 'is larger than 64 MiB, not a model file');
  return (await readChecked(file)).toString('utf8');
}

/** Reads each group's shards into one buffer, after checking each group's size against the manifest. */
async function readWeights(
  dir: string,
  realDir: string,
  parsed: ParsedModelJson,
  modelFile: string,
): Promise<ArrayBuffer> {
  const shards: FolderFile[][] = [];
  for (const group of parsed.groups) {
    const files: FolderFile[] = [];
    for (const p of group.paths) files.push((await resolveInside(dir, realDir, p)) as FolderFile);
    const size = files.reduce((sum, f) => sum + f.size, 0);
    if (size !== group.bytes) {
      const shown =
        files.length === 1 ? (files[0] as FolderFile).shown : files.map((f) => f.shown).join(' + ');
      throw new ModelError(
        shown,
        `has ${size} bytes, but ${MODEL_FILE} lists ${group.bytes} bytes of weights for it (${size < group.bytes ? 'truncated' : 'too long'}, or from another model)`,
      );
    }
    shards.push(files);
  }
  const total = parsed.groups.reduce((sum, g) => sum + g.bytes, 0);
  const data = new ArrayBuffer(total);
  const view = new Uint8Array(data);
  let offset = 0;
  for (const file of shards.flat()) {
    view.set(await readChecked(file), offset);
    offset += file.size;
  }
  const specs = parsed.groups.flatMap((g) => g.weights);
  const bad = nonFinite(data, specs);
  if (bad !== undefined) {
    const where =
      shards.length === 1 && shards[0]?.length === 1 ? (shards[0][0] as FolderFile).shown : modelFile;
    throw new ModelError(
      where,
      `weight "${bad.name}" has ${bad.count} NaN or infinite values; the model is unusable`,
    );
  }
  if (parsed.weightsSha256 !== undefined && sha256(view) !== parsed.weightsSha256) {
    throw new ModelError(
      modelFile,
      `its weight files do not hold the weights it was saved with (checksum differs): an interrupted save, or files from two models; save the model again`,
    );
  }
  return data;
}

/** Everything that can be checked without building: files, manifest, sizes, values, metadata. */
async function checkFolder(dir: string, options: LoadOptions): Promise<CheckedFolder> {
  const realDir = await resolveFolder(dir);
  const modelRef = await resolveInside(dir, realDir, MODEL_FILE, true);
  const modelFile = path.join(dir, MODEL_FILE);
  if (modelRef === undefined) {
    throw new ModelError(
      modelFile,
      'is missing; a model folder holds model.json (a tfjs LayersModel) and its weight files',
    );
  }
  const parsed = parseModelJson(await readJson(modelRef), modelFile);
  const metaRef = await resolveInside(dir, realDir, METADATA_FILE, true);
  const metaFile = path.join(dir, METADATA_FILE);
  let metadata: ModelMetadata | undefined;
  if (metaRef !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(await readJson(metaRef));
    } catch (error) {
      if (error instanceof ModelError) throw error;
      throw new ModelError(metaFile, `is not valid JSON (${reason(error)})`);
    }
    metadata = validateMetadata(json, metaFile);
    if (metadata.weightsSha256 !== undefined && metadata.weightsSha256 !== parsed.weightsSha256) {
      throw new ModelError(
        metaFile,
        `describes other weights than ${MODEL_FILE} (checksum differs): an interrupted save, or files from two models; save the model again`,
      );
    }
    const problem = expectationProblem(metadata.inputShape, metadata.classes.length, options);
    if (problem !== undefined) throw new ModelError(metaFile, problem);
  }
  const weights = await readWeights(dir, realDir, parsed, modelFile);
  return { parsed, modelFile, metaFile, weights, ...(metadata === undefined ? {} : { metadata }) };
}

type ModelConfig = Parameters<typeof tf.models.modelFromJSON>[0];

async function build({ parsed, modelFile, weights }: CheckedFolder): Promise<tf.LayersModel> {
  let model: tf.LayersModel;
  try {
    model = await tf.models.modelFromJSON({ modelTopology: parsed.topology } as ModelConfig);
  } catch (error) {
    throw new ModelError(modelFile, `its topology does not build: ${reason(error)}`, { cause: error });
  }
  const specs = parsed.groups.flatMap((g) => g.weights);
  let values: tf.NamedTensorMap = {};
  try {
    values = tf.io.decodeWeights(
      weights,
      specs.map(({ name, shape, dtype }) => ({ name, shape, dtype })),
    );
    const modelValues: tf.NamedTensorMap = {};
    for (const spec of specs)
      if (spec.group !== 'optimizer') modelValues[spec.name] = values[spec.name] as tf.Tensor;
    model.loadWeights(modelValues, true);
  } catch (error) {
    model.dispose();
    throw new ModelError(modelFile, `its weights do not fit its topology: ${reason(error)}`, {
      cause: error,
    });
  } finally {
    tf.dispose(Object.values(values));
  }
  return model;
}

/** Checks the built model against its metadata, or derives metadata for an imported one. */
function describeBuilt(model: tf.LayersModel, checked: CheckedFolder, options: LoadOptions): ModelMetadata {
  const shapes = modelShapes(model);
  if (typeof shapes === 'string') throw new ModelError(checked.modelFile, shapes);
  const { metadata } = checked;
  if (metadata === undefined) {
    const problem = expectationProblem(shapes.input, shapes.classes, options);
    if (problem !== undefined) throw new ModelError(checked.modelFile, problem);
    return {
      format: 'deepcorrect-model',
      version: 1,
      arch: 'imported',
      inputShape: shapes.input,
      classes: Array.from({ length: shapes.classes }, (_, i) => String(i)),
      normalisation: { kind: 'unit' },
      parameters: model.countParams(),
      convLayers: summarize(model).convLayers.map((c) => c.name),
    };
  }
  if (dims(metadata.inputShape) !== dims(shapes.input)) {
    throw new ModelError(
      checked.metaFile,
      `says ${dims(metadata.inputShape)} inputs, but the model takes ${dims(shapes.input)}`,
    );
  }
  if (metadata.classes.length !== shapes.classes) {
    throw new ModelError(
      checked.metaFile,
      `names ${metadata.classes.length} classes, but the model has ${shapes.classes} outputs`,
    );
  }
  const names = new Set(model.layers.map((l) => l.name));
  const unknown = metadata.convLayers.find((name) => !names.has(name));
  if (unknown !== undefined)
    throw new ModelError(checked.metaFile, `lists conv layer "${unknown}", which the model lacks`);
  return metadata;
}

/**
 * Loads a model folder. Every file is checked before anything is built (see checkFolder); a folder without
 * deepcorrect.json is an imported tfjs model, whose metadata is derived (arch 'imported', classes '0'..'n-1',
 * 'unit' normalisation assumed). Failures are ModelErrors naming the file; on failure nothing stays allocated.
 */
export async function loadModel(
  dir: string,
  options: LoadOptions = {},
): Promise<{ model: tf.LayersModel; metadata: ModelMetadata }> {
  const checked = await checkFolder(dir, options);
  const model = await build(checked);
  try {
    return { model, metadata: describeBuilt(model, checked, options) };
  } catch (error) {
    model.dispose();
    throw error;
  }
}
