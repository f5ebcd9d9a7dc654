import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSummary } from '../../shared/datasets.ts';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import { distortBatch } from '../../electron/engine/distort/apply.ts';
import { toUint8 } from '../../electron/engine/distort/quantize.ts';
import { readImageFile } from '../../electron/engine/io/read-image.ts';
import { cli } from './run-cli.ts';

const DEMO = 'resources/datasets/fashion-mnist-demo';

async function pixels(file: string): Promise<Uint8Array> {
  return (await readImageFile(file)).data;
}

describe('deepcorrect dataset and distort', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dc-cli-'));
    await selectBackend({ forced: 'cpu' });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('dataset info describes the bundled demo', async () => {
    const { code, stdout } = await cli(['dataset', 'info', DEMO, '--json']);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as DatasetSummary;
    expect(summary.format).toBe('idx');
    expect(summary.classes).toHaveLength(10);
    expect(summary.classes[9]).toBe('Ankle boot');
    expect([summary.height, summary.width, summary.channels]).toEqual([28, 28, 1]);
    expect(summary.splits.map((s) => [s.name, s.count])).toEqual([
      ['train', 10000],
      ['test', 2000],
    ]);
    expect(summary.splits[0]?.perClass).toEqual(Array(10).fill(1000));
    const table = await cli(['dataset', 'info', DEMO]);
    expect(table.stdout).toMatch(/Ankle boot\s+1000\s+200/);
  });

  it('dataset info names a path that holds no dataset', async () => {
    const { code, stderr } = await cli(['dataset', 'info', path.join(dir, 'nothing-here')]);
    expect(code).toBe(1);
    expect(stderr).toContain('nothing-here');
  });

  it('distort rejects an unknown kind and an out-of-range level', async () => {
    const unknown = await cli(['distort', '--in', DEMO, '--kind', 'fog', '--level', '1', '--out', dir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown distortion "fog"');
    const range = await cli(['distort', '--in', DEMO, '--kind', 'jpeg', '--level', '0', '--out', dir]);
    expect(range.code).toBe(1);
    expect(range.stderr).toContain('jpeg level 0 is outside 1..100');
  });

  it('distorts a stratified subset into a folder dataset whose files regenerate exactly', async () => {
    const out = path.join(dir, 'noisy');
    const args = ['--in', DEMO, '--split', 'test', '--per-class', '2', '--kind', 'noise', '--level', '20'];
    const { code, stdout } = await cli(['distort', ...args, '--seed', '5', '--out', out]);
    expect(code).toBe(0);
    expect(stdout).toContain('wrote 20 images');
    const manifest = JSON.parse(await readFile(path.join(out, 'distortion.json'), 'utf8')) as {
      written: number;
    };
    expect(manifest.written).toBe(20);

    const written = await openDataset(out);
    const source = await openDataset(DEMO);
    try {
      expect(written.summary.splits.map((s) => [s.name, s.count])).toEqual([['test', 20]]);
      expect(written.summary.splits[0]?.perClass).toEqual(Array(10).fill(2));
      // Each file's name is the image's index in the source split, which is also its seed id.
      const classDir = path.join(out, 'test', 'Bag');
      const files = await readdir(classDir);
      expect(files).toHaveLength(2);
      const index = Number(path.parse(files[0] as string).name);
      let clean: Uint8Array | undefined;
      for await (const b of source.batches('test', { batchSize: 1, indices: [index] })) clean = b.images;
      const t = tf.tensor4d(Float32Array.from(clean ?? []), [1, 28, 28, 1]);
      const d = distortBatch(t, { kind: 'noise', level: 20 }, { seed: 5, ids: [index] });
      const expected = await toUint8(d);
      tf.dispose([t, d]);
      expect(await pixels(path.join(classDir, files[0] as string))).toEqual(expected);
    } finally {
      await written.close();
      await source.close();
    }

    const again = path.join(dir, 'noisy-again');
    await cli(['distort', ...args, '--seed', '5', '--out', again]);
    const other = path.join(dir, 'noisy-other-seed');
    await cli(['distort', ...args, '--seed', '6', '--out', other]);
    const one = path.join('test', 'Bag', (await readdir(path.join(out, 'test', 'Bag')))[0] as string);
    expect(await readFile(path.join(again, one))).toEqual(await readFile(path.join(out, one)));
    expect(await readFile(path.join(other, one))).not.toEqual(await readFile(path.join(out, one)));
  });

  it('distorts a single image file to a PNG of the same size', async () => {
    const input = path.join(dir, 'gradient.png');
    const raw = new Uint8Array(24 * 40 * 3).map((_, i) => (i * 7) % 256);
    await sharp(raw, { raw: { width: 40, height: 24, channels: 3 } })
      .png()
      .toFile(input);
    const out = path.join(dir, 'blurred.png');
    const { code } = await cli(['distort', '--in', input, '--kind', 'blur', '--level', '1.5', '--out', out]);
    expect(code).toBe(0);
    const meta = await sharp(out).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([40, 24, 3]);
    const t = tf.tensor4d(Float32Array.from(raw), [1, 24, 40, 3]);
    const d = distortBatch(t, { kind: 'blur', level: 1.5 }, { seed: 0, ids: [0] });
    const expected = await toUint8(d);
    tf.dispose([t, d]);
    expect(await pixels(out)).toEqual(expected);
  });

  it('dataset subset writes a seeded stratified IDX subset that reopens with the asked counts', async () => {
    const out = path.join(dir, 'subset');
    const { code } = await cli([
      'dataset',
      'subset',
      DEMO,
      '--out',
      out,
      '--train-per-class',
      '3',
      '--test-per-class',
      '1',
      '--seed',
      '2',
    ]);
    expect(code).toBe(0);
    const reopened = await openDataset(out);
    try {
      expect(reopened.summary.classes[0]).toBe('T-shirt/top');
      expect(reopened.summary.splits.map((s) => [s.name, s.count])).toEqual([
        ['train', 30],
        ['test', 10],
      ]);
    } finally {
      await reopened.close();
    }
  });
});
