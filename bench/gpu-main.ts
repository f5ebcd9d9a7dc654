/**
 * The entry scripts/gpu/run.sh calls (bundled into .gpu/ by scripts/gpu/prepare.sh, or through tsx):
 *
 *   gpu-main train   [--scale full|tiny] [--backend webgpu]   webgpu training of gpu-cases.json's cases
 *   gpu-main kernels [--scale full|tiny] [--backend webgpu]   the 3x3 convolution kernels at its shapes
 *   gpu-main torch   [--scale full|tiny] [--device cuda|cpu]  the PyTorch peer (bench/torch_gpu.py)
 *   gpu-main ratios  FILE.jsonl                               a gpu-ratio line per case both sides measured
 *   gpu-main summary FILE.jsonl [--title TEXT]                the run's Markdown table
 *
 * Result lines go to stdout as JSON, progress to stderr. A backend that cannot run prints a skip line and
 * exits 0: the run around it goes on.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { selectBackend } from '../electron/engine/backend/ladder.ts';
import { onGpuFault } from '../electron/engine/backend/gpu-errors.ts';
import { releaseBackends } from '../electron/engine/backend/probes.ts';
import { reason } from '../electron/engine/io/file-error.ts';
import { benchGpuKernels, benchGpuTrain } from './gpu-bench.ts';
import type { GpuScale } from './gpu-cases.ts';
import { gpuRatios, parseJsonLines } from './gpu-ratio.ts';
import { gpuSummaryMarkdown } from './gpu-summary.ts';
import { runTorchGpuPeer } from './torch-gpu-peer.ts';

const print = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`);
const log = (line: string): void => void process.stderr.write(`${line}\n`);

// Dawn reports validation errors, lost devices and failed allocations as events, not exceptions, and the
// ops go on returning zeros: after one, no figure of this process can be trusted, so it ends here.
onGpuFault((fault) => {
  print({
    bench: 'error',
    group: 'gpu-fault',
    kind: fault.kind,
    device: fault.device,
    reason: fault.message,
  });
  process.exit(1);
});

async function onBackend(
  name: string,
  run: (backend: 'webgpu' | 'wasm' | 'cpu') => Promise<void>,
): Promise<void> {
  if (name !== 'webgpu' && name !== 'wasm' && name !== 'cpu')
    throw new Error(`--backend ${name}: webgpu, wasm or cpu`);
  try {
    const choice = await selectBackend({ forced: name });
    const software = choice.probes.some((p) => p.name === name && p.software === true);
    print({ bench: 'gpu-env', backend: name, device: choice.device, software, node: process.version });
  } catch (error) {
    print({ bench: 'skip', backend: name, reason: reason(error) });
    return;
  }
  try {
    await run(name);
  } finally {
    releaseBackends();
  }
}

function records(file: string | undefined): ReturnType<typeof parseJsonLines>['records'] {
  if (file === undefined) throw new Error("give the run's JSON lines file");
  return parseJsonLines(readFileSync(file, 'utf8')).records;
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      scale: { type: 'string', default: 'full' },
      backend: { type: 'string', default: 'webgpu' },
      device: { type: 'string', default: 'cuda' },
      title: { type: 'string', default: 'GPU run' },
    },
  });
  const [command, file] = positionals;
  const scale = values.scale as GpuScale;
  if (scale !== 'full' && scale !== 'tiny') throw new Error(`--scale ${String(scale)}: full or tiny`);
  switch (command) {
    case 'train':
      return onBackend(values.backend, (backend) => benchGpuTrain({ scale, backend, print, log }));
    case 'kernels':
      return onBackend(values.backend, (backend) => benchGpuKernels({ scale, backend, print, log }));
    case 'torch': {
      const device = values.device === 'cpu' ? 'cpu' : 'cuda';
      (await runTorchGpuPeer(scale, device)).forEach(print);
      return;
    }
    case 'ratios':
      gpuRatios(records(file)).forEach(print);
      return;
    case 'summary':
      process.stdout.write(gpuSummaryMarkdown(records(file), values.title));
      return;
    default:
      throw new Error(`unknown command "${String(command)}": train, kernels, torch, ratios or summary`);
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  log(`gpu-main: ${reason(error)}`);
  process.exitCode = 1;
}
