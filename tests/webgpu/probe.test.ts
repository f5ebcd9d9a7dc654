// The WebGPU adapter probe on a real software adapter (SwiftShader from Debian's chromium package), Dawn's
// start-up noise, and GPU failures in the middle of jobs. SwiftShader runs the GPU on the CPU: shapes stay tiny.
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../shared/bridge/contract.ts';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import { prepareBackend, releaseBackends } from '../../electron/engine/backend/probes.ts';
import { JobQueue, type JobRun } from '../../electron/engine/host/jobs.ts';
import { cli } from '../cli/run-cli.ts';
import { SWIFTSHADER_ICD, swiftShaderMissing, vulkanLoaderPresent } from './swiftshader.ts';

const LOADER = vulkanLoaderPresent();
const MISSING = swiftShaderMissing();
const HAVE_SWIFTSHADER = MISSING === undefined;
const ALLOW = { DEEPCORRECT_ALLOW_SOFTWARE_GPU: '1' };

const onSwiftShader = describe.skipIf(!HAVE_SWIFTSHADER);
const swiftShaderNote = MISSING === undefined ? '' : ` (skipped: ${MISSING})`;

beforeAll(() => {
  // The only adapter this process can see is SwiftShader, as on a CPU-only machine with chromium installed.
  process.env.VK_DRIVER_FILES = SWIFTSHADER_ICD;
});

afterAll(() => {
  releaseBackends();
});

onSwiftShader(`the WebGPU adapter probe on SwiftShader${swiftShaderNote}`, () => {
  it('refuses a software adapter by itself, saying why and how to allow it', async () => {
    const outcome = await prepareBackend('webgpu', {});
    expect(outcome.ok).toBe(false);
    expect(outcome.software).toBe(true);
    expect(outcome.detail).toMatch(
      /^software adapter SwiftShader .* refused: it runs on the CPU \(SwiftShader is a software renderer\); set DEEPCORRECT_ALLOW_SOFTWARE_GPU=1 to use it for tests$/,
    );
    const choice = await selectBackend({ env: {} });
    expect(choice.name).toBe('wasm');
    expect(choice.probes.find((p) => p.name === 'webgpu')).toMatchObject({
      available: false,
      software: true,
    });
  });

  it('a forced webgpu with only a software adapter is an error that suggests wasm', async () => {
    await expect(selectBackend({ forced: 'webgpu', env: {} })).rejects.toThrow(
      /backend webgpu \(forced by --backend\) cannot run here: software adapter SwiftShader.*refused.*; use --backend wasm instead/,
    );
    await expect(selectBackend({ env: { DEEPCORRECT_BACKEND: 'webgpu' } })).rejects.toThrow(
      /use DEEPCORRECT_BACKEND=wasm instead/,
    );
  });

  it('accepts it with DEEPCORRECT_ALLOW_SOFTWARE_GPU=1, and the device says it is a software one', async () => {
    const choice = await selectBackend({ env: ALLOW });
    expect(choice.name).toBe('webgpu');
    expect(choice.device).toMatch(
      /^SwiftShader .*\(software adapter on the CPU, allowed by DEEPCORRECT_ALLOW_SOFTWARE_GPU\)$/,
    );
    expect(choice.probes.find((p) => p.name === 'webgpu')?.software).toBe(true);
    expect(tf.getBackend()).toBe('webgpu');
    const sum = tf.tidy(() => tf.ones([4, 4]).sum());
    expect(await sum.data()).toEqual(new Float32Array([16]));
    sum.dispose();
  });
});

describe.skipIf(!LOADER)(
  `Dawn's noise on stderr${LOADER ? '' : ' (skipped: libvulkan.so.1 is absent)'}`,
  () => {
    // With the loader but no driver, Dawn prints "Warning: vkCreateInstance: Found no drivers!" and two more lines.
    const noDriver = { VK_DRIVER_FILES: '/nonexistent/icd.json' };

    it('does not reach the terminal unless --verbose; a forced webgpu says why and suggests wasm', async () => {
      const quiet = await cli(['--backend', 'webgpu', 'doctor'], noDriver);
      expect(quiet.code).toBe(1);
      expect(quiet.stderr).not.toMatch(/vkCreateInstance|Warning:/);
      expect(quiet.stderr).toMatch(
        /deepcorrect: backend webgpu \(forced by --backend\) cannot run here: Dawn found no GPU adapter \(Dawn wrote \d+ lines on stderr; --verbose shows them\); use --backend wasm instead/,
      );
      const verbose = await cli(['--verbose', 'doctor', '--json'], noDriver);
      expect(verbose.code).toBe(0);
      expect(verbose.stderr).toMatch(/vkCreateInstance: Found no drivers!/);
      expect(JSON.parse(verbose.stdout)).toMatchObject({ name: 'wasm' });
    });
  },
);

