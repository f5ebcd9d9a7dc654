// distort.sample is a quick request, answered while other requests wait: it refuses images past
// MAX_PREVIEW_PIXELS before reading or distorting them (issue 16, finding 4: keep long work off the quick path).
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestInput, RequestOutput } from '../../shared/bridge/contract.ts';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import type { HostQuickName, HostState } from '../../electron/engine/host/handlers.ts';
import { MAX_PREVIEW_PIXELS } from '../../electron/engine/use-cases/distort.ts';
import { tempDir } from './dataset-fixtures.ts';
import { hostState, quickRequest } from './host-fixtures.ts';

let dir: string;
let state: HostState;

function quick<N extends HostQuickName>(name: N, input: RequestInput<N>): Promise<RequestOutput<N>> {
  return quickRequest(state, name, input);
}

beforeAll(async () => {
  state = hostState(await selectBackend({ forced: 'wasm' }));
  dir = await tempDir('preview-bound');
  // Two classes of one grey image each, 1100 x 1000: just past the bound.
  for (const cls of ['a', 'b']) {
    await mkdir(path.join(dir, cls));
    await sharp(Buffer.alloc(1100 * 1000, 128), { raw: { width: 1000, height: 1100, channels: 1 } })
      .png()
      .toFile(path.join(dir, cls, '0.png'));
  }
});

afterAll(async () => {
  await state.datasets.closeAll?.();
  await rm(dir, { recursive: true, force: true });
});

describe('the distortion preview', () => {
  it('refuses an image past the bound before reading it, saying what to do instead', async () => {
    expect(1100 * 1000).toBeGreaterThan(MAX_PREVIEW_PIXELS);
    const { datasetId, summary } = await quick('dataset.open', { path: dir });
    const split = summary.splits[0]?.name ?? 'train';
    const before = tf.memory().numTensors;
    const started = performance.now();
    await expect(
      quick('distort.sample', { datasetId, split, index: 0, seed: 1, spec: { kind: 'defocus', level: 20 } }),
    ).rejects.toThrow(/1000 x 1100 images are too large to preview a distortion here .*distort\.write/);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('previews the same images opened at a smaller size', async () => {
    const { datasetId, summary } = await quick('dataset.open', { path: dir, size: [256, 256] });
    const split = summary.splits[0]?.name ?? 'train';
    const out = await quick('distort.sample', {
      datasetId,
      split,
      index: 0,
      seed: 1,
      spec: { kind: 'blur', level: 2 },
    });
    expect([out.distorted.height, out.distorted.width]).toEqual([256, 256]);
  });
});
