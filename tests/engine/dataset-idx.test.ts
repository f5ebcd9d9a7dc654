import { mkdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError } from '../../electron/engine/data/errors.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import { RecordSource } from '../../electron/engine/data/record-source.ts';
import { greyOf } from '../../electron/engine/data/pixels.ts';
import {
  collect,
  idxBytes,
  pick,
  readAll,
  splitData,
  tempDir,
  writeIdx,
  writeIdxSplit,
  type SplitData,
} from './dataset-fixtures.ts';

const H = 5;
const W = 4;

describe('IDX datasets', () => {
  let dir: string;
  let train: SplitData;
  let test: SplitData;
  beforeAll(async () => {
    dir = await tempDir('idx');
    train = splitData(23, H, W, 1, 1);
    test = splitData(9, H, W, 1, 2);
    for (const gz of [false, true]) {
      const d = path.join(dir, gz ? 'gz' : 'plain');
      await mkdir(d);
      await writeIdxSplit(d, 'train', train, { h: H, w: W, c: 1 }, { gz });
      await writeIdxSplit(d, 't10k', test, { h: H, w: W, c: 1 }, { gz });
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const kind of ['plain', 'gz'] as const) {
    it(`reads ${kind} files: summary, labels, pixels, batch boundaries`, async () => {
      const ds = await openDataset(path.join(dir, kind));
      try {
        const s = ds.summary;
        expect(s.format).toBe('idx');
        expect(s.name).toBe(kind);
        expect(s.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
        expect([s.height, s.width, s.channels]).toEqual([H, W, 1]);
        expect(s.splits.map((x) => [x.name, x.count])).toEqual([
          ['train', 23],
          ['test', 9],
        ]);
        const perClass = Array<number>(10).fill(0);
        for (const l of train.labels) perClass[l] = (perClass[l] as number) + 1;
        expect(s.splits[0]?.perClass).toEqual(perClass);
        expect(s.skipped).toEqual([]);
        expect(await ds.labels('train')).toEqual(train.labels);

        const batches = await collect(ds.batches('train', { batchSize: 7 }));
        expect(batches.map((b) => b.n)).toEqual([7, 7, 7, 2]);
        expect(Array.from(batches[3]?.indices ?? [])).toEqual([21, 22]);
        const all = await readAll(ds, 'train', 7);
        expect(all.images).toEqual(train.images);
        expect(all.labels).toEqual(train.labels);
        expect(Array.from(all.indices)).toEqual(Array.from({ length: 23 }, (_, i) => i));
        expect(batches[0]).toMatchObject({ split: 'train', height: H, width: W, channels: 1 });

        const t = await readAll(ds, 'test', 100);
        expect(t.sizes).toEqual([9]);
        expect(t.images).toEqual(test.images);
      } finally {
        await ds.close();
      }
    });

    it(`reads ${kind} files at given indices, in their order, repeats included`, async () => {
      const ds = await openDataset(path.join(dir, kind));
      try {
        const indices = [22, 3, 4, 5, 0, 17, 3, 21, 1];
        const got = await readAll(ds, 'train', 4, indices);
        expect(got.sizes).toEqual([4, 4, 1]);
        expect(Array.from(got.indices)).toEqual(indices);
        expect(got.images).toEqual(pick(train.images, indices, H * W));
        expect(Array.from(got.labels)).toEqual(indices.map((i) => train.labels[i]));
        const sorted = [2, 3, 10, 11, 12, 20];
        expect((await readAll(ds, 'train', 2, sorted)).images).toEqual(pick(train.images, sorted, H * W));
        expect((await readAll(ds, 'train', 2, [])).sizes).toEqual([]);
      } finally {
        await ds.close();
      }
    });
  }

  it('runs several iterations of a gzipped split at once without mixing them', async () => {
    const ds = await openDataset(path.join(dir, 'gz'));
    try {
      const [a, b] = await Promise.all([readAll(ds, 'train', 3), readAll(ds, 'train', 5, [20, 10, 0])]);
      expect(a.images).toEqual(train.images);
      expect(b.images).toEqual(pick(train.images, [20, 10, 0], H * W));
    } finally {
      await ds.close();
    }
  });

  it('rejects bad batch options and unknown splits', async () => {
    const ds = await openDataset(path.join(dir, 'plain'));
    try {
      expect(() => ds.batches('train', { batchSize: 0 })).toThrow(/batch size must be a positive integer/);
      expect(() => ds.batches('train', { batchSize: 2, indices: [0, 23] })).toThrow(
        'index 23 (position 1) is outside the train split, which has 23 images',
      );
      expect(() => ds.batches('train', { batchSize: 2, indices: [1.5] })).toThrow(/index 1.5/);
      expect(() => ds.batches('val', { batchSize: 2 })).toThrow(/has no val split/);
      await expect(ds.labels('val')).rejects.toThrow(/has no val split/);
    } finally {
      await ds.close();
    }
    expect(() => ds.batches('train', { batchSize: 2 })).toThrow(/closed/);
  });

  it('stops at an abort with the signal reason', async () => {
    const ds = await openDataset(path.join(dir, 'gz'));
    try {
      const abort = new AbortController();
      const seen: number[] = [];
      const run = async (): Promise<void> => {
        for await (const b of ds.batches('train', { batchSize: 5, signal: abort.signal })) {
          seen.push(b.n);
          abort.abort();
        }
      };
      await expect(run()).rejects.toMatchObject({ name: 'AbortError' });
      expect(seen).toEqual([5]);
    } finally {
      await ds.close();
    }
  });

  it('reads 4-D colour IDX, converts channels both ways, and opens one images file', async () => {
    const d = path.join(dir, 'colour');
    await mkdir(d);
    const data = splitData(6, 3, 2, 3, 7);
    await writeIdxSplit(d, 'train', data, { h: 3, w: 2, c: 3 }, { gz: true });
    const grey4d = splitData(4, 3, 2, 1, 8);
    await writeIdxSplit(d, 'val', grey4d, { h: 3, w: 2, c: 1 }, { fourD: true });

    const colour = await openDataset(path.join(d, 'train-images-idx3-ubyte.gz'));
    try {
      expect(colour.summary.splits.map((s) => s.name)).toEqual(['train']);
      expect([colour.summary.height, colour.summary.width, colour.summary.channels]).toEqual([3, 2, 3]);
      expect((await readAll(colour, 'train', 4)).images).toEqual(data.images);
    } finally {
      await colour.close();
    }
    const grey = await openDataset(path.join(d, 'train-images-idx3-ubyte.gz'), { channels: 1 });
    try {
      expect(grey.summary.channels).toBe(1);
      const got = (await readAll(grey, 'train', 4)).images;
      const expected = Uint8Array.from({ length: 6 * 6 }, (_, p) =>
        greyOf(
          data.images[p * 3] as number,
          data.images[p * 3 + 1] as number,
          data.images[p * 3 + 2] as number,
        ),
      );
      expect(got).toEqual(expected);
    } finally {
      await grey.close();
    }
    const val = await openDataset(path.join(d, 'val-images-idx3-ubyte'), { channels: 3 });
    try {
      expect(val.summary.splits.map((s) => s.name)).toEqual(['val']);
      const got = (await readAll(val, 'val', 3)).images;
      expect(got).toEqual(
        Uint8Array.from({ length: 4 * 6 * 3 }, (_, i) => grey4d.images[Math.floor(i / 3)] as number),
      );
    } finally {
      await val.close();
    }
  });

  it('accepts the train-images.idx3-ubyte variant and prefers plain files over .gz', async () => {
    const d = path.join(dir, 'variant');
    await mkdir(d);
    await writeIdxSplit(d, 'train', train, { h: H, w: W, c: 1 }, { sep: '.' });
    const other = splitData(23, H, W, 1, 99);
    await writeIdxSplit(d, 'train', other, { h: H, w: W, c: 1 }, { sep: '.', gz: true });
    await writeIdxSplit(d, 'val', test, { h: H, w: W, c: 1 }, { sep: '.' });
    const ds = await openDataset(d);
    try {
      expect(ds.summary.splits.map((s) => [s.name, s.count])).toEqual([
        ['train', 23],
        ['val', 9],
      ]);
      expect((await readAll(ds, 'train')).images).toEqual(train.images);
    } finally {
      await ds.close();
    }
  });

  it('names classes from classes.txt, or Fashion-MNIST names when the path says fashion', async () => {
    const fashion = path.join(dir, 'My-Fashion-Set');
    await mkdir(fashion);
    await writeIdxSplit(fashion, 'train', train, { h: H, w: W, c: 1 });
    let ds = await openDataset(fashion);
    expect(ds.summary.classes[0]).toBe('T-shirt/top');
    expect(ds.summary.classes[9]).toBe('Ankle boot');
    await ds.close();

    const listed = path.join(dir, 'listed');
    await mkdir(listed);
    const small = { ...train, labels: train.labels.map((l) => l % 3) };
    await writeIdxSplit(listed, 'train', small, { h: H, w: W, c: 1 });
    await writeFile(path.join(listed, 'classes.txt'), 'cat\r\ndog\r\nbird\r\n\r\n');
    ds = await openDataset(listed);
    expect(ds.summary.classes).toEqual(['cat', 'dog', 'bird']);
    expect(ds.summary.splits[0]?.perClass.reduce((a, b) => a + b)).toBe(23);
    await ds.close();

    await writeFile(path.join(listed, 'classes.txt'), 'cat\ndog\n');
    const error = await openDataset(listed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as DatasetError).file).toBe(path.join(listed, 'train-labels-idx1-ubyte'));
    expect((error as DatasetError).message).toMatch(
      /train-labels-idx1-ubyte: label 2 of image \d+ is outside the 2 classes listed in .*classes\.txt/,
    );

    await writeFile(path.join(listed, 'classes.txt'), 'cat\n\ndog\n');
    await expect(openDataset(listed)).rejects.toThrow(/classes\.txt: line 2 is blank/);
  });

  describe('bad input', () => {
    const broken = async (name: string, build: (d: string) => Promise<void>): Promise<string> => {
      const d = path.join(dir, 'bad', name);
      await mkdir(d, { recursive: true });
      await writeIdxSplit(d, 'train', train, { h: H, w: W, c: 1 });
      await build(d);
      return d;
    };
    const fails = async (target: string, file: string, pattern: RegExp): Promise<void> => {
      const error = await openDataset(target).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatasetError);
      expect((error as DatasetError).file).toBe(file);
      expect((error as DatasetError).message.startsWith(`${file}: `)).toBe(true);
      expect((error as DatasetError).problem).toMatch(pattern);
    };

    it('a truncated plain images file', async () => {
      const d = await broken('truncated', (d) => truncate(path.join(d, 'train-images-idx3-ubyte'), 100));
      await fails(
        d,
        path.join(d, 'train-images-idx3-ubyte'),
        /^truncated or corrupt: size does not match the header: 23 images of 5x4 need 476 bytes, the file holds 100$/,
      );
    });

    it('an images file with bytes beyond what the header announces', async () => {
      const d = await broken('long', async (d) => {
        const f = path.join(d, 'train-images-idx3-ubyte');
        await writeFile(f, Buffer.concat([await readFile(f), Buffer.alloc(3)]));
      });
      await fails(
        d,
        path.join(d, 'train-images-idx3-ubyte'),
        /^size does not match the header: .* the file holds 479$/,
      );
    });

    it('a truncated gzip images file (fails at open, from the gzip trailer)', async () => {
      const d = await broken('truncated-gz', async (d) => {
        await rm(path.join(d, 'train-images-idx3-ubyte'));
        const file = path.join(d, 'train-images-idx3-ubyte.gz');
        await writeIdx(file, [23, H, W], train.images, true);
        const full = await readFile(file);
        await writeFile(file, full.subarray(0, full.length - 20));
      });
      await fails(
        d,
        path.join(d, 'train-images-idx3-ubyte.gz'),
        /^truncated or corrupt: size does not match/,
      );
    });

    it('a gzip file whose header announces more images than it holds', async () => {
      const d = path.join(dir, 'bad', 'short-gz');
      await mkdir(d, { recursive: true });
      const file = path.join(d, 'train-images-idx3-ubyte.gz');
      await writeIdx(file, [23, H, W], train.images.subarray(0, 10 * H * W), true);
      await writeIdx(path.join(d, 'train-labels-idx1-ubyte.gz'), [23], Uint8Array.from(train.labels), true);
      await fails(
        d,
        file,
        /^truncated or corrupt: size does not match the header: 23 images of 5x4 need 476 bytes, the gzip trailer says the data holds 216$/,
      );
    });

    it('gzip data that ends early or is corrupt is reported while streaming', async () => {
      const d = path.join(dir, 'bad', 'stream');
      await mkdir(d, { recursive: true });
      const file = path.join(d, 'cut.gz');
      const data = new Uint8Array(200_000).map((_, i) => (i * 7) % 13);
      const gz = gzipSync(idxBytes([2000, 10, 10], data));
      await writeFile(file, gz.subarray(0, gz.length / 2));
      const record = { path: file, gzip: true, headerBytes: 16, recordBytes: 100, count: 2000 };
      const source = new RecordSource([record]);
      const session = source.session();
      const out = new Uint8Array(100);
      const cut = await session.read(Uint32Array.of(1999), out).catch((e: unknown) => e);
      expect(cut).toBeInstanceOf(DatasetError);
      expect((cut as DatasetError).message).toBe(
        `${file}: truncated gzip data (the compressed stream ends early)`,
      );
      session.close();
      await source.close();

      const corrupt = Buffer.from(gz);
      for (let i = 200; i < 260; i++) corrupt[i] = 0xff;
      await writeFile(file, corrupt);
      const again = new RecordSource([record]);
      const error = await again
        .session()
        .read(Uint32Array.of(1999), out)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatasetError);
      expect((error as DatasetError).problem).toMatch(/^not gzip data, or corrupt \(/);
      await again.close();
    });

    it('a file that is not gzip data though named .gz', async () => {
      const d = path.join(dir, 'bad', 'not-gz');
      await mkdir(d, { recursive: true });
      await writeFile(path.join(d, 'train-images-idx3-ubyte.gz'), 'hello, this is text');
      await writeIdx(path.join(d, 'train-labels-idx1-ubyte'), [23], Uint8Array.from(train.labels));
      await fails(
        d,
        path.join(d, 'train-images-idx3-ubyte.gz'),
        /wrong magic number 0x68656c6c for IDX images/,
      );
    });

    it('a wrong magic number', async () => {
      const d = await broken('magic', (d) =>
        writeIdx(path.join(d, 'train-images-idx3-ubyte'), [23, H, W], train.images, false, 0x00000d03),
      );
      await fails(
        d,
        path.join(d, 'train-images-idx3-ubyte'),
        /^wrong magic number 0x00000d03 for IDX images \(expected 0x00000803 \(images \[n,h,w\]\) or 0x00000804/,
      );
      const swapped = await broken('swapped', (d) =>
        writeIdx(path.join(d, 'train-labels-idx1-ubyte'), [23, H, W], train.images),
      );
      await fails(swapped, path.join(swapped, 'train-labels-idx1-ubyte'), /this is an images file/);
    });

    it('4-D images with an unsupported channel count', async () => {
      const d = await broken('channels', (d) =>
        writeIdx(path.join(d, 'train-images-idx3-ubyte'), [23, H, W / 2, 2], train.images),
      );
      await fails(
        d,
        path.join(d, 'train-images-idx3-ubyte'),
        /4-D IDX images must have 1 or 3 channels, not 2/,
      );
    });

    it('a label count that differs from the image count', async () => {
      const d = await broken('count', (d) =>
        writeIdx(
          path.join(d, 'train-labels-idx1-ubyte'),
          [22],
          Uint8Array.from(train.labels.subarray(0, 22)),
        ),
      );
      await fails(
        d,
        path.join(d, 'train-labels-idx1-ubyte'),
        new RegExp(`^holds 22 labels but .*train-images-idx3-ubyte holds 23 images$`),
      );
    });

    it('a truncated labels file', async () => {
      const d = await broken('labels-short', (d) => truncate(path.join(d, 'train-labels-idx1-ubyte'), 20));
      await fails(
        d,
        path.join(d, 'train-labels-idx1-ubyte'),
        /^truncated: size does not match the header: 23 labels need 31 bytes, the file holds 20$/,
      );
    });

    it('a missing labels file', async () => {
      const d = await broken('no-labels', (d) => rm(path.join(d, 'train-labels-idx1-ubyte')));
      await fails(
        d,
        path.join(d, 'train-images-idx3-ubyte'),
        /^no labels file beside it \(expected train-labels-idx1-ubyte, plain or \.gz\)$/,
      );
    });

    it('splits of different image sizes', async () => {
      const d = await broken('sizes', (d) =>
        writeIdxSplit(d, 't10k', splitData(2, 3, 3, 1, 4), { h: 3, w: 3, c: 1 }),
      );
      await fails(d, path.join(d, 't10k-images-idx3-ubyte'), /holds 3x3x1 images but .* holds 5x4x1/);
    });

    it('a labels file given as the dataset, a resize request, coarse labels', async () => {
      const d = path.join(dir, 'plain');
      await expect(openDataset(path.join(d, 'train-labels-idx1-ubyte'))).rejects.toThrow(
        /train-labels-idx1-ubyte: is an IDX labels file: open its images file/,
      );
      await expect(openDataset(d, { size: [28, 28] })).rejects.toThrow(
        /holds 5x4 images; resizing \(to 28x28\) applies only to image folders/,
      );
      await expect(openDataset(d, { labels: 'coarse' })).rejects.toThrow(
        /coarse labels exist only in CIFAR-100/,
      );
      const fine = await openDataset(d, { labels: 'fine', size: [H, W] });
      expect(fine.summary.classes).toHaveLength(10);
      await fine.close();
      await expect(openDataset(d, { channels: 2 as never })).rejects.toThrow(/channels must be 1 or 3/);
    });

    it('a nonexistent path, a folder that holds no dataset, an archive', async () => {
      const missing = path.join(dir, 'nothing-here');
      await expect(openDataset(missing)).rejects.toThrow(`${missing}: no such file or directory`);
      const empty = path.join(dir, 'bad', 'empty');
      await mkdir(empty, { recursive: true });
      await writeFile(path.join(empty, 'README.md'), 'hello');
      await expect(openDataset(empty)).rejects.toThrow(
        new RegExp(`^${empty}: no dataset found: expected IDX files \\(train-images-idx3-ubyte`),
      );
      await expect(openDataset(path.join(empty, 'README.md'))).rejects.toThrow(
        /README\.md: no dataset found/,
      );
      const archive = path.join(empty, 'cifar-10-binary.tar.gz');
      await writeFile(archive, gzipSync(Buffer.from('x')));
      await expect(openDataset(archive)).rejects.toThrow(/is an archive: extract it/);
    });
  });
});
