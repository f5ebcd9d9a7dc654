import { ModelError, reason } from './model-error.ts';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

/** Bytes per value of the weight dtypes the engine reads (tfjs's own layers models store float32). */
const DTYPE_BYTES = { float32: 4, int32: 4 } as const;
export type WeightDtype = keyof typeof DTYPE_BYTES;

/** Above this a weight buffer cannot be one ArrayBuffer on every platform; no model here comes close. */
export const MAX_WEIGHT_BYTES = 2 ** 31 - 1;

/**
 * Most values one input of a model may take (50 megapixels of 4 channels, the image reader's own limit). Building
 * a model allocates its weights from the topology alone, before the manifest's weights are checked against it, so
 * a topology declaring a 100000x100000 input would allocate a Dense kernel of billions of floats.
 */
export const MAX_INPUT_VALUES = 200_000_000;
/** Keys under which a layers-model topology declares an input's shape (Keras and tfjs spellings). */
const INPUT_SHAPE_KEYS = new Set([
  'batch_input_shape',
  'batchInputShape',
  'batch_shape',
  'input_shape',
  'inputShape',
]);

/**
 * The first declared input shape with more than MAX_INPUT_VALUES values, as a problem; undefined if none. Walks
 * the topology with a stack rather than by recursion, so a hostile, deeply nested model.json cannot overflow it.
 */
function inputShapeProblem(topology: Record<string, unknown>): string | undefined {
  const stack: unknown[] = [topology];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) for (const item of value as unknown[]) stack.push(item);
    else if (isRecord(value))
      for (const [key, v] of Object.entries(value)) {
        if (INPUT_SHAPE_KEYS.has(key) && Array.isArray(v)) {
          const dims = v.filter((d): d is number => typeof d === 'number');
          const values = dims.reduce((a, b) => a * b, 1);
          if (values > MAX_INPUT_VALUES)
            return `declares an input of shape [${v.map((d) => (typeof d === 'number' ? d : 'batch')).join(', ')}] (${values} values per example), more than the engine builds (${MAX_INPUT_VALUES})`;
        } else stack.push(v);
      }
  }
  return undefined;
}

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: WeightDtype;
  /** tfjs marks optimizer state 'optimizer'; it is read and checked but not loaded into the model. */
  group?: string;
  bytes: number;
}

export interface WeightGroup {
  /** Shard file names relative to the model folder, in the order their bytes concatenate. */
  paths: string[];
  weights: WeightSpec[];
  bytes: number;
}

export interface ParsedModelJson {
  /** The Keras-style topology (a full Keras model JSON is unwrapped to its model_config). */
  topology: Record<string, unknown>;
  groups: WeightGroup[];
  /** Written by saveModel: the SHA-256 of all weight bytes in manifest order. */
  weightsSha256?: string;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A weight path must name a file inside the model folder: no absolute paths, no '..' or '.' segments,
 * no backslashes (which are separators on Windows), nothing that could reach another folder.
 * Returns a problem, or undefined when the path is acceptable.
 */
export function weightPathProblem(p: string): string | undefined {
  const why =
    p === ''
      ? 'is empty'
      : p.startsWith('/') || /^[A-Za-z]:/.test(p)
        ? 'is absolute'
        : p.includes('\\') || p.includes('\0')
          ? 'contains a backslash or NUL'
          : p.split('/').some((s) => s === '' || s === '.' || s === '..')
            ? 'leaves the model folder or has empty segments'
            : undefined;
  return why === undefined
    ? undefined
    : `weight file path "${p}" ${why}; weight files must be plain file names inside the model folder`;
}

export function parseWeight(value: unknown, where: string, file: string): WeightSpec {
  if (!isRecord(value)) throw new ModelError(file, `${where} is not an object`);
  const { name, shape, dtype, group, quantization } = value;
  if (typeof name !== 'string' || name === '') throw new ModelError(file, `${where} has no name`);
  const label = `weight "${name}"`;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw new ModelError(file, `${label} has no valid shape (a list of non-negative integers)`);
  }
  if (quantization !== undefined) {
    throw new ModelError(file, `${label} is quantized; only unquantized float32/int32 weights are supported`);
  }
  if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_BYTES, dtype)) {
    throw new ModelError(
      file,
      `${label} has unsupported dtype ${JSON.stringify(dtype)}; only float32 and int32 weights are supported`,
    );
  }
  if (group !== undefined && typeof group !== 'string')
    throw new ModelError(file, `${label} has a non-string group`);
  const values = (shape as number[]).reduce((a, b) => a * b, 1);
  return {
    name,
    shape: shape as number[],
    dtype: dtype as WeightDtype,
    ...(group === undefined ? {} : { group }),
    bytes: values * DTYPE_BYTES[dtype as WeightDtype],
  };
}

