import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Batch, Dataset } from '../../electron/engine/data/dataset.ts';
import { DatasetError } from '../../electron/engine/data/errors.ts';
import { writeIdxDataset } from '../../electron/engine/data/idx-writer.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import { stratifiedSubset } from '../../electron/engine/data/subset.ts';
import {
  pick,
  readAll,
  seededBytes,
  splitData,
  tempDir,
  writeIdxSplit,
  writeImage,
} from './dataset-fixtures.ts';

function perClassCounts(labels: Int32Array, indices: Uint32Array, classes: number): number[] {
  const counts = Array<number>(classes).fill(0);
  for (const i of indices) counts[labels[i] as number] = (counts[labels[i] as number] as number) + 1;
  return counts;
}

describe('stratifiedSubset', () => {
  // Class k has 10 + 5k images, interleaved.
  const labels = Int32Array.from({ length: 4 * 10 + 5 * 6 }, (_, i) => (i < 40 ? i % 4 : 2 + (i % 2)));
  const available = [10, 10, 25, 25];

  it('draws exactly perClass of each class, sorted and distinct', () => {
    const subset = stratifiedSubset(labels, 7, 1, 4);
    expect(subset).toHaveLength(28);
    expect(perClassCounts(labels, subset, 4)).toEqual([7, 7, 7, 7]);
    expect(Array.from(subset)).toEqual([...subset].sort((a, b) => a - b));
    expect(new Set(subset).size).toBe(28);
  });

  it('gives all of a class that has fewer than perClass', () => {
    const subset = stratifiedSubset(labels, 12, 1, 5);
    expect(perClassCounts(labels, subset, 5)).toEqual([10, 10, 12, 12, 0]);
    expect(perClassCounts(labels, stratifiedSubset(labels, 100, 3, 4), 4)).toEqual(available);
    expect(stratifiedSubset(labels, 0, 3, 4)).toHaveLength(0);
  });

  it('is deterministic per seed, and different seeds differ', () => {
    expect(stratifiedSubset(labels, 5, 42, 4)).toEqual(stratifiedSubset(labels, 5, 42, 4));
    expect(Array.from(stratifiedSubset(labels, 5, 42, 4))).not.toEqual(
      Array.from(stratifiedSubset(labels, 5, 43, 4)),
    );
  });

  it('rejects bad arguments', () => {
    expect(() => stratifiedSubset(labels, -1, 0, 4)).toThrow(/non-negative integer/);
    expect(() => stratifiedSubset(labels, 1.5, 0, 4)).toThrow(/non-negative integer/);
    expect(() => stratifiedSubset(labels, 1, 0, 3)).toThrow('label 3 of image 3 is outside 0..2');
  });
});

/** A dataset that fails (or aborts) after `after` batches of its first split read: an interrupted write. */
function interrupting(inner: Dataset, after: number, fail: (() => never) | AbortController): Dataset {
  return {
    summary: inner.summary,
    labels: (split) => inner.labels(split),
    close: () => inner.close(),
    batches(split, options) {
      const source = inner.batches(split, options);
      let seen = 0;
      async function* gen(): AsyncGenerator<Batch> {
        for await (const batch of source) {
          if (seen++ === after) {
            if (fail instanceof AbortController) fail.abort();
            else fail();
          }
          options.signal?.throwIfAborted();
          yield batch;
        }
      }
      return gen();
    },
  };
}

