import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { parseBackendName } from '../backend/ladder.ts';
import { prepareBackend } from '../backend/probes.ts';
import { loadFlatWeights, shardGradients } from './gradients.ts';
import type { WorkerInit, WorkerReply, WorkerStep } from './protocol.ts';

// One data-parallel replica: it receives a shard of each batch, reads the current weights from
// shared memory, and writes its gradients back into its own shared slot.
const init = workerData as WorkerInit;
const port = parentPort;
if (port === null) throw new Error('grad-worker must run as a worker thread');

const outcome = await prepareBackend(parseBackendName(init.backend, 'worker'));
if (!outcome.ok) {
  port.postMessage({
    type: 'error',
    message: `worker backend ${init.backend}: ${outcome.detail}`,
  } satisfies WorkerReply);
} else {
  type ModelConfig = Parameters<typeof tf.models.modelFromJSON>[0];
  const model = await tf.models.modelFromJSON({ modelTopology: init.modelTopology } as ModelConfig);
  model.nonTrainableWeights.forEach((w, i) => {
    const current = w.read();
    const values = init.frozen[i];
    if (values === undefined || values.length !== current.size)
      throw new Error(`frozen weight ${w.name} does not match the trainer's model`);
    const t = tf.tensor(values, current.shape);
    w.write(t);
    t.dispose();
  });
  const weights = new Float32Array(init.weights);
  const grads = new Float32Array(init.grads);
  // The trainer sends the next step only after this one's reply, so steps never overlap.
  const step = async (msg: WorkerStep): Promise<void> => {
    try {
      loadFlatWeights(model, weights);
      const x = tf.tensor(msg.x, msg.xShape);
      const y = tf.tensor(msg.y, msg.yShape);
      let result;
      try {
        result = await shardGradients(model, x, y, grads);
      } finally {
        tf.dispose([x, y]);
      }
      const { loss, correct } = result;
      port.postMessage({ type: 'done', loss, correct } satisfies WorkerReply);
    } catch (error) {
      port.postMessage({
        type: 'error',
        message: error instanceof Error ? error.message : String(error),
      } satisfies WorkerReply);
    }
  };
  port.on('message', (msg: WorkerStep | { type: 'close' }) => {
    if (msg.type === 'close') {
      model.dispose();
      port.close();
      return;
    }
    void step(msg);
  });
  port.postMessage({ type: 'ready' } satisfies WorkerReply);
}
