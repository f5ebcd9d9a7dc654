/**
 * WGSL for the fused Adam step (electron/engine/train/fused-adam.ts). Per step, in one compute pass: a
 * one-thread dispatch reads the bias-correction products beta1^t, beta2^t, writes their successors to
 * fresh buffers and 1 - beta^t to a scratch buffer; then one dispatch per weight tensor reads the weights,
 * both moments and the gradient and writes the new weights and moments to fresh buffers, in tfjs's
 * AdamOptimizer's order of float32 operations. Nothing is written in place, so tensors that share a
 * tensor's data, CPU copies tfjs caches after a read and reads still in flight all keep the old values,
 * as with tfjs's own Adam. These programs bind several outputs, so they run outside tfjs's
 * runWebGPUProgram (one output per program).
 */

/** Threads per workgroup; each thread walks the tensor with a stride of the whole grid. */
export const ADAM_WORKGROUP_SIZE = 256;
const MAX_WORKGROUPS = 65535;

/** Bytes of the per-step parameters: b1, 1-b1, b2, 1-b2, epsilon, -lr (float32) and two pad words. */
export const ADAM_PARAMS_BYTES = 32;

const PARAMS = `
struct Params {
  beta1 : f32,
  oneMinusBeta1 : f32,
  beta2 : f32,
  oneMinusBeta2 : f32,
  epsilon : f32,
  negLearningRate : f32,
  pad0 : f32,
  pad1 : f32,
}`;

/**
 * accBeta1' = accBeta1 * beta1, accBeta2' = accBeta2 * beta2 (tfjs: accBeta.assign(mul(accBeta, beta)))
 * and corrections = [1 - accBeta1, 1 - accBeta2] of the old products (tfjs: sub(1, accBeta) first).
 */
export const ADAM_PRODUCTS_WGSL = `${PARAMS}
@group(0) @binding(0) var<storage, read> accBeta1 : array<f32>;
@group(0) @binding(1) var<storage, read> accBeta2 : array<f32>;
@group(0) @binding(2) var<storage, read_write> accBeta1Out : array<f32>;
@group(0) @binding(3) var<storage, read_write> accBeta2Out : array<f32>;
@group(0) @binding(4) var<storage, read_write> corrections : array<f32>;
@group(0) @binding(5) var<uniform> p : Params;

@compute @workgroup_size(1)
fn main() {
  let a1 = accBeta1[0];
  let a2 = accBeta2[0];
  corrections[0] = 1.0 - a1;
  corrections[1] = 1.0 - a2;
  accBeta1Out[0] = a1 * p.beta1;
  accBeta2Out[0] = a2 * p.beta2;
}`;

/**
 * Bindings: 0 weights, 1 first moment, 2 second moment, 3 gradient (read), 4 the step's corrections,
 * 5-7 the new weights and moments, 8 the step's parameters: eight storage buffers, WebGPU's default
 * limit per stage. Each tensor is bound with exactly its size, which arrayLength reads.
 */
export const ADAM_UPDATE_WGSL = `${PARAMS}
@group(0) @binding(0) var<storage, read> w : array<f32>;
@group(0) @binding(1) var<storage, read> m : array<f32>;
@group(0) @binding(2) var<storage, read> v : array<f32>;
@group(0) @binding(3) var<storage, read> g : array<f32>;
@group(0) @binding(4) var<storage, read> corrections : array<f32>;
@group(0) @binding(5) var<storage, read_write> wOut : array<f32>;
@group(0) @binding(6) var<storage, read_write> mOut : array<f32>;
@group(0) @binding(7) var<storage, read_write> vOut : array<f32>;
@group(0) @binding(8) var<uniform> p : Params;

@compute @workgroup_size(${ADAM_WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) groups : vec3<u32>) {
  let n = arrayLength(&w);
  let stride = groups.x * ${ADAM_WORKGROUP_SIZE}u;
  let oneMinusAcc1 = corrections[0];
  let oneMinusAcc2 = corrections[1];
  for (var i = gid.x; i < n; i = i + stride) {
    let grad = g[i];
    let newM = m[i] * p.beta1 + grad * p.oneMinusBeta1;
    let newV = v[i] * p.beta2 + (grad * grad) * p.oneMinusBeta2;
    mOut[i] = newM;
    vOut[i] = newV;
    let mHat = newM / oneMinusAcc1;
    let vHat = newV / oneMinusAcc2;
    wOut[i] = (mHat / (sqrt(vHat) + p.epsilon)) * p.negLearningRate + w[i];
  }
}`;

/** Workgroups for a tensor of `size` elements (at least one). */
export function adamWorkgroups(size: number): number {
  return Math.max(1, Math.min(Math.ceil(size / ADAM_WORKGROUP_SIZE), MAX_WORKGROUPS));
}

/** The step's parameters as tfjs's Adam sees them: JS numbers made float32 scalars, 1 - beta in double first. */
export function adamParams(
  beta1: number,
  beta2: number,
  epsilon: number,
  learningRate: number,
): Float32Array {
  return new Float32Array([beta1, 1 - beta1, beta2, 1 - beta2, epsilon, -learningRate, 0, 0]);
}

export interface AdamPipelines {
  update: GPUComputePipeline;
  products: GPUComputePipeline;
  /** Written by queue.writeBuffer right before each step's submit, so earlier steps have already read it. */
  params: GPUBuffer;
  /** [1 - beta1^t, 1 - beta2^t], written and read within each step's command buffer. */
  corrections: GPUBuffer;
}

const cache = new WeakMap<GPUDevice, AdamPipelines>();

/** The device's pipelines and parameter buffer, compiled once per device. */
export function adamPipelines(device: GPUDevice): AdamPipelines {
  let entry = cache.get(device);
  if (entry === undefined) {
    const pipeline = (code: string, label: string): GPUComputePipeline =>
      device.createComputePipeline({
        label,
        layout: 'auto',
        compute: { module: device.createShaderModule({ code, label }), entryPoint: 'main' },
      });
    entry = {
      update: pipeline(ADAM_UPDATE_WGSL, 'dcAdamUpdate'),
      products: pipeline(ADAM_PRODUCTS_WGSL, 'dcAdamProducts'),
      params: device.createBuffer({
        label: 'dcAdamParams',
        size: ADAM_PARAMS_BYTES,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      }),
      corrections: device.createBuffer({
        label: 'dcAdamCorrections',
        size: 8,
        usage: GPUBufferUsage.STORAGE,
      }),
    };
    cache.set(device, entry);
  }
  return entry;
}
