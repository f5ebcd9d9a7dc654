/**
 * The folder browser's use case (fs.browse) on a real tree: datasets of every format, a model, a workspace, a
 * finished and an unfinished study, a ranking file, an unreadable folder, link loops, a dangling link, a link
 * that leads outside the allowed folders and one that stays inside. What it says a dataset holds is checked
 * against what the engine finds when it opens the dataset.
 */
import { chmod, cp, mkdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudyReport } from '../../shared/study.ts';
import { MAX_BROWSE_ENTRIES, type BrowseEntry, type BrowseListing } from '../../shared/folder-browse.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import { demoDatasetDir, demoModelDir } from '../../electron/engine/resources.ts';
import { createSession, type EngineSession } from '../../electron/engine/use-cases/context.ts';
import { USE_CASES } from '../../electron/engine/use-cases/index.ts';
import { initWorkspace } from '../../electron/engine/workspace/workspace.ts';
import { cifarRecords, seededBytes, tempDir, writeImage } from './dataset-fixtures.ts';

const RANKING = {
  model: 'demo-cnn4',
  dataset: 'demo',
  method: 'proxy',
  kind: 'blur',
  levels: [1, 2],
  seed: 3,
  split: 'train',
  rankingImages: 20,
  layers: [{ layer: 'conv1', activation: 'conv1', filters: 2, order: [1, 0], seconds: 0.1 }],
  backend: 'cpu',
  seconds: 1,
};
const isRoot = process.getuid?.() === 0;

