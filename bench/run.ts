import { existsSync } from 'node:fs';
import os from 'node:os';
import { BACKEND_NAMES, type BackendName } from '../shared/backends.ts';
import { parseBackendName, selectBackend } from '../electron/engine/backend/ladder.ts';
import { prepareBackend, releaseBackends } from '../electron/engine/backend/probes.ts';
import { benchDistort, DISTORT_CASES, type DistortBenchResult } from './distort-bench.ts';
import { benchConvKernels, FACTS_CONV_SHAPE, SOFTWARE_GPU_CONV_SHAPE } from './kernel-bench.ts';
import { benchGpuSideBySide } from './gpu-bench.ts';
import { runOpenCvPeer } from './opencv-peer.ts';
import { benchRead } from './read-bench.ts';
import { benchServe } from './serve-bench.ts';
import { benchUi } from './ui-bench.ts';
import { benchWorkspace } from './workspace-bench.ts';
import { benchCli } from './cli-bench.ts';
import { benchShards } from './shard-bench.ts';
import type { BenchGroup } from './groups.ts';
import { benchEvaluate } from './eval-bench.ts';
import { benchRank } from './rank-bench.ts';
import { ARCHITECTURES } from '../electron/engine/models/registry.ts';
import { RENDERER_DIR } from '../electron/engine/cli/commands/serve.ts';
import { benchTrain, round } from './train-bench.ts';
import { benchUnits, UNIT_CASES } from './unit-bench.ts';
import { runTorchPeer } from './torch-peer.ts';

export interface BenchOptions {
  /** Backends to measure; by default every available one but cpu (0.3 images/s would take an hour). */
  backends?: string[];
  images: number;
  batch: number;
  torch: boolean;
  /** Groups to run (default: all). */
  only?: BenchGroup[];
  print: (line: object) => void;
  log: (line: string) => void;
}

export { BENCH_GROUPS, type BenchGroup } from './groups.ts';

/** Run only when named: the GPU side by side needs a GPU (and PyTorch with CUDA) to mean anything. */
const ON_REQUEST: readonly BenchGroup[] = ['gpu'];

/** Where the full Fashion-MNIST is read from for the read benchmark (Debian's dataset-fashion-mnist). */
const FASHION_MNIST = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';

const SHAPES: [number, number, number][] = [
  [28, 28, 1],
  [32, 32, 3],
];

