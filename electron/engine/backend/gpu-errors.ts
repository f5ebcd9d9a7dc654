/**
 * GPU failures during work: a lost device (driver reset, GPU unplugged, `destroy()`), an allocation the GPU
 * cannot hold, or any other error the device reports. tfjs-backend-webgpu listens for none of them: a lost
 * device surfaces later as an `AbortError` with an empty message, and a failed allocation only as an
 * uncaptured error event while the ops go on returning zeros. This module records them as they happen and
 * turns them into one error that names the backend, the step and the way out (`--backend wasm`).
 */
import * as tf from '@tensorflow/tfjs';
import { reason } from '../io/file-error.ts';
import { verboseRequested } from './dawn-probe.ts';

export type GpuFaultKind = 'lost' | 'out-of-memory' | 'too-large' | 'error';

/** A failure the GPU reported, with the device it happened on. */
export interface GpuFault {
  kind: GpuFaultKind;
  /** Dawn's own words, on one line. */
  message: string;
  device: string;
}

/** What a job or command was doing when the GPU failed, for the message. */
export interface GpuStep {
  /** The job or command and its stage, e.g. `deepcorrect train` or `job "Train cnn4", step "epoch 2/5"`. */
  step: string;
  /** The backend the engine runs on; `tf.getBackend()` when absent. */
  backend?: string;
}

export class GpuJobError extends Error {
  override name = 'GpuJobError';
  constructor(
    readonly fault: GpuFault,
    readonly where: Required<GpuStep>,
    options?: { cause?: unknown },
  ) {
    super(
      `${WHAT[fault.kind]} during ${where.step} on the ${where.backend} backend (${fault.device}): ` +
        `${fault.message}. The work stopped and its results are not valid; run it on the CPU with ` +
        '--backend wasm (or DEEPCORRECT_BACKEND=wasm)',
      options,
    );
  }
}

const WHAT: Record<GpuFaultKind, string> = {
  lost: 'the GPU device was lost',
  'out-of-memory': 'the GPU ran out of memory',
  'too-large': 'a tensor was too large for the GPU',
  error: 'the GPU reported an error',
};

/** Messages Dawn, the Vulkan driver or tfjs use for these failures, when one arrives as a thrown error. */
const PATTERNS: readonly [RegExp, GpuFaultKind][] = [
  [/device (?:is |was )?lost|VK_ERROR_DEVICE_LOST|\bdestroyed device\b/i, 'lost'],
  [/out of memory|OutOfMemory|VK_ERROR_OUT_OF_(?:DEVICE|HOST)_MEMORY|failed to allocate/i, 'out-of-memory'],
  // Validation errors of the device's limits (maxBufferSize, maxStorageBufferBindingSize), seen on SwiftShader
  // and on an H200: tfjs asks for one buffer per tensor and binds it whole.
  [/exceeds the max buffer size|larger than the maximum storage buffer binding size/i, 'too-large'],
];

interface Watched {
  device: GPUDevice;
  name: string;
}
let watched: Watched | undefined;
let fault: GpuFault | undefined;
const listeners = new Set<(fault: GpuFault) => void>();

function record(next: GpuFault): void {
  // The first failure is the cause; what follows (invalid buffers, invalid bind groups) is its echo.
  if (fault !== undefined) return;
  fault = next;
  for (const listener of listeners) listener(next);
}

/** The kind of GPU failure an error message describes, if any. */
export function classifyGpuMessage(message: string): GpuFaultKind | undefined {
  return PATTERNS.find(([pattern]) => pattern.test(message))?.[1];
}

/** An uncaptured GPUError's kind: its class when Dawn gives one, else its message. */
function classifyGpuError(error: GPUError): GpuFaultKind {
  const type = (error.constructor as { name?: string } | undefined)?.name;
  if (type === 'GPUOutOfMemoryError') return 'out-of-memory';
  return classifyGpuMessage(error.message) ?? 'error';
}

/**
 * Records every failure of this device from now on (replacing any device watched before). Unless the user
 * asked for Dawn's output, the uncaptured-error event is marked handled, so the native binding does not also
 * print it on stdout, where it would corrupt `--json` output; the job's error carries it instead.
 */
export function watchGpuDevice(device: GPUDevice, name: string): void {
  if (watched?.device === device) return;
  watched = { device, name };
  fault = undefined;
  const verbose = verboseRequested(process.env);
  void device.lost.then((info) => {
    if (watched?.device !== device) return; // released on purpose
    record({ kind: 'lost', message: reason(info.message || info.reason), device: name });
  });
  device.addEventListener('uncapturederror', (event) => {
    if (watched?.device !== device) return;
    if (!verbose) event.preventDefault();
    const { error } = event;
    record({ kind: classifyGpuError(error), message: reason(error.message), device: name });
  });
}

/** Stops watching (the engine is letting go of the device), so its end is not taken for a failure. */
export function unwatchGpuDevice(): void {
  watched = undefined;
}

/** The failure recorded since the device was watched or the fault last cleared. */
export function gpuFault(): GpuFault | undefined {
  return fault;
}

export function clearGpuFault(): void {
  fault = undefined;
}

/** Calls `listener` at the first failure of the watched device; returns the function that stops it. */
export function onGpuFault(listener: (fault: GpuFault) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * The GPU failure behind `error` (or behind a job that ended without one), as a GpuJobError, or undefined
 * when the GPU is not to blame. A recorded fault wins over the error's own message, which for a lost device
 * is often an empty `AbortError`.
 */
export function gpuJobError(error: unknown, step: GpuStep): GpuJobError | undefined {
  if (error instanceof GpuJobError) return error;
  const where = { step: step.step, backend: step.backend ?? tf.getBackend() };
  if (fault !== undefined) return new GpuJobError(fault, where, { cause: error });
  if (error === undefined || where.backend !== 'webgpu') return undefined;
  const message = reason(error);
  const kind = classifyGpuMessage(message);
  if (kind === undefined) return undefined;
  return new GpuJobError({ kind, message, device: watched?.name ?? 'GPU' }, where, { cause: error });
}
