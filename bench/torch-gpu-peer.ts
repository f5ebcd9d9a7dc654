/**
 * Runs bench/torch_gpu.py (the PyTorch side of the GPU side-by-side benchmark) and returns its JSON lines.
 * Never throws: no Python with torch, no CUDA or a failed script each come back as a skip or error line.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { GpuScale } from './gpu-cases.ts';
import { parseJsonLines, type BenchRecord } from './gpu-ratio.ts';
import { errorSummary, findPython } from './python.ts';

const execFileAsync = promisify(execFile);

/** Beside this module in a checkout; beside the bundle in .gpu/ (scripts/gpu/prepare.sh copies it). */
const SCRIPT = fileURLToPath(new URL('./torch_gpu.py', import.meta.url));
const TIMEOUT_MS = 5 * 60 * 1000;

/** `convShapes`: the convolutions to time, as our lines write them ("64x28x28x32->64 3x3"); default the cases'. */
export async function runTorchGpuPeer(
  scale: GpuScale,
  device: 'cuda' | 'cpu',
  convShapes: string[] = [],
): Promise<BenchRecord[]> {
  const backend = `pytorch-${device}`;
  const found = await findPython('import torch', 'PyTorch', 'TORCH_PEER_PYTHON');
  if ('unavailable' in found) return [{ bench: 'skip', backend, reason: found.unavailable }];
  try {
    const args = [SCRIPT, '--scale', scale, '--device', device];
    if (convShapes.length > 0) args.push('--conv-shapes', convShapes.join(','));
    const { stdout } = await execFileAsync(found.python, args, {
      timeout: TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
      encoding: 'utf8',
    });
    return parseJsonLines(stdout).records;
  } catch (error) {
    return [{ bench: 'error', group: 'torch-gpu', backend, reason: `${SCRIPT}: ${errorSummary(error)}` }];
  }
}
