import os from 'node:os';
import { BACKEND_NAMES, type BackendName } from '../shared/backends.ts';
import { parseBackendName, selectBackend } from '../electron/engine/backend/ladder.ts';
import { prepareBackend, releaseBackends } from '../electron/engine/backend/probes.ts';
import { benchConvKernels } from './kernel-bench.ts';
import { benchTrain, round } from './train-bench.ts';
import { runTorchPeer } from './torch-peer.ts';

export interface BenchOptions {
  /** Backends to measure; by default every available one but cpu (0.3 images/s would take an hour). */
  backends?: string[];
  images: number;
  batch: number;
  torch: boolean;
  print: (line: object) => void;
  log: (line: string) => void;
}

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
  for (const name of wanted) {
    const outcome = await prepareBackend(name);
    if (outcome.ok) runnable.push(name);
    else options.print({ bench: 'skip', backend: name, reason: outcome.detail });
  }
  for (const name of runnable) {
    await selectBackend({ forced: name });
    for (const k of benchConvKernels()) options.print(k);
  }
  for (const shape of SHAPES) {
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
  releaseBackends();
}
