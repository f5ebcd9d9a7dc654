/**
 * Adam with one GPU dispatch per weight tensor on the webgpu backend. tfjs's AdamOptimizer enqueues about
 * a dozen elementwise kernels per weight (each ~120 µs of CPU time in tfjs and Dawn); this subclass
 * flushes tfjs's pending work, then in one command buffer runs one dispatch for the bias-correction
 * products and one per weight that writes the new weights and both moments to fresh buffers
 * (electron/engine/backend/webgpu/adam-program.ts), and assigns those to the variables, as tfjs's Adam
 * assigns its results. Slots, accBeta1/accBeta2, getWeights/setWeights and the class name are tfjs's own,
 * so checkpoints and optimizer.ts's save/restore are unchanged. A weight whose tensors are not float32
 * GPU buffers of one size takes tfjs's ops; other backends run tfjs's Adam.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { adamParams, adamPipelines, adamWorkgroups } from '../backend/webgpu/adam-program.ts';
import { beginTimedPass } from '../backend/webgpu/pass-timer.ts';

interface Slot {
  originalName: string;
  variable: tf.Variable;
}

/** AdamOptimizer's private and protected fields, as its compiled JavaScript names them. */
interface AdamFields {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Slot[];
  accumulatedSecondMoment: Slot[];
}

/** The backend's per-tensor record (tensorMap is public; these fields are its TensorData). */
interface TensorData {
  dtype: tf.DataType;
  resource?: unknown;
}

/** A weight the fused program updates: its variables, their GPU buffers and the gradient's. */
interface Job {
  variables: [tf.Variable, tf.Variable, tf.Variable];
  buffers: [GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer];
}

const stats = { fusedSteps: 0, fusedDispatches: 0, fusedWeights: 0, fallbackWeights: 0 };

/** Counters since the process started: steps that ran the fused path, its dispatches, weights each way. */
export function fusedAdamStats(): Readonly<typeof stats> {
  return { ...stats };
}

function webgpuBackend(): WebGPUBackend | undefined {
  return tf.getBackend() === 'webgpu' ? (tf.backend() as WebGPUBackend) : undefined;
}

/** The tensor's GPU buffer (uploaded now if its values are still on the CPU) when it is float32 and has one. */
function gpuBuffer(backend: WebGPUBackend, t: tf.TensorInfo): GPUBuffer | undefined {
  const data = backend.tensorMap.get(t.dataId) as TensorData | undefined;
  if (data === undefined || data.dtype !== 'float32') return undefined;
  backend.uploadToGPU(t.dataId);
  const resource = data.resource;
  if (typeof resource !== 'object' || resource === null || !('mapState' in resource)) return undefined;
  return resource as GPUBuffer;
}