describe('fs.browse', () => {
  let base: string;
  let root: string;
  let other: string;
  let outside: string;
  let session: EngineSession;

  const browse = (p?: string, roots = [root, other]): Promise<BrowseListing> =>
    USE_CASES['fs.browse'].run(
      {
        ...(p === undefined ? {} : { path: p }),
        roots: roots.map((r) => ({ path: r, access: 'read' as const })),
      },
      { session },
    );
  const entry = (listing: BrowseListing, name: string): BrowseEntry => {
    const found = listing.entries.find((e) => e.name === name);
    if (found === undefined)
      throw new Error(`no entry ${name} in ${listing.entries.map((e) => e.name).join(', ')}`);
    return found;
  };

  beforeAll(async () => {
    // Listing folders uses no backend: the session is only the use case's context.
    const backend = {
      name: 'cpu',
      device: 'cpu',
      forced: true,
      reason: 'test',
      threads: 1,
      probes: [],
    } as const;
    session = createSession({ ...backend, probes: [] }, 'browser');
    base = await realpath(await tempDir('browse'));
    root = path.join(base, 'allowed');
    other = path.join(base, 'also-allowed');
    outside = path.join(base, 'outside');
    await mkdir(other, { recursive: true });
    await mkdir(path.join(outside, 'secret-classes', 'a'), { recursive: true });
    await writeFile(path.join(outside, 'secret-classes', 'a', 'x.png'), 'not read');

    await cp(demoDatasetDir(), path.join(root, 'fashion-idx'), { recursive: true });
    await cp(demoModelDir(), path.join(root, 'model'), { recursive: true });
    // An image-folder dataset with splits, written as real PNGs.
    for (const [split, cls, i] of [
      ['train', 'cat', 0],
      ['train', 'dog', 1],
      ['test', 'cat', 2],
      ['test', 'dog', 3],
    ] as const)
      await writeImage(path.join(root, 'pets', split, cls, `${i}.png`), seededBytes(8 * 8, i), 8, 8, 1);
    const cifar = path.join(root, 'c10', 'cifar-10-batches-bin');
    await mkdir(cifar, { recursive: true });
    await writeFile(path.join(cifar, 'data_batch_1.bin'), cifarRecords(3, 1, (i) => [i]).file);
    await writeFile(path.join(cifar, 'test_batch.bin'), cifarRecords(2, 2, (i) => [i]).file);
    await initWorkspace(path.join(root, 'ws'), { name: 'My work' });
    await cp('docs/studies/demo-noise-3-seeds', path.join(root, 'study'), { recursive: true });
    await mkdir(path.join(root, 'unfinished'));
    await writeFile(path.join(root, 'unfinished', 'study.json'), '{"config":{}}');
    await writeFile(path.join(root, 'rank.json'), JSON.stringify(RANKING));
    await writeFile(path.join(root, 'notes.json'), '{"not":"a ranking"}');
    await mkdir(path.join(root, 'plain', 'sub'), { recursive: true });
    // Code with an icon in one folder is no image dataset: its other folders hold no images.
    await writeImage(path.join(root, 'code', 'assets', 'icon.png'), seededBytes(16, 9), 4, 4, 1);
    await mkdir(path.join(root, 'code', 'src'));
    await writeFile(path.join(root, 'code', 'src', 'main.js'), '');
    await mkdir(path.join(root, 'locked'));
    await writeFile(path.join(root, 'locked', 'inside.txt'), 'x');
    await chmod(path.join(root, 'locked'), 0o000);
    await writeFile(path.join(root, '.hidden'), 'x');
    await symlink('loop-b', path.join(root, 'loop-a'));
    await symlink('loop-a', path.join(root, 'loop-b'));
    await symlink('self', path.join(root, 'self'));
    await symlink('../outside/secret-classes', path.join(root, 'to-outside'));
    await symlink('model', path.join(root, 'to-model'));
    await symlink('gone', path.join(root, 'dangling'));
    // A dataset whose class folder is a link outside: the outside folder's contents must not count.
    await mkdir(path.join(root, 'half-outside'));
    await symlink(path.join(outside, 'secret-classes'), path.join(root, 'half-outside', 'train'));
    // A big folder: more entries than one listing describes.
    const big = path.join(root, 'big');
    await mkdir(big);
    await Promise.all(
      Array.from({ length: MAX_BROWSE_ENTRIES + 37 }, (_, i) => mkdir(path.join(big, `d${i}`))),
    );
  });

  afterAll(async () => {
    await chmod(path.join(root, 'locked'), 0o755).catch(() => undefined);
    await rm(base, { recursive: true, force: true });
  });

  it('lists the allowed folders without a path, each classified with its access', async () => {
    const listing = await USE_CASES['fs.browse'].run(
      {
        roots: [
          { path: root, access: 'write' },
          { path: path.join(root, 'model'), access: 'read' },
          { path: path.join(base, 'removed'), access: 'read' },
        ],
      },
      { session },
    );
    expect(listing.path).toBeNull();
    expect(listing.parent).toBeUndefined();
    expect(listing.entries.map((e) => [e.name, e.kind, e.access])).toEqual([
      [root, 'folder', 'write'],
      [path.join(root, 'model'), 'model', 'read'],
      [path.join(base, 'removed'), 'unreadable', 'read'],
    ]);
    expect(listing.entries[2]?.detail).toBe('no longer exists');
  });

  it('classifies every entry of a folder, datasets with the classes the engine opens them with', async () => {
    const listing = await browse(root);
    expect(listing.path).toBe(root);
    expect(listing.parent).toBeUndefined(); // a root: nothing above it is offered
    expect(listing.hidden).toBe(1);
    expect(listing.omitted).toBe(0);

    for (const [name, format] of [
      ['fashion-idx', 'idx'],
      ['pets', 'folder'],
      ['c10', 'cifar10'],
    ] as const) {
      const e = entry(listing, name);
      const opened = await openDataset(path.join(root, name));
      expect(e, name).toMatchObject({ kind: 'dataset', format, folder: true, path: path.join(root, name) });
      expect(e.classes, name).toEqual(opened.summary.classes);
      expect(e.classCount, name).toBe(opened.summary.classes.length);
      await opened.close();
    }
    expect(entry(listing, 'pets').detail).toBe('image-folder dataset (train, test): 2 classes: cat, dog');

    expect(entry(listing, 'model')).toMatchObject({ kind: 'model', arch: 'cnn4', classCount: 10 });
    expect(entry(listing, 'model').detail).toMatch(/^cnn4 model, 28×28×1 input, 10 classes: T-shirt\/top/);
    expect(entry(listing, 'ws')).toMatchObject({ kind: 'workspace', detail: 'workspace "My work": empty' });
    expect(entry(listing, 'study')).toMatchObject({ kind: 'study' });
    const report = JSON.parse(await readFile(path.join(root, 'study', 'report.json'), 'utf8')) as StudyReport;
    expect(entry(listing, 'study').detail).toBe(
      `finished study: ${report.distortionLabel}, ${report.config.levelsName} levels, ${report.config.seeds?.length ?? 1} seeds`,
    );
    expect(entry(listing, 'study').problem).toBeUndefined();
    expect(entry(listing, 'unfinished')).toMatchObject({ kind: 'study', detail: 'study, not finished' });
    expect(entry(listing, 'unfinished').problem).toMatch(/no report\.json/);
    expect(entry(listing, 'rank.json')).toMatchObject({
      kind: 'ranking',
      folder: false,
      detail: 'proxy ranking of demo-cnn4 under Gaussian blur, 1 layer',
    });
    expect(entry(listing, 'notes.json')).toMatchObject({ kind: 'file', detail: '19 bytes' });
    expect(entry(listing, 'plain')).toMatchObject({ kind: 'folder', detail: '1 folder, 0 files' });
    expect(entry(listing, 'code')).toMatchObject({ kind: 'folder', detail: '2 folders, 0 files' });
    // A class folder that leads outside is not followed: no dataset, nothing of the outside folder shown.
    expect(entry(listing, 'half-outside')).toMatchObject({ kind: 'folder' });
    expect(JSON.stringify(entry(listing, 'half-outside'))).not.toContain('secret');
  });

  it('marks an unreadable folder with the reason in words', async (context) => {
    // As root, chmod 000 does not stop reads: the folder is readable and there is nothing to check.
    if (isRoot) context.skip();
    const listing = await browse(root);
    expect(entry(listing, 'locked')).toMatchObject({
      kind: 'unreadable',
      folder: true,
      detail: 'cannot be read: permission denied (EACCES)',
    });
  });

  it('answers link loops and dangling links at once, and never follows a link out of the allowed folders', async () => {
    const listing = await browse(root);
    for (const name of ['loop-a', 'loop-b', 'self'])
      expect(entry(listing, name), name).toMatchObject({
        kind: 'broken',
        link: true,
        detail: 'a loop of links',
      });
    expect(entry(listing, 'dangling')).toMatchObject({ kind: 'broken', link: true });
    expect(entry(listing, 'dangling').path).toBeUndefined();
    const out = entry(listing, 'to-outside');
    expect(out).toMatchObject({ kind: 'outside', link: true, folder: false });
    expect(out.path).toBeUndefined();
    expect(out.classes).toBeUndefined();
    // A link that stays inside is followed and given by where it leads.
    expect(entry(listing, 'to-model')).toMatchObject({
      kind: 'model',
      link: true,
      path: path.join(root, 'model'),
    });
    expect(JSON.stringify(listing)).not.toContain(outside);
  });

  it('refuses a folder outside the allowed folders, through a link too, and offers .. only inside', async () => {
    await expect(browse(outside)).rejects.toMatchObject({ code: 'not-allowed' });
    await expect(browse(path.join(root, 'to-outside'))).rejects.toMatchObject({ code: 'not-allowed' });
    await expect(browse(path.join(root, 'loop-a'))).rejects.toThrow(/cannot be listed/);
    await expect(browse(root, [])).rejects.toMatchObject({ code: 'not-allowed' });
    await expect(USE_CASES['fs.browse'].run({ path: root }, { session })).rejects.toMatchObject({
      code: 'invalid-input',
    });

    const model = await browse(path.join(root, 'model'));
    expect(model.parent).toBe(root);
    expect(model.self).toMatchObject({ kind: 'model', path: path.join(root, 'model') });
    // Entered through a link, the folder is listed where it really is, and .. climbs from there.
    const viaLink = await browse(path.join(root, 'to-model'));
    expect(viaLink.path).toBe(path.join(root, 'model'));
    expect(viaLink.parent).toBe(root);
    const inner = await browse(path.join(root, 'pets', 'train'));
    expect(inner.parent).toBe(path.join(root, 'pets'));
  });

  it('cuts a big folder, saying how many entries it left out, and answers fast', async () => {
    const started = performance.now();
    const listing = await browse(path.join(root, 'big'));
    const seconds = (performance.now() - started) / 1000;
    expect(listing.entries).toHaveLength(MAX_BROWSE_ENTRIES);
    expect(listing.omitted).toBe(37);
    // Sorted as people sort: d2 before d10.
    expect(listing.entries.slice(0, 3).map((e) => e.name)).toEqual(['d0', 'd1', 'd2']);
    expect(seconds).toBeLessThan(5);
  });
});
