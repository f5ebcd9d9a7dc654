import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../electron/engine/models/registry.ts';
import { gpuCases } from '../../bench/gpu-cases.ts';
import { parseJsonLines } from '../../bench/gpu-ratio.ts';
import { runTorchGpuPeer } from '../../bench/torch-gpu-peer.ts';

const SCRIPT = fileURLToPath(new URL('../../bench/torch_gpu.py', import.meta.url));

/** The interpreter the peer would use (bench/python.ts's order), when one can import torch. */
function torchPython(): string | undefined {
  const override = process.env['TORCH_PEER_PYTHON']?.trim();
  const candidates = override ? [override] : ['python3', '/usr/bin/python3'];
  return candidates.find(
    (p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 }).status === 0,
  );
}
const PYTHON = torchPython();
const why = PYTHON === undefined ? ' (skipped: no python3 that can import torch)' : '';

describe.skipIf(PYTHON === undefined)(`bench/torch_gpu.py${why}`, () => {
  it("builds the engine's architectures: the same trainable parameters for every full case", () => {
    const run = spawnSync(
      PYTHON as string,
      [SCRIPT, '--scale', 'full', '--device', 'cpu', '--only', 'params'],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const counts = parseJsonLines(run.stdout).records.filter((r) => r['bench'] === 'torch-params');
    const cases = gpuCases('full').train;
    expect(counts).toHaveLength(cases.length);
    cases.forEach((c, i) => {
      const model = buildModel(c.model, { inputShape: c.shape, classes: 10 });
      const trainable = model.trainableWeights.reduce((sum, w) => sum + w.read().size, 0);
      model.dispose();
      expect(counts[i]).toEqual({
        bench: 'torch-params',
        model: c.model,
        shape: c.shape.join('x'),
        params: trainable,
      });
    });
  });

  it('times every tiny case and kernel on the CPU, one line each', async () => {
    const lines = await runTorchGpuPeer('tiny', 'cpu');
    const tiny = gpuCases('tiny');
    expect(lines[0]).toMatchObject({ bench: 'torch-env', backend: 'pytorch-cpu', tf32: false });
    const train = lines.filter((r) => r['bench'] === 'torch-train');
    expect(train.map((r) => `${String(r['model'])} ${String(r['shape'])} ${String(r['batch'])}`)).toEqual(
      tiny.train.map((c) => `${c.model} ${c.shape.join('x')} ${c.batch}`),
    );
    for (const r of train) expect(r['train_img_s']).toBeGreaterThan(0);
    const kernels = lines.filter((r) => r['bench'] === 'torch-kernel');
    expect(kernels.map((r) => r['kernel'])).toEqual(
      tiny.conv.flatMap(() => ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter']),
    );
    for (const r of kernels) expect(r['gflop_s']).toBeGreaterThan(0);
  });

  it('says so in one skip line where torch has no CUDA, or measures on it', async () => {
    const lines = await runTorchGpuPeer('tiny', 'cuda');
    const first = lines[0] as Record<string, unknown>;
    if (first['bench'] === 'skip') {
      expect(lines).toHaveLength(1);
      expect(first['reason']).toMatch(/torch\.cuda\.is_available\(\) is False/);
    } else {
      expect(first).toMatchObject({ bench: 'torch-env', backend: 'pytorch-cuda' });
    }
  });
});
