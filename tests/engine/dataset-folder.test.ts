import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError } from '../../electron/engine/data/errors.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import { collect, readAll, seededBytes, tempDir, writeImage } from './dataset-fixtures.ts';

/** A PNG whose header claims width x height (its data is a 1x1 image): enough to test the pixel limit. */
async function hugePngHeader(file: string, width: number, height: number): Promise<void> {
  const png = Buffer.from(
    await sharp(Buffer.from([1, 2, 3]), { raw: { width: 1, height: 1, channels: 3 } })
      .png()
      .toBuffer(),
  );
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, png);
}

describe('image folder datasets', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('folder');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads <root>/<class>/ greyscale PNGs: sorted classes and files, exact pixels, junk ignored', async () => {
    const root = path.join(dir, 'grey');
    const expected: { cls: string; pixels: Uint8Array }[] = [];
    const classes = ['b_shoe', 'a_hat', 'c_sock'];
    for (const [k, cls] of classes.entries()) {
      for (let i = 0; i < 3 + k; i++) {
        const pixels = seededBytes(6 * 5, 10 * k + i);
        await writeImage(path.join(root, cls, `img${i}.png`), pixels, 6, 5, 1);
        expected.push({ cls, pixels });
      }
      await writeFile(path.join(root, cls, 'Thumbs.db'), 'junk');
      await writeFile(path.join(root, cls, '.DS_Store'), 'junk');
      await writeFile(path.join(root, cls, '._img0.png'), 'an AppleDouble file, not an image');
    }
    await mkdir(path.join(root, '.git'));
    await mkdir(path.join(root, '__MACOSX'));
    await writeFile(path.join(root, 'README.txt'), 'files beside the class folders are ignored');
    const ds = await openDataset(root);
    try {
      const s = ds.summary;
      expect(s.format).toBe('folder');
      expect(s.name).toBe('grey');
      expect(s.classes).toEqual(['a_hat', 'b_shoe', 'c_sock']);
      expect([s.height, s.width, s.channels]).toEqual([6, 5, 1]);
      expect(s.splits).toEqual([{ name: 'train', count: 12, perClass: [4, 3, 5] }]);
      expect(s.skipped).toEqual([]);
      const order = [...expected].sort((a, b) => (a.cls < b.cls ? -1 : a.cls > b.cls ? 1 : 0));
      expect(Array.from(await ds.labels('train'))).toEqual(order.map((e) => s.classes.indexOf(e.cls)));
      const all = await readAll(ds, 'train', 5);
      expect(all.sizes).toEqual([5, 5, 2]);
      expect(all.images).toEqual(Uint8Array.from(order.flatMap((e) => [...e.pixels])));
      const some = await readAll(ds, 'train', 2, [11, 0, 4]);
      expect(Array.from(some.labels)).toEqual([2, 0, 1]);
      expect(some.images.subarray(0, 30)).toEqual(order[11]?.pixels);
    } finally {
      await ds.close();
    }
  });

  it('reads train/val/test splits of PNG, JPEG and WebP with one class list', async () => {
    const root = path.join(dir, 'splits');
    const h = 8;
    const w = 6;
    const png = seededBytes(h * w * 3, 1);
    const webp = seededBytes(h * w * 3, 2);
    // JPEG is lossy: a smooth image, compared with a tolerance.
    const jpeg = Uint8Array.from(
      { length: h * w * 3 },
      (_, i) => 60 + ((i % 3) * 40 + Math.floor(i / 18) * 5),
    );
    await writeImage(path.join(root, 'train', 'cat', '1.png'), png, h, w, 3, 'png');
    await writeImage(path.join(root, 'train', 'cat', '2.webp'), webp, h, w, 3, 'webp');
    await writeImage(path.join(root, 'train', 'dog', '1.jpg'), jpeg, h, w, 3, 'jpeg');
    await writeImage(path.join(root, 'test', 'cat', 'x.PNG'), png, h, w, 3, 'png');
    await writeImage(path.join(root, 'val', 'dog', 'y.jpeg'), jpeg, h, w, 3, 'jpeg');
    await writeImage(path.join(root, 'val', 'emu', 'z.webp'), webp, h, w, 3, 'webp');
    const ds = await openDataset(root);
    try {
      const s = ds.summary;
      expect(s.classes).toEqual(['cat', 'dog', 'emu']);
      expect(s.channels).toBe(3);
      expect(s.splits).toEqual([
        { name: 'train', count: 3, perClass: [2, 1, 0] },
        { name: 'val', count: 2, perClass: [0, 1, 1] },
        { name: 'test', count: 1, perClass: [1, 0, 0] },
      ]);
      const train = await readAll(ds, 'train', 2);
      expect(Array.from(train.labels)).toEqual([0, 0, 1]);
      expect(train.images.subarray(0, h * w * 3)).toEqual(png);
      expect(train.images.subarray(h * w * 3, 2 * h * w * 3)).toEqual(webp);
      const decodedJpeg = train.images.subarray(2 * h * w * 3);
      const maxDiff = decodedJpeg.reduce((m, v, i) => Math.max(m, Math.abs(v - (jpeg[i] as number))), 0);
      expect(maxDiff).toBeLessThanOrEqual(8);
      expect((await readAll(ds, 'test')).images).toEqual(png);
      expect(Array.from((await readAll(ds, 'val')).labels)).toEqual([1, 2]);
    } finally {
      await ds.close();
    }
  });

  it('resizes to cover and crops the centre; the default size is the first image', async () => {
    const root = path.join(dir, 'sizes');
    // 4 rows x 8 columns, each column its own grey level; and 8 rows x 4 columns, each row its own.
    const wide = Uint8Array.from({ length: 32 }, (_, i) => (i % 8) * 30);
    const tall = Uint8Array.from({ length: 32 }, (_, i) => Math.floor(i / 4) * 30);
    await writeImage(path.join(root, 'a', 'wide.png'), wide, 4, 8, 1);
    await writeImage(path.join(root, 'b', 'tall.png'), tall, 8, 4, 1);
    const square = await openDataset(root, { size: [4, 4] });
    try {
      expect([square.summary.height, square.summary.width]).toEqual([4, 4]);
      const { images } = await readAll(square, 'train');
      // Scale 1 covers 4x4: the middle four columns (2..5), the middle four rows (2..5).
      expect(Array.from(images.subarray(0, 4))).toEqual([60, 90, 120, 150]);
      expect(Array.from(images.subarray(16, 32))).toEqual([
        60, 60, 60, 60, 90, 90, 90, 90, 120, 120, 120, 120, 150, 150, 150, 150,
      ]);
    } finally {
      await square.close();
    }
    const byFirst = await openDataset(root);
    try {
      expect([byFirst.summary.height, byFirst.summary.width]).toEqual([4, 8]);
      const [batch] = await collect(byFirst.batches('train', { batchSize: 2 }));
      expect(batch?.images.length).toBe(2 * 32);
      expect(batch?.images.subarray(0, 32)).toEqual(wide);
    } finally {
      await byFirst.close();
    }
  });

  it('converts channels when asked, and otherwise requires every image to match the first', async () => {
    const root = path.join(dir, 'channels');
    const grey = seededBytes(16, 5);
    const rgba = seededBytes(64, 6);
    await writeImage(path.join(root, 'a', 'grey.png'), grey, 4, 4, 1);
    await writeImage(path.join(root, 'b', 'colour.png'), rgba, 4, 4, 4);
    const rgb = Uint8Array.from({ length: 48 }, (_, i) => rgba[Math.floor(i / 3) * 4 + (i % 3)] as number);

    const asRgb = await openDataset(root, { channels: 3 });
    try {
      const { images } = await readAll(asRgb, 'train');
      expect(images.subarray(0, 48)).toEqual(
        Uint8Array.from({ length: 48 }, (_, i) => grey[Math.floor(i / 3)] as number),
      );
      expect(images.subarray(48)).toEqual(rgb);
    } finally {
      await asRgb.close();
    }
    const asGrey = await openDataset(root, { channels: 1 });
    try {
      const { images } = await readAll(asGrey, 'train');
      const expected = await sharp(rgb, { raw: { width: 4, height: 4, channels: 3 } })
        .toColourspace('b-w')
        .raw()
        .toBuffer();
      expect(images.subarray(0, 16)).toEqual(grey);
      expect(images.subarray(16)).toEqual(new Uint8Array(expected));
    } finally {
      await asGrey.close();
    }

    const inferred = await openDataset(root);
    try {
      expect(inferred.summary.channels).toBe(1);
      const error = await readAll(inferred, 'train').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatasetError);
      expect((error as DatasetError).file).toBe(path.join(root, 'b', 'colour.png'));
      expect((error as DatasetError).problem).toBe(
        `is colour but the dataset's images are greyscale (as the first image, ${path.join(root, 'a', 'grey.png')}, is): pass --channels 1 or --channels 3 to convert every image`,
      );
    } finally {
      await inferred.close();
    }
  });

  describe('bad files', () => {
    let root: string;
    const goodPixels = seededBytes(4 * 4 * 3, 9);
    beforeAll(async () => {
      root = path.join(dir, 'bad');
      await writeImage(path.join(root, 'a', '1.png'), goodPixels, 4, 4, 3);
      await writeImage(path.join(root, 'a', '2.png'), goodPixels, 4, 4, 3);
      await writeImage(path.join(root, 'b', '1.png'), goodPixels, 4, 4, 3);
      const full = await readFile(path.join(root, 'a', '1.png'));
      await writeFile(path.join(root, 'a', '3-truncated.png'), full.subarray(0, full.length - 30));
      await writeFile(path.join(root, 'b', '2-garbage.jpg'), 'this is not a JPEG');
    });

    it('a corrupt or truncated image fails when its batch is read, naming it', async () => {
      const ds = await openDataset(root);
      try {
        expect(ds.summary.splits[0]?.count).toBe(5);
        const error = await readAll(ds, 'train', 2).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DatasetError);
        expect((error as DatasetError).file).toBe(path.join(root, 'a', '3-truncated.png'));
        expect((error as DatasetError).problem).toMatch(/^truncated or corrupt image \(/);
        const garbage = await readAll(ds, 'train', 1, [4]).catch((e: unknown) => e);
        expect((garbage as Error).message).toBe(
          `${path.join(root, 'b', '2-garbage.jpg')}: not a readable image (unsupported format or corrupt header)`,
        );
      } finally {
        await ds.close();
      }
    });

    it('skipBad leaves them out of their batch and lists them', async () => {
      const ds = await openDataset(root, { skipBad: true });
      try {
        const batches = await collect(ds.batches('train', { batchSize: 3 }));
        expect(batches.map((b) => b.n)).toEqual([2, 1]);
        expect(batches.map((b) => Array.from(b.indices))).toEqual([[0, 1], [3]]);
        expect(Array.from(batches[1]?.labels ?? [])).toEqual([1]);
        expect(batches[1]?.images).toEqual(goodPixels);
        expect(
          ds.summary.skipped.map((s) => [path.relative(root, s.file), s.problem.split(' (')[0]]),
        ).toEqual([
          [path.join('a', '3-truncated.png'), 'truncated or corrupt image'],
          [path.join('b', '2-garbage.jpg'), 'not a readable image'],
        ]);
        // Reported once, however often read.
        await collect(ds.batches('train', { batchSize: 5 }));
        expect(ds.summary.skipped).toHaveLength(2);
      } finally {
        await ds.close();
      }
    });

    it('a non-image file, a folder inside a class: errors at open, or skipped', async () => {
      const r = path.join(dir, 'bad-names');
      await writeImage(path.join(r, 'a', '1.png'), goodPixels, 4, 4, 3);
      await writeImage(path.join(r, 'b', '1.png'), goodPixels, 4, 4, 3);
      await writeFile(path.join(r, 'a', 'notes.txt'), 'hello');
      await expect(openDataset(r)).rejects.toThrow(
        `${path.join(r, 'a', 'notes.txt')}: not an image file (expected .png, .jpg, .jpeg or .webp)`,
      );
      await mkdir(path.join(r, 'b', 'more'));
      const ds = await openDataset(r, { skipBad: true });
      expect(ds.summary.splits[0]?.count).toBe(2);
      expect(ds.summary.skipped).toEqual([
        {
          file: path.join(r, 'a', 'notes.txt'),
          problem: 'not an image file (expected .png, .jpg, .jpeg or .webp)',
        },
        {
          file: path.join(r, 'b', 'more'),
          problem: 'a folder inside a class folder (images must sit directly in the class folder)',
        },
      ]);
      await ds.close();
    });

    it('an empty class: an error, or with skipBad left out and reported', async () => {
      const r = path.join(dir, 'empty-class');
      await writeImage(path.join(r, 'a', '1.png'), goodPixels, 4, 4, 3);
      await mkdir(path.join(r, 'b'));
      await writeImage(path.join(r, 'c', '1.png'), goodPixels, 4, 4, 3);
      await expect(openDataset(r)).rejects.toThrow(
        `${path.join(r, 'b')}: empty class folder: a class with no images cannot be learned (add images or remove it)`,
      );
      const ds = await openDataset(r, { skipBad: true });
      expect(ds.summary.classes).toEqual(['a', 'c']);
      expect(Array.from(await ds.labels('train'))).toEqual([0, 1]);
      expect(ds.summary.skipped.map((s) => s.file)).toEqual([path.join(r, 'b')]);
      await ds.close();
    });

    it('an image over 50 megapixels, first or later', async () => {
      const r = path.join(dir, 'huge');
      await writeImage(path.join(r, 'a', '1.png'), goodPixels, 4, 4, 3);
      await hugePngHeader(path.join(r, 'b', 'big.png'), 10_000, 6_000);
      const ds = await openDataset(r);
      const error = await readAll(ds, 'train').catch((e: unknown) => e);
      expect((error as Error).message).toBe(
        `${path.join(r, 'b', 'big.png')}: image too large to decode (10000 x 6000 = 60.0 megapixels, the limit is 50 megapixels)`,
      );
      await ds.close();
      // As the first image, it fails (or is skipped) at open, where the default size is taken from it.
      await hugePngHeader(path.join(r, 'a', '0.png'), 8_000, 8_000);
      await expect(openDataset(r)).rejects.toThrow(
        `${path.join(r, 'a', '0.png')}: image too large to decode (8000 x 8000 = 64.0 megapixels, the limit is 50 megapixels)`,
      );
      const skipping = await openDataset(r, { skipBad: true });
      expect([skipping.summary.height, skipping.summary.width]).toEqual([4, 4]);
      expect(skipping.summary.splits[0]?.count).toBe(2);
      expect(skipping.summary.skipped.map((s) => s.file)).toEqual([path.join(r, 'a', '0.png')]);
      await skipping.close();
    });

    it('folders that are not a dataset', async () => {
      const mixed = path.join(dir, 'mixed');
      await writeImage(path.join(mixed, 'train', 'a', '1.png'), goodPixels, 4, 4, 3);
      await writeImage(path.join(mixed, 'cats', '1.png'), goodPixels, 4, 4, 3);
      await expect(openDataset(mixed)).rejects.toThrow(
        `${mixed}: mixes split folders (train) with other folders (cats): put every class folder under train/, val/ or test/`,
      );
      const flat = path.join(dir, 'flat');
      await writeImage(path.join(flat, '1.png'), goodPixels, 4, 4, 3);
      await expect(openDataset(flat)).rejects.toThrow(
        `${flat}: no dataset found: it holds images but no class folders (an image folder dataset is <folder>/<class>/<images>)`,
      );
      const noClasses = path.join(dir, 'no-classes');
      await writeImage(path.join(noClasses, 'train', '1.png'), goodPixels, 4, 4, 3);
      await expect(openDataset(noClasses)).rejects.toThrow(
        `${path.join(noClasses, 'train')}: holds no class folders: expected train/<class>/<images> (its images must be inside class folders)`,
      );
    });
  });

  it('stops decoding at an abort', async () => {
    const root = path.join(dir, 'abort');
    for (let i = 0; i < 12; i++)
      await writeImage(path.join(root, 'a', `${i}.png`), seededBytes(48, i), 4, 4, 3);
    const ds = await openDataset(root);
    try {
      const abort = new AbortController();
      let seen = 0;
      const run = async (): Promise<void> => {
        for await (const b of ds.batches('train', { batchSize: 4, signal: abort.signal })) {
          seen += b.n;
          abort.abort();
        }
      };
      await expect(run()).rejects.toMatchObject({ name: 'AbortError' });
      expect(seen).toBe(4);
    } finally {
      await ds.close();
    }
  });
});