describe('writeIdxDataset', () => {
  let dir: string;
  const train = splitData(300, 7, 6, 1, 11);
  const test = splitData(40, 7, 6, 1, 12);
  let source: string;
  beforeAll(async () => {
    dir = await tempDir('writer');
    source = path.join(dir, 'source');
    await mkdir(source);
    await writeIdxSplit(source, 'train', train, { h: 7, w: 6, c: 1 }, { gz: true });
    await writeIdxSplit(source, 't10k', test, { h: 7, w: 6, c: 1 });
    await writeFile(
      path.join(source, 'classes.txt'),
      `${Array.from({ length: 10 }, (_, i) => `class ${i}`).join('\n')}\n`,
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a stratified subset that reopens as exactly the selected images', async () => {
    const ds = await openDataset(source);
    const out = path.join(dir, 'out', 'nested');
    try {
      const written = await writeIdxDataset(ds, out, { perClass: { train: 5 }, seed: 3 });
      expect((await readdir(out)).sort()).toEqual([
        'classes.txt',
        't10k-images-idx3-ubyte.gz',
        't10k-labels-idx1-ubyte.gz',
        'train-images-idx3-ubyte.gz',
        'train-labels-idx1-ubyte.gz',
      ]);
      const chosen = stratifiedSubset(train.labels, 5, 3, 10);
      expect(written.splits).toEqual([
        { name: 'train', count: 50, perClass: Array(10).fill(5) },
        { name: 'test', count: 40, perClass: ds.summary.splits[1]?.perClass },
      ]);
      const reopened = await openDataset(out);
      try {
        expect(reopened.summary).toEqual({ ...written, path: out });
        expect(reopened.summary.classes[3]).toBe('class 3');
        const back = await readAll(reopened, 'train', 16);
        expect(back.images).toEqual(pick(train.images, chosen, 42));
        expect(Array.from(back.labels)).toEqual(Array.from(chosen, (i) => train.labels[i]));
        expect((await readAll(reopened, 'test')).images).toEqual(test.images);
      } finally {
        await reopened.close();
      }
      // MNIST's 3-D layout for greyscale.
      const raw = gunzipSync(await readFile(path.join(out, 'train-images-idx3-ubyte.gz')));
      expect(Array.from(raw.subarray(0, 16))).toEqual([0, 0, 8, 3, 0, 0, 0, 50, 0, 0, 0, 7, 0, 0, 0, 6]);
    } finally {
      await ds.close();
    }
  });

  it('writes colour folder images as 4-D IDX, leaving out images skipped as bad', async () => {
    const root = path.join(dir, 'folder');
    const pixels: Uint8Array[] = [];
    for (let i = 0; i < 6; i++) {
      pixels.push(seededBytes(3 * 2 * 3, 100 + i));
      await writeImage(
        path.join(root, 'val', i % 2 === 0 ? 'even' : 'odd', `${i}.png`),
        pixels[i] as Uint8Array,
        3,
        2,
        3,
      );
    }
    await writeFile(path.join(root, 'val', 'odd', '9.png'), 'not a png');
    const ds = await openDataset(root, { skipBad: true });
    const out = path.join(dir, 'from-folder');
    try {
      const written = await writeIdxDataset(ds, out, { seed: 0 });
      expect(written.splits).toEqual([{ name: 'val', count: 6, perClass: [3, 3] }]);
      expect(ds.summary.skipped.map((s) => path.basename(s.file))).toEqual(['9.png']);
      const raw = gunzipSync(await readFile(path.join(out, 'val-images-idx3-ubyte.gz')));
      expect(Array.from(raw.subarray(0, 4))).toEqual([0, 0, 8, 4]);
      const reopened = await openDataset(out);
      try {
        expect(reopened.summary.classes).toEqual(['even', 'odd']);
        expect([reopened.summary.height, reopened.summary.width, reopened.summary.channels]).toEqual([
          3, 2, 3,
        ]);
        const back = await readAll(reopened, 'val');
        // Folder order: class 'even' (0, 2, 4) then 'odd' (1, 3, 5).
        expect(back.images).toEqual(
          Uint8Array.from([0, 2, 4, 1, 3, 5].flatMap((i) => [...(pixels[i] as Uint8Array)])),
        );
        expect(Array.from(back.labels)).toEqual([0, 0, 0, 1, 1, 1]);
      } finally {
        await reopened.close();
      }
    } finally {
      await ds.close();
    }
  });

  it('an interrupted write leaves no file at the target names (and an old file untouched)', async () => {
    const ds = await openDataset(source);
    try {
      const out = path.join(dir, 'interrupted');
      const abort = new AbortController();
      const aborted = writeIdxDataset(interrupting(ds, 0, abort), out, { seed: 1, signal: abort.signal });
      await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
      expect(await readdir(out)).toEqual([]);

      // An earlier complete write stays as it was when a later one fails part way.
      await writeIdxDataset(ds, out, { seed: 1, perClass: { train: 1, test: 1 } });
      const before = await readFile(path.join(out, 'train-images-idx3-ubyte.gz'));
      const failing = interrupting(ds, 1, () => {
        throw new DatasetError('somewhere', 'disk on fire');
      });
      await expect(writeIdxDataset(failing, out, { seed: 1 })).rejects.toThrow('somewhere: disk on fire');
      expect((await readdir(out)).sort()).toEqual([
        'classes.txt',
        't10k-images-idx3-ubyte.gz',
        't10k-labels-idx1-ubyte.gz',
        'train-images-idx3-ubyte.gz',
        'train-labels-idx1-ubyte.gz',
      ]);
      expect(await readFile(path.join(out, 'train-images-idx3-ubyte.gz'))).toEqual(before);
    } finally {
      await ds.close();
    }
  });

  it('refuses a folder holding other IDX files', async () => {
    const ds = await openDataset(source);
    try {
      const out = path.join(dir, 'stale');
      await mkdir(out);
      await writeFile(path.join(out, 'val-images-idx3-ubyte'), 'old');
      await expect(writeIdxDataset(ds, out, { seed: 1 })).rejects.toThrow(
        `${out}: already holds other IDX files (val-images-idx3-ubyte), which would mix with the written ones: write to an empty folder or remove them`,
      );
    } finally {
      await ds.close();
    }
  });
});
