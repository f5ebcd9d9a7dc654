import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError } from '../../electron/engine/data/errors.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import { cifarRecords, collect, readAll, tempDir } from './dataset-fixtures.ts';

const CIFAR10_NAMES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

describe('CIFAR binary datasets', () => {
  let dir: string;
  // CIFAR-10: two training batches (5 and 4 records) and a test batch (3).
  const batch1 = cifarRecords(5, 1, (i) => [i % 10]);
  const batch2 = cifarRecords(4, 2, (i) => [(i * 3) % 10]);
  const testBatch = cifarRecords(3, 3, (i) => [9 - i]);
  // CIFAR-100: [coarse, fine] labels.
  const train100 = cifarRecords(6, 4, (i) => [i % 20, (i * 17) % 100]);
  const test100 = cifarRecords(2, 5, (i) => [19 - i, 99 - i]);

  beforeAll(async () => {
    dir = await tempDir('cifar');
    const c10 = path.join(dir, 'c10', 'cifar-10-batches-bin');
    await mkdir(c10, { recursive: true });
    await writeFile(path.join(c10, 'data_batch_1.bin'), batch1.file);
    await writeFile(path.join(c10, 'data_batch_2.bin'), batch2.file);
    await writeFile(path.join(c10, 'test_batch.bin'), testBatch.file);
    await writeFile(path.join(c10, 'batches.meta.txt'), `${CIFAR10_NAMES.join('\n')}\n\n`);
    const c100 = path.join(dir, 'c100', 'cifar-100-binary');
    await mkdir(c100, { recursive: true });
    await writeFile(path.join(c100, 'train.bin'), train100.file);
    await writeFile(path.join(c100, 'test.bin'), test100.file);
    await writeFile(
      path.join(c100, 'fine_label_names.txt'),
      Array.from({ length: 100 }, (_, i) => `fine${i}`).join('\n'),
    );
    await writeFile(
      path.join(c100, 'coarse_label_names.txt'),
      Array.from({ length: 20 }, (_, i) => `coarse${i}`).join('\n'),
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads CIFAR-10 from the extracted folder or its parent, planar records as NHWC', async () => {
    for (const target of [path.join(dir, 'c10'), path.join(dir, 'c10', 'cifar-10-batches-bin')]) {
      const ds = await openDataset(target);
      try {
        const s = ds.summary;
        expect(s.format).toBe('cifar10');
        expect(s.name).toBe('cifar-10-batches-bin');
        expect(s.path).toBe(target);
        expect(s.classes).toEqual(CIFAR10_NAMES);
        expect([s.height, s.width, s.channels]).toEqual([32, 32, 3]);
        expect(s.splits.map((x) => [x.name, x.count])).toEqual([
          ['train', 9],
          ['test', 3],
        ]);
        const labels = [...batch1.labels, ...batch2.labels].map((l) => l[0]);
        expect(Array.from(await ds.labels('train'))).toEqual(labels);
        expect(s.splits[0]?.perClass).toEqual(
          CIFAR10_NAMES.map((_, k) => labels.filter((l) => l === k).length),
        );
        // Batches of 4 cross the boundary between data_batch_1 and data_batch_2.
        const all = await readAll(ds, 'train', 4);
        expect(all.sizes).toEqual([4, 4, 1]);
        expect(all.images).toEqual(new Uint8Array([...batch1.nhwc, ...batch2.nhwc]));
        expect(Array.from(all.labels)).toEqual(labels);
        const test = await readAll(ds, 'test', 10);
        expect(test.images).toEqual(testBatch.nhwc);
        expect(Array.from(test.labels)).toEqual([9, 8, 7]);
        // Indices in both files, out of order.
        const some = await readAll(ds, 'train', 2, [6, 1, 4, 5]);
        const nhwc = [...batch1.nhwc, ...batch2.nhwc];
        const expected = [6, 1, 4, 5].flatMap((k) => nhwc.slice(k * 3072, (k + 1) * 3072));
        expect(some.images).toEqual(Uint8Array.from(expected));
      } finally {
        await ds.close();
      }
    }
  });

  it('converts CIFAR to greyscale as sharp does', async () => {
    const ds = await openDataset(path.join(dir, 'c10'), { channels: 1 });
    try {
      expect(ds.summary.channels).toBe(1);
      const [batch] = await collect(ds.batches('test', { batchSize: 1 }));
      const { data } = await sharp(testBatch.nhwc.subarray(0, 3072), {
        raw: { width: 32, height: 32, channels: 3 },
      })
        .toColourspace('b-w')
        .raw()
        .toBuffer({ resolveWithObject: true });
      expect(batch?.images.length).toBe(1024);
      let maxDiff = 0;
      for (let i = 0; i < 1024; i++)
        maxDiff = Math.max(maxDiff, Math.abs((batch?.images[i] ?? 0) - (data[i] as number)));
      expect(maxDiff).toBeLessThanOrEqual(1);
    } finally {
      await ds.close();
    }
  });

  it('reads CIFAR-100 with fine or coarse labels', async () => {
    const fine = await openDataset(path.join(dir, 'c100'));
    try {
      expect(fine.summary.format).toBe('cifar100');
      expect(fine.summary.classes).toHaveLength(100);
      expect(fine.summary.classes[17]).toBe('fine17');
      expect(Array.from(await fine.labels('train'))).toEqual(train100.labels.map((l) => l[1]));
      expect(Array.from(await fine.labels('test'))).toEqual([99, 98]);
      const all = await readAll(fine, 'train', 4);
      expect(all.images).toEqual(train100.nhwc);
      expect((await readAll(fine, 'test', 4)).images).toEqual(test100.nhwc);
    } finally {
      await fine.close();
    }
    const coarse = await openDataset(path.join(dir, 'c100', 'cifar-100-binary'), { labels: 'coarse' });
    try {
      expect(coarse.summary.classes).toEqual(Array.from({ length: 20 }, (_, i) => `coarse${i}`));
      expect(Array.from(await coarse.labels('train'))).toEqual(train100.labels.map((l) => l[0]));
      const all = await readAll(coarse, 'train', 5);
      expect(all.images).toEqual(train100.nhwc);
      expect(Array.from(all.labels)).toEqual(train100.labels.map((l) => l[0]));
    } finally {
      await coarse.close();
    }
  });

  it('uses the standard names when the names files are absent', async () => {
    const c10 = path.join(dir, 'bare10');
    await mkdir(c10);
    await writeFile(path.join(c10, 'test_batch.bin'), testBatch.file);
    const ds10 = await openDataset(c10);
    expect(ds10.summary.classes).toEqual(CIFAR10_NAMES);
    expect(ds10.summary.splits.map((s) => s.name)).toEqual(['test']);
    await ds10.close();
    const c100 = path.join(dir, 'bare100');
    await mkdir(c100);
    await writeFile(path.join(c100, 'train.bin'), train100.file);
    const ds100 = await openDataset(c100);
    expect(ds100.summary.classes[0]).toBe('class 0');
    expect(ds100.summary.classes).toHaveLength(100);
    await ds100.close();
  });

  describe('bad input', () => {
    it('a file that is not a whole number of records', async () => {
      const d = path.join(dir, 'bad-size');
      await mkdir(d);
      await writeFile(path.join(d, 'data_batch_1.bin'), batch1.file.subarray(0, 3073 * 2 + 100));
      const error = await openDataset(d).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatasetError);
      expect((error as DatasetError).message).toBe(
        `${path.join(d, 'data_batch_1.bin')}: truncated or corrupt: 6246 bytes is not a whole number of 3073-byte records (2 records and 100 bytes over)`,
      );
      const d100 = path.join(dir, 'bad-size-100');
      await mkdir(d100);
      await writeFile(path.join(d100, 'train.bin'), train100.file.subarray(0, 3073 * 2));
      await expect(openDataset(d100)).rejects.toThrow(/not a whole number of 3074-byte records/);
    });

    it('a label outside the classes', async () => {
      const d = path.join(dir, 'bad-label');
      await mkdir(d);
      const records = cifarRecords(3, 9, (i) => [i === 2 ? 10 : 0]);
      await writeFile(path.join(d, 'test_batch.bin'), records.file);
      await expect(openDataset(d)).rejects.toThrow(
        `${path.join(d, 'test_batch.bin')}: record 2 has label 10, outside the 10 classes of CIFAR-10`,
      );
      await writeFile(path.join(d, 'batches.meta.txt'), 'a\nb\n');
      await writeFile(path.join(d, 'test_batch.bin'), cifarRecords(3, 9, (i) => [i]).file);
      await expect(openDataset(d)).rejects.toThrow(
        /record 2 has label 2, outside the 2 classes listed in .*batches\.meta\.txt/,
      );
    });

    it('an empty file, a resize request', async () => {
      const d = path.join(dir, 'empty-file');
      await mkdir(d);
      await writeFile(path.join(d, 'test.bin'), '');
      await expect(openDataset(d)).rejects.toThrow(`${path.join(d, 'test.bin')}: is empty`);
      await expect(openDataset(path.join(dir, 'c10'), { size: [28, 28] })).rejects.toThrow(
        /holds 32x32 images; resizing/,
      );
    });
  });
});
