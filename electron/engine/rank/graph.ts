import * as tf from '@tensorflow/tfjs';

/*
 * Running a model from an intermediate tensor. tfjs-layers has an executor that does this (`execute` with a
 * `FeedDict`, dist/engine/executor.js), but it is not part of the package's API: importing it loads a second,
 * ESM copy of tfjs-layers next to the CommonJS bundle that `@tensorflow/tfjs` uses under Node, so its
 * `instanceof InputLayer` test sees other classes, and bundlers resolve it differently again. The public
 * SymbolicTensor fields (`sourceLayer`, `inputs`) are all such an executor needs, so this is a small one.
 */

/** The symbolic tensors of a computation whose values are supplied, by tensor name. */
export type Feeds = Map<string, tf.Tensor>;

interface Plan {
  /** The tensors to compute, in an order where every input comes first. */
  order: tf.SymbolicTensor[];
  /** For each computed tensor, how many later computations read it (to dispose it after its last use). */
  readers: Map<string, number>;
}

function plan(fetches: readonly tf.SymbolicTensor[], fed: ReadonlySet<string>): Plan {
  const order: tf.SymbolicTensor[] = [];
  const readers = new Map<string, number>();
  const seen = new Set<string>(fed);
  // Iterative depth-first walk: deep networks (resnet20 has ~70 layers) stay far from the stack limit anyway,
  // but an explicit stack keeps the order easy to follow.
  const visit = (root: tf.SymbolicTensor): void => {
    const stack: { t: tf.SymbolicTensor; expanded: boolean }[] = [{ t: root, expanded: false }];
    while (stack.length > 0) {
      const top = stack.pop() as { t: tf.SymbolicTensor; expanded: boolean };
      if (top.expanded) {
        if (!seen.has(top.t.name)) {
          seen.add(top.t.name);
          order.push(top.t);
        }
        continue;
      }
      if (seen.has(top.t.name)) continue;
      if (top.t.inputs.length === 0) {
        throw new Error(`cannot compute "${top.t.name}": it is a model input and no value was given for it`);
      }
      stack.push({ t: top.t, expanded: true });
      for (const input of top.t.inputs) if (!seen.has(input.name)) stack.push({ t: input, expanded: false });
    }
  };
  for (const f of fetches) visit(f);
  for (const t of order)
    for (const input of t.inputs) readers.set(input.name, (readers.get(input.name) ?? 0) + 1);
  return { order, readers };
}

/**
 * The values of `fetches` given values for some symbolic tensors (the model input, or intermediate ones);
 * only what the fetches depend on beyond the feeds is computed. Intermediate results are disposed after their
 * last use; the fed tensors are left to the caller.
 */
export function runGraph(fetches: readonly tf.SymbolicTensor[], feeds: Feeds): tf.Tensor[] {
  const { order, readers } = plan(fetches, new Set(feeds.keys()));
  const values = new Map(feeds);
  const wanted = new Set(fetches.map((f) => f.name));
  const left = new Map(readers);
  for (const t of order) {
    const inputs = t.inputs.map((i) => values.get(i.name) as tf.Tensor);
    const out = t.sourceLayer.apply(inputs.length === 1 ? (inputs[0] as tf.Tensor) : inputs);
    // A multi-output layer gives an array; every layer of the project's models has one output.
    const value = (Array.isArray(out) ? out[t.outputTensorIndex ?? 0] : out) as tf.Tensor;
    values.set(t.name, value);
    for (const input of t.inputs) {
      const remaining = (left.get(input.name) ?? 0) - 1;
      left.set(input.name, remaining);
      if (remaining === 0 && !feeds.has(input.name) && !wanted.has(input.name)) {
        values.get(input.name)?.dispose();
      }
    }
  }
  return fetches.map((f) => values.get(f.name) as tf.Tensor);
}

/**
 * A model cut at one layer's output: the head computes that activation (and whatever else the rest needs,
 * such as a residual block's shortcut input) from the input; the tail computes the output from them.
 */
export interface SplitModel {
  /** The cut layer's output. */
  activation: tf.SymbolicTensor;
  /**
   * Tensors the tail reads that do not depend on the activation (empty for a sequential model and for a
   * ResNet block output; a block's input when cut inside the block). Computed by the head, fed to the tail.
   */
  context: tf.SymbolicTensor[];
  /** [activation, ...context] for a batch of model inputs (already scaled as the model expects). */
  head(x: tf.Tensor): tf.Tensor[];
  /** The model's output (probabilities) from an activation batch and its context values, row for row. */
  tail(activation: tf.Tensor, context: readonly tf.Tensor[]): tf.Tensor;
}

function singleOutput(layer: tf.layers.Layer): tf.SymbolicTensor {
  const out = layer.output;
  if (Array.isArray(out) || layer.inboundNodes.length !== 1) {
    throw new Error(
      `layer "${layer.name}" is used more than once or has several outputs; it cannot be ranked`,
    );
  }
  return out;
}

export function splitModel(model: tf.LayersModel, layerName: string): SplitModel {
  const input = model.inputs[0];
  const output = model.outputs[0];
  if (
    model.inputs.length !== 1 ||
    model.outputs.length !== 1 ||
    input === undefined ||
    output === undefined
  ) {
    throw new Error('only models with one input and one output can be split');
  }
  const activation = singleOutput(model.getLayer(layerName));
  // Which tensors depend on the activation: the tail recomputes exactly these.
  const dependsMemo = new Map<string, boolean>([[activation.name, true]]);
  const depends = (t: tf.SymbolicTensor): boolean => {
    const known = dependsMemo.get(t.name);
    if (known !== undefined) return known;
    const result = t.inputs.map(depends).some(Boolean);
    dependsMemo.set(t.name, result);
    return result;
  };
  if (!depends(output)) throw new Error(`the output of "${model.name}" does not depend on "${layerName}"`);
  const context = new Map<string, tf.SymbolicTensor>();
  const { order } = plan([output], new Set([activation.name, input.name]));
  for (const t of order) {
    if (!depends(t)) continue;
    for (const i of t.inputs) if (!depends(i)) context.set(i.name, i);
  }
  const contextList = [...context.values()];
  return {
    activation,
    context: contextList,
    head: (x) => runGraph([activation, ...contextList], new Map([[input.name, x]])),
    tail: (a, values) => {
      const feeds: Feeds = new Map([[activation.name, a]]);
      contextList.forEach((c, i) => feeds.set(c.name, values[i] as tf.Tensor));
      const [y] = runGraph([output], feeds);
      return y as tf.Tensor;
    },
  };
}
