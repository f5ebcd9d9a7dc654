import type * as tf from '@tensorflow/tfjs';

/**
 * The symbolic tensors from a model's input to `output`, inputs before readers: the order to compute a graph
 * in. An explicit stack, so deep graphs (ResNets) meet no recursion limit.
 */
export function topological(output: tf.SymbolicTensor): tf.SymbolicTensor[] {
  const order: tf.SymbolicTensor[] = [];
  const done = new Set<string>();
  const stack: { t: tf.SymbolicTensor; expanded: boolean }[] = [{ t: output, expanded: false }];
  while (stack.length > 0) {
    const top = stack.pop() as { t: tf.SymbolicTensor; expanded: boolean };
    if (done.has(top.t.name)) continue;
    if (top.expanded) {
      done.add(top.t.name);
      order.push(top.t);
      continue;
    }
    stack.push({ t: top.t, expanded: true });
    for (const input of top.t.inputs) if (!done.has(input.name)) stack.push({ t: input, expanded: false });
  }
  return order;
}