function parseGroup(value: unknown, index: number, file: string): WeightGroup {
  const where = `weightsManifest[${index}]`;
  if (!isRecord(value)) throw new ModelError(file, `${where} is not an object`);
  const { paths, weights } = value;
  if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string')) {
    throw new ModelError(file, `${where}.paths must list the group's weight files`);
  }
  for (const p of paths) {
    const problem = weightPathProblem(p);
    if (problem !== undefined) throw new ModelError(file, problem);
  }
  if (!Array.isArray(weights)) throw new ModelError(file, `${where}.weights must list the group's weights`);
  const specs = weights.map((w, i) => parseWeight(w, `${where}.weights[${i}]`, file));
  return { paths, weights: specs, bytes: specs.reduce((sum, w) => sum + w.bytes, 0) };
}

/**
 * Parses and checks model.json as written by tfjs's model.save() (or the Keras converter): a layers-model
 * topology and a manifest of float32/int32 weights in files inside the folder. Builds nothing.
 */
export function parseModelJson(text: string, file: string): ParsedModelJson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelError(file, `is not valid JSON (${reason(error)})`);
  }
  if (!isRecord(json)) throw new ModelError(file, 'is not a tfjs model (expected a JSON object)');
  if (json.format === 'graph-model') {
    throw new ModelError(
      file,
      'is a tfjs graph model; only layers models (tf.LayersModel, Keras) can be loaded',
    );
  }
  if (json.format !== undefined && json.format !== 'layers-model') {
    throw new ModelError(file, `has format ${JSON.stringify(json.format)}, not a tfjs layers model`);
  }
  const declared = json.modelTopology;
  if (!isRecord(declared)) {
    throw new ModelError(
      file,
      'has no modelTopology, so it is not a tfjs LayersModel (model.json from model.save())',
    );
  }
  // A full Keras model JSON wraps the topology, as tfjs's own loader accepts.
  const topology = isRecord(declared.model_config) ? declared.model_config : declared;
  if (typeof topology.class_name !== 'string' || !isRecord(topology.config)) {
    throw new ModelError(file, 'its modelTopology is not a layers-model topology (no class_name and config)');
  }
  const tooLarge = inputShapeProblem(topology);
  if (tooLarge !== undefined) throw new ModelError(file, tooLarge);
  if (!Array.isArray(json.weightsManifest)) {
    throw new ModelError(file, 'has no weightsManifest, so the weights of the model are unknown');
  }
  const groups = json.weightsManifest.map((g, i) => parseGroup(g, i, file));
  const names = new Set<string>();
  for (const w of groups.flatMap((g) => g.weights)) {
    if (names.has(w.name)) throw new ModelError(file, `lists weight "${w.name}" twice`);
    names.add(w.name);
  }
  if (groups.reduce((sum, g) => sum + g.bytes, 0) > MAX_WEIGHT_BYTES) {
    throw new ModelError(file, 'lists more than 2 GiB of weights, more than the engine can hold');
  }
  const sha = isRecord(json.deepcorrect) ? json.deepcorrect.weightsSha256 : undefined;
  if (sha !== undefined && (typeof sha !== 'string' || !/^[0-9a-f]{64}$/.test(sha))) {
    throw new ModelError(file, 'deepcorrect.weightsSha256 must be 64 lowercase hex digits');
  }
  return { topology, groups, ...(sha === undefined ? {} : { weightsSha256: sha }) };
}
