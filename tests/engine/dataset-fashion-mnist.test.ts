import { existsSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../electron/engine/data/dataset.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import { stratifiedSubset } from '../../electron/engine/data/subset.ts';

/** The Debian package's copy (fashion-mnist), installed by CI. */
const FASHION = '/usr/share/datasets/fashion-mnist';
const present = existsSync(FASHION);
const MB = 2 ** 20;

describe.skipIf(!present)(`the real Fashion-MNIST in ${FASHION}`, () => {
  let ds: Dataset;
  beforeAll(async () => {
    ds = await openDataset(FASHION);
  });
  afterAll(async () => {
    await ds.close();
  });

  it('has 60,000 training and 10,000 test images, balanced, with the Fashion-MNIST class names', async () => {
    const s = ds.summary;
    expect(s.format).toBe('idx');
    expect([s.height, s.width, s.channels]).toEqual([28, 28, 1]);
    expect(s.splits).toEqual([
      { name: 'train', count: 60_000, perClass: Array(10).fill(6000) },
      { name: 'test', count: 10_000, perClass: Array(10).fill(1000) },
    ]);
    expect(s.classes).toEqual([
      'T-shirt/top',
      'Trouser',
      'Pullover',
      'Dress',
      'Coat',
      'Sandal',
      'Shirt',
      'Sneaker',
      'Bag',
      'Ankle boot',
    ]);
    const labels = await ds.labels('train');
    expect(labels[0]).toBe(9);
    expect(s.classes[labels[0] as number]).toBe('Ankle boot');
  });

  it('streams the 60,000 training images in under 2 s', async () => {
    let images = 0;
    let checksum = 0;
    const started = performance.now();
    for await (const batch of ds.batches('train', { batchSize: 256 })) {
      images += batch.n;
      checksum += batch.images[batch.images.length - 1] as number;
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`Fashion-MNIST train: ${images} images streamed in ${seconds.toFixed(3)} s (batches of 256)`);
    expect(images).toBe(60_000);
    expect(checksum).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(2);
  });

  it('streams them in memory that does not grow with the dataset', async () => {
    // A forced collection every few batches measures what is alive, not garbage not yet collected.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage();
    const samples: { arrayBuffers: number; rss: number }[] = [];
    let batches = 0;
    for await (const batch of ds.batches('train', { batchSize: 256 })) {
      expect(batch.images.length).toBe(batch.n * 784);
      if (++batches % 20 === 0) {
        gc();
        const now = process.memoryUsage();
        samples.push({ arrayBuffers: now.arrayBuffers - before.arrayBuffers, rss: now.rss - before.rss });
      }
    }
    const sorted = samples.map((m) => m.arrayBuffers).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    const most = sorted[sorted.length - 1] ?? 0;
    const rss = Math.max(...samples.map((m) => m.rss));
    console.log(
      `Fashion-MNIST train, live memory while streaming (gc every 20 batches of 256): arrayBuffers ` +
        `median +${(median / MB).toFixed(1)} MiB, at most +${(most / MB).toFixed(1)} MiB; rss at most ` +
        `+${(rss / MB).toFixed(1)} MiB (the images are ${((60_000 * 784) / MB).toFixed(1)} MiB)`,
    );
    // Read buffers, zlib's output and two batches, whatever the dataset's size (stream buffering makes it vary).
    expect(most).toBeLessThan(24 * MB);
    expect(median).toBeLessThan(8 * MB);
  });

  it('reads a stratified subset of the test split in one pass', async () => {
    const labels = await ds.labels('test');
    const subset = stratifiedSubset(labels, 3, 7, 10);
    let n = 0;
    for await (const batch of ds.batches('test', { batchSize: 8, indices: subset })) {
      expect(Array.from(batch.labels)).toEqual(Array.from(batch.indices, (i) => labels[i]));
      n += batch.n;
    }
    expect(n).toBe(30);
  });
});

describe.skipIf(present)('the real Fashion-MNIST', () => {
  it.skip(`is not installed here (${FASHION} is absent; the Debian package dataset-fashion-mnist provides it)`, () => {});
});