/** A new float32 tensor shaped like `like`, with a GPU buffer of its own for a program to fill. */
function freshTensor(backend: WebGPUBackend, like: tf.Tensor): { tensor: tf.Tensor; buffer: GPUBuffer } {
  const info = backend.makeTensorInfo(like.shape, 'float32');
  const buffer = gpuBuffer(backend, info);
  if (buffer === undefined) throw new Error('the webgpu backend gave a new tensor no GPU buffer');
  return { tensor: tf.engine().makeTensorFromTensorInfo(info, backend), buffer };
}

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null) {
    // tfjs's own signature takes null for "the backend's epsilon"; its typings say number.
    super(learningRate, beta1, beta2, epsilon as number);
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    const backend = webgpuBackend();
    if (backend === undefined) {
      super.applyGradients(variableGradients);
      return;
    }
    const self = this as unknown as AdamFields;
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    const jobs: Job[] = [];
    const acc1 = gpuBuffer(backend, self.accBeta1);
    const acc2 = gpuBuffer(backend, self.accBeta2);
    const fusable = acc1 !== undefined && acc2 !== undefined;

    tf.tidy(() => {
      // Read by fallen-back weights only; enqueued before the products change, as in tfjs.
      let oneMinusAcc: [tf.Tensor, tf.Tensor] | undefined;
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        if (value === undefined) throw new Error(`no variable named ${name}`);
        self.accumulatedFirstMoment[i] ??= {
          originalName: `${name}/m`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        self.accumulatedSecondMoment[i] ??= {
          originalName: `${name}/v`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        const gradient = Array.isArray(variableGradients)
          ? variableGradients[i]?.tensor
          : variableGradients[name];
        if (gradient == null) return;
        const first = self.accumulatedFirstMoment[i].variable;
        const second = self.accumulatedSecondMoment[i].variable;
        const tensors = [value, first, second, gradient];
        if (fusable && value.size > 0 && tensors.every((t) => t.size === value.size)) {
          const buffers = tensors.map((t) => gpuBuffer(backend, t));
          if (buffers.every((b) => b !== undefined)) {
            jobs.push({ variables: [value, first, second], buffers: buffers as Job['buffers'] });
            return;
          }
        }
        stats.fallbackWeights++;
        oneMinusAcc ??= [tf.sub(1, self.accBeta1), tf.sub(1, self.accBeta2)];
        // tfjs's AdamOptimizer.applyGradients, op for op.
        const newFirst = tf.add(tf.mul(first, self.beta1), tf.mul(gradient, 1 - self.beta1));
        const newSecond = tf.add(tf.mul(second, self.beta2), tf.mul(tf.square(gradient), 1 - self.beta2));
        const firstHat = tf.div(newFirst, oneMinusAcc[0]);
        const secondHat = tf.div(newSecond, oneMinusAcc[1]);
        first.assign(newFirst);
        second.assign(newSecond);
        const step = tf.mul(tf.div(firstHat, tf.add(tf.sqrt(secondHat), self.epsilon)), -self.learningRate);
        value.assign(tf.add(step, value));
      });
    });

    if (fusable) {
      this.runFused(backend, jobs, acc1, acc2);
    } else {
      tf.tidy(() => {
        self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
        self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
      });
    }
    this.incrementIterations();
  }

  /**
   * Flushes tfjs's queue, submits the products' dispatch and every job's in one command buffer, then
   * assigns the new tensors (which releases the old buffers only after the work that reads them is queued).
   */
  private runFused(backend: WebGPUBackend, jobs: Job[], acc1: GPUBuffer, acc2: GPUBuffer): void {
    const self = this as unknown as AdamFields;
    const { device } = backend;
    const pipelines = adamPipelines(device);
    const products = [freshTensor(backend, self.accBeta1), freshTensor(backend, self.accBeta2)];
    const outputs = jobs.map((job) => job.variables.map((v) => freshTensor(backend, v)));
    // The gradients (and uploads) tfjs has encoded must run first; right after its own submit there is no
    // encoder, and an open compute pass would invalidate the command buffer.
    backend.ensureCommandEncoderReady();
    backend.endComputePassEncoder();
    backend.submitQueue();
    const params = adamParams(self.beta1, self.beta2, self.epsilon, self.learningRate);
    device.queue.writeBuffer(pipelines.params, 0, params.buffer, params.byteOffset, params.byteLength);

    const encoder = device.createCommandEncoder({ label: 'dcAdam' });
    // Timed only while the GPU step profile asks (bench/gpu-step-profile.ts): tfjs's own timing misses it.
    const { pass, finish } = beginTimedPass(device, encoder, 'FusedAdam');
    const bind = (pipeline: GPUComputePipeline, buffers: { buffer: GPUBuffer; size?: number }[]): void => {
      pass.setPipeline(pipeline);
      pass.setBindGroup(
        0,
        device.createBindGroup({
          layout: pipeline.getBindGroupLayout(0),
          entries: buffers.map((resource, binding) => ({ binding, resource })),
        }),
      );
    };
    bind(pipelines.products, [
      { buffer: acc1, size: 4 },
      { buffer: acc2, size: 4 },
      { buffer: products[0]!.buffer, size: 4 },
      { buffer: products[1]!.buffer, size: 4 },
      { buffer: pipelines.corrections },
      { buffer: pipelines.params },
    ]);
    pass.dispatchWorkgroups(1);
    jobs.forEach((job, j) => {
      const size = job.variables[0].size * 4;
      bind(pipelines.update, [
        ...job.buffers.map((buffer) => ({ buffer, size })),
        { buffer: pipelines.corrections },
        ...outputs[j]!.map(({ buffer }) => ({ buffer, size })),
        { buffer: pipelines.params },
      ]);
      pass.dispatchWorkgroups(adamWorkgroups(job.variables[0].size));
    });
    pass.end();
    finish();

    self.accBeta1.assign(products[0]!.tensor);
    self.accBeta2.assign(products[1]!.tensor);
    jobs.forEach((job, j) => job.variables.forEach((v, k) => v.assign(outputs[j]![k]!.tensor)));
    tf.dispose([...products, ...outputs.flat()].map((o) => o.tensor));
    stats.fusedSteps++;
    stats.fusedWeights += jobs.length;
    stats.fusedDispatches += jobs.length + 1;
  }
}

/** tfjs's Adam (as tf.train.adam builds it) on most backends; the fused one on webgpu. */
export function createAdam(learningRate: number): tf.AdamOptimizer {
  return webgpuBackend() === undefined ? tf.train.adam(learningRate) : new FusedAdamOptimizer(learningRate);
}