/** Runs one job to its end on a fresh queue position and returns its final record. */
function finished(queue: JobQueue, events: JobInfo[], title: string, run: JobRun): Promise<JobInfo> {
  // Any job name: the queue runs what it is given, and the title is what the GPU errors name.
  const id = queue.submit('demo.train', title, {}, run);
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      const last = events.findLast((e) => e.id === id);
      if (last !== undefined && ['done', 'failed', 'cancelled'].includes(last.status)) {
        clearInterval(poll);
        resolve(last);
      }
    }, 20);
  });
}

/** A job of a few tiny GPU steps, each read back; `during` runs before step 2's read. */
function gpuJob(during: (device: GPUDevice) => void): JobRun {
  return async ({ signal, progress }) => {
    for (let step = 1; step <= 3; step++) {
      signal.throwIfAborted();
      progress({ stage: `batch ${step}`, fraction: step / 3 });
      const x = tf.tidy(() =>
        tf
          .ones([8, 8])
          .matMul(tf.ones([8, 8]))
          .sum(),
      );
      try {
        if (step === 2) during((tf.backend() as WebGPUBackend).device);
        await x.data();
      } finally {
        x.dispose();
      }
    }
    return 'ok';
  };
}

const healthyJob: JobRun = async () => {
  const x = tf.tidy(() =>
    tf
      .ones([4, 4])
      .matMul(tf.ones([4, 4]))
      .sum(),
  );
  const [value] = await x.data();
  x.dispose();
  return value;
};

onSwiftShader(`GPU failures during jobs${swiftShaderNote}`, () => {
  const events: JobInfo[] = [];
  const queue = new JobQueue((job) => events.push(job));

  beforeAll(async () => {
    await selectBackend({ forced: 'webgpu', env: ALLOW });
  });

  it('a lost device fails the job, naming the backend and the step; the next job runs on a new device', async () => {
    const before = tf.memory().numTensors;
    const lost = await finished(
      queue,
      events,
      'lose',
      gpuJob((device) => device.destroy()),
    );
    expect(lost.status).toBe('failed');
    expect(lost.error).toMatch(
      /^the GPU device was lost during job "lose", step "batch 2" on the webgpu backend \(SwiftShader .*\): device was destroyed\. .*--backend wasm/,
    );
    expect(lost.error).toMatch(/Then the webgpu backend restarted on a new GPU device/);
    const next = await finished(queue, events, 'after', healthyJob);
    expect(next).toMatchObject({ status: 'done', result: 64 });
    expect(tf.getBackend()).toBe('webgpu');
    expect(tf.memory().numTensors).toBe(before);
  });

  /** A job that fills one float32 tensor of `bytes(limit)` bytes, `limit` being the device's maxBufferSize. */
  const allocating =
    (bytes: (limit: number) => number): JobRun =>
    async ({ progress }) => {
      progress({ stage: 'allocate', fraction: 0.5 });
      const big = tf.fill([bytes((tf.backend() as WebGPUBackend).device.limits.maxBufferSize) / 4], 1);
      try {
        return (await big.data()).length;
      } finally {
        big.dispose();
      }
    };

  it('a tensor beyond the adapter limit fails the job instead of returning zeros; the next job runs', async () => {
    const before = tf.memory().numTensors;
    const failed = await finished(
      queue,
      events,
      'too big',
      allocating((limit) => limit + 4),
    );
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(
      /^a tensor was too large for the GPU during job "too big", step "allocate" on the webgpu backend \(SwiftShader .*\): Buffer size \(\d+\) exceeds the max buffer size limit .*--backend wasm/,
    );
    const next = await finished(queue, events, 'after', healthyJob);
    expect(next).toMatchObject({ status: 'done', result: 64 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a real out-of-memory (SwiftShader cannot allocate a tensor of the full limit) fails the job; the next job runs', async () => {
    const before = tf.memory().numTensors;
    const failed = await finished(
      queue,
      events,
      'full limit',
      allocating((limit) => limit),
    );
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(
      /^the GPU ran out of memory during job "full limit", step "allocate" on the webgpu backend \(SwiftShader .*\): .*VK_ERROR_OUT_OF_DEVICE_MEMORY.*--backend wasm/,
    );
    const next = await finished(queue, events, 'after', healthyJob);
    expect(next).toMatchObject({ status: 'done', result: 64 });
    expect(tf.memory().numTensors).toBe(before);
  });
});