/** `npm run bench`: one JSON line per measurement, each comparable across machines and runs. */
export async function runBench(options: BenchOptions): Promise<void> {
  const wanted: BackendName[] =
    options.backends === undefined
      ? BACKEND_NAMES.filter((b) => b !== 'cpu')
      : options.backends.map((b) => parseBackendName(b, '--backends'));
  const runnable: BackendName[] = [];
  const software = new Set<BackendName>();
  for (const name of wanted) {
    const outcome = await prepareBackend(name);
    if (outcome.software === true) software.add(name);
    if (outcome.ok) runnable.push(name);
    else options.print({ bench: 'skip', backend: name, reason: outcome.detail });
  }
  const wants = (group: BenchGroup): boolean =>
    options.only === undefined ? !ON_REQUEST.includes(group) : options.only.includes(group);
  if (wants('serve')) {
    if (existsSync(`${RENDERER_DIR}index.html`)) options.print(await benchServe());
    else options.print({ bench: 'skip', group: 'serve', reason: 'the UI is not built (npm run build)' });
  }
  if (wants('ui')) await benchUi(options);
  if (wants('workspace')) options.print(await benchWorkspace());
  if (wants('cli')) for (const line of await benchCli()) options.print(line);
  if (wants('shards')) {
    options.log('ranking the demo model in one process, then as 2 shard processes and their merge (wasm)…');
    for (const line of await benchShards()) options.print(line);
  }
  if (wants('read')) {
    if (existsSync(FASHION_MNIST)) options.print(await benchRead(FASHION_MNIST, 'train'));
    else
      options.print({
        bench: 'skip',
        group: 'read',
        reason: `${FASHION_MNIST} not found (apt-get install dataset-fashion-mnist)`,
      });
  }
  const distortResults: DistortBenchResult[] = [];
  for (const name of runnable) {
    await selectBackend({ forced: name });
    if (wants('distort')) {
      for (const c of DISTORT_CASES) {
        const r = await benchDistort(name, c);
        options.print(r);
        distortResults.push(r);
      }
    }
    if (wants('eval')) options.print(await benchEvaluate(name));
    if (wants('rank')) {
      options.log(`ranking the demo model's filters on ${name}…`);
      options.print(await benchRank(name, 'proxy'));
      options.print(await benchRank(name, 'oracle'));
    }
    // A software GPU (SwiftShader) takes minutes per kernel at facts.md's shape: time a small one there.
    const convShape = software.has(name) ? SOFTWARE_GPU_CONV_SHAPE : FACTS_CONV_SHAPE;
    if (wants('kernels')) for (const k of await benchConvKernels(5, convShape)) options.print(k);
  }
  // Correction units against fine-tuning, the same batches in one run (issue 17's targets: docs/correction.md).
  for (const name of wants('units') ? runnable : []) {
    await selectBackend({ forced: name });
    for (const c of UNIT_CASES) {
      options.log(`training units and fine-tuning ${c.name} ${c.shape.join('x')} on ${name}…`);
      options.print(await benchUnits(name, c, { images: options.images, batch: options.batch }));
    }
  }
  // Training throughput of every architecture the workbench offers, on CIFAR-sized inputs.
  for (const name of wants('archs') ? runnable : []) {
    await selectBackend({ forced: name });
    for (const arch of ARCHITECTURES) {
      options.log(`training ${arch} 32x32x3 on ${name}…`);
      options.print(
        await benchTrain({
          backend: name,
          arch,
          shape: [32, 32, 3],
          images: options.images,
          batch: options.batch,
        }),
      );
    }
  }
  if (wants('distort')) await printOpenCvRatios(distortResults, options);
  for (const shape of wants('train') ? SHAPES : []) {
    const results = [];
    for (const name of runnable) {
      await selectBackend({ forced: name });
      options.log(`training cnn4 ${shape.join('x')} on ${name}…`);
      const r = await benchTrain({ backend: name, shape, images: options.images, batch: options.batch });
      options.print(r);
      results.push(r);
      if (name === 'wasm' && os.availableParallelism() > 1) {
        const single = await benchTrain({
          backend: name,
          shape,
          images: options.images,
          batch: options.batch,
          replicas: 1,
        });
        options.print({ ...single, backend: 'wasm-1thread' });
      }
    }
    if (!options.torch) continue;
    const threads = os.availableParallelism();
    options.log(`training cnn4 ${shape.join('x')} in PyTorch on ${threads} threads…`);
    const peer = await runTorchPeer({ shape, images: options.images, batch: options.batch, threads });
    if ('unavailable' in peer) {
      options.print({ bench: 'skip', backend: 'pytorch-cpu', reason: peer.unavailable });
      continue;
    }
    options.print(peer);
    for (const r of results) {
      options.print({
        ratio: `${r.backend}/${peer.backend}`,
        model: 'cnn4',
        shape: r.shape,
        train: round(r.train_img_s / peer.train_img_s, 3),
        infer: round(r.infer_img_s / peer.infer_img_s, 3),
      });
    }
  }
  if (wants('gpu')) await benchGpuSideBySide(options);
  releaseBackends();
}

/** The OpenCV peer on the same cases, and each backend's throughput as a ratio of it. */
async function printOpenCvRatios(results: DistortBenchResult[], options: BenchOptions): Promise<void> {
  options.log('distorting with OpenCV/NumPy…');
  const peer = await runOpenCvPeer(DISTORT_CASES);
  if ('unavailable' in peer) {
    options.print({ bench: 'skip', backend: 'opencv', reason: peer.unavailable });
    return;
  }
  peer.forEach(options.print);
  for (const r of results) {
    const p = peer.find((q) => q.kind === r.kind && q.shape === r.shape && q.level === r.level);
    if (p)
      options.print({
        ratio: `${r.backend}/opencv`,
        kind: r.kind,
        shape: r.shape,
        img_s: round(r.img_s / p.img_s, 3),
      });
  }
}
