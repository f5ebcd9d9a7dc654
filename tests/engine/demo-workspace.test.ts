/**
 * The demo workspace belongs to the app that opens it: one workspace folder opened from two resources folders
 * (two checkouts, or one moved) names each one's own dataset; the bundled model, a shipped study and its
 * ranking are registered complete; an earlier version's demo workspace (an absolute dataset path) is upgraded
 * in place; a shipped file that fails its checksum is listed as damaged and the workspace still opens.
 */
import { createHash } from 'node:crypto';
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import { openRanking } from '../../electron/engine/rank/open-ranking.ts';
import { RESOURCES_ENV } from '../../electron/engine/resources.ts';
import { openStudy } from '../../electron/engine/study/open-study.ts';
import { runStudy } from '../../electron/engine/study/run-study.ts';
import { described } from '../../electron/engine/use-cases/workspace.ts';
import { checkWorkspace } from '../../electron/engine/workspace/check.ts';
import {
  DEMO_IDS,
  DEMO_WORKSPACE_NAME,
  demoWorkspace,
} from '../../electron/engine/workspace/demo-workspace.ts';
import { initWorkspace, openWorkspace } from '../../electron/engine/workspace/workspace.ts';
import { quickStudyConfig, useStudyFixture } from './study-fixture.ts';

const REAL_RESOURCES = path.resolve('resources');

/** `sha256sum`'s listing of the files under `names` (folders or files) in `dir`, as the shipping scripts write. */
async function checksums(dir: string, names: string[]): Promise<string> {
  const lines: string[] = [];
  for (const name of names) {
    const entries = await readdir(path.join(dir, name), { recursive: true, withFileTypes: true }).catch(
      () => undefined,
    );
    const files =
      entries === undefined
        ? [name]
        : entries
            .filter((e) => e.isFile())
            .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
    for (const f of files.sort())
      lines.push(
        `${createHash('sha256')
          .update(await readFile(path.join(dir, f)))
          .digest('hex')}  ${f}`,
      );
  }
  return `${lines.join('\n')}\n`;
}

describe('the demo workspace', () => {
  const fixture = useStudyFixture('dc-demo-ws-');
  const previous = process.env[RESOURCES_ENV];
  const useResources = (dir: string): void => {
    process.env[RESOURCES_ENV] = dir;
  };
  let a = '';
  let b = '';

  beforeAll(async () => {
    // Checkout A's resources: the real dataset and model, and a quick study shipped as the demo study is.
    a = fixture.dir(path.join('a', 'resources'));
    await cp(
      path.join(REAL_RESOURCES, 'datasets', 'fashion-mnist-demo'),
      path.join(a, 'datasets', 'fashion-mnist-demo'),
      {
        recursive: true,
      },
    );
    await cp(path.join(REAL_RESOURCES, 'models'), path.join(a, 'models'), { recursive: true });
    const studies = path.join(a, 'studies');
    const study = path.join(studies, 'fashion-mnist-blur');
    await runStudy(
      fixture.options(quickStudyConfig({ kind: 'blur', levelsName: '1,3', levels: [1, 3] }), study),
    );
    for (const model of ['deepcorrect', 'fine-tuned'])
      await rm(path.join(study, model, 'checkpoint'), { recursive: true, force: true });
    await cp(path.join(study, 'ranking.json'), `${study}.ranking.json`);
    await writeFile(
      `${study}.sha256`,
      await checksums(studies, ['fashion-mnist-blur', 'fashion-mnist-blur.ranking.json']),
    );
    // Checkout B: a copy elsewhere.
    b = fixture.dir(path.join('b', 'resources'));
    await cp(a, b, { recursive: true });
  }, 600_000);
  afterAll(() => {
    if (previous === undefined) delete process.env[RESOURCES_ENV];
    else process.env[RESOURCES_ENV] = previous;
  });

  it('is filled from the resources: the dataset as bundled, the model, the study and its ranking complete', async () => {
    useResources(a);
    const root = fixture.dir('demo');
    const ws = await demoWorkspace(root);
    expect(ws.manifest.name).toBe(DEMO_WORKSPACE_NAME);
    expect(ws.artefacts.map((x) => [x.id, x.kind, x.status])).toEqual([
      [DEMO_IDS.dataset, 'dataset', 'complete'],
      [DEMO_IDS.model, 'model', 'complete'],
      [DEMO_IDS.study, 'study', 'complete'],
      [DEMO_IDS.ranking, 'ranking', 'complete'],
    ]);
    // On disk nothing names checkout A: the dataset is recorded as bundled.
    const manifest = await readFile(path.join(root, 'deepcorrect-workspace.json'), 'utf8');
    expect(manifest).not.toContain(a);
    expect(ws.artefact(DEMO_IDS.dataset)?.provenance).toEqual({
      dataset: 'resources/datasets/fashion-mnist-demo',
      bundled: true,
    });
    // What the engine answers the UI with names A's folder.
    const answer = described(ws).manifest.artefacts.find((x) => x.id === DEMO_IDS.dataset);
    expect(answer?.provenance?.['dataset']).toBe(path.join(a, 'datasets', 'fashion-mnist-demo'));
    expect((await checkWorkspace(root)).problems).toEqual([]);
    const study = await openStudy(ws.path(ws.artefact(DEMO_IDS.study) ?? ''));
    expect(study.report.config.kind).toBe('blur');
    expect(ws.artefact(DEMO_IDS.study)?.provenance?.['models']).toEqual([
      'studies/fashion-mnist-blur/deepcorrect',
      'studies/fashion-mnist-blur/fine-tuned',
    ]);
    const ranking = await openRanking(ws.path(ws.artefact(DEMO_IDS.ranking) ?? ''));
    expect(ranking.ranking.layers.map((l) => l.layer)).toEqual(['conv1']);
    // Opened again: nothing to add, the same entries.
    const again = await demoWorkspace(root);
    expect(again.manifest.updatedAt).toBe(ws.manifest.updatedAt);
  }, 120_000);

  it('opened from another checkout (the first one gone) names that checkout’s dataset', async () => {
    await rm(a, { recursive: true, force: true });
    useResources(b);
    const ws = await demoWorkspace(fixture.dir('demo'));
    const at = described(ws).manifest.artefacts.find((x) => x.id === DEMO_IDS.dataset)?.provenance?.[
      'dataset'
    ];
    expect(at).toBe(path.join(b, 'datasets', 'fashion-mnist-demo'));
    const dataset = await openDataset(String(at));
    expect(dataset.summary.classes).toHaveLength(10);
    await dataset.close();
    expect((await checkWorkspace(ws.root)).ok).toBe(true);
  }, 120_000);

  it('upgrades the demo workspace of an earlier version in place', async () => {
    useResources(b);
    const root = fixture.dir('old-demo');
    // As the earlier version made it: the dataset by absolute path, a copy of the model, nothing else.
    await initWorkspace(root, { name: DEMO_WORKSPACE_NAME });
    const old = await openWorkspace(root, { write: true, tool: 'test' });
    const absolute = path.join(fixture.dir('a-gone'), 'datasets', 'fashion-mnist-demo');
    const dataset = await old.addDataset(
      absolute,
      { name: 'fashion-mnist-demo', bundled: true },
      'fashion-mnist-demo',
    );
    const model = await old.begin('model', 'fashion-mnist-cnn4', { id: 'fashion-mnist-cnn4' });
    await cp(path.join(b, 'models', 'fashion-mnist-cnn4'), old.path(model), { recursive: true });
    await old.complete(model.id);
    await old.close();

    const ws = await demoWorkspace(root);
    expect(ws.artefact(dataset.id)?.provenance?.['dataset']).toBe('resources/datasets/fashion-mnist-demo');
    const reference = JSON.parse(await readFile(ws.path(dataset), 'utf8')) as { path: string };
    expect(reference.path).toBe('resources/datasets/fashion-mnist-demo');
    expect(ws.artefacts.filter((x) => x.kind === 'dataset')).toHaveLength(1);
    expect(ws.artefact(DEMO_IDS.study)?.status).toBe('complete');
    expect(await readFile(path.join(root, 'deepcorrect-workspace.json'), 'utf8')).not.toContain(absolute);
    expect((await checkWorkspace(root)).ok).toBe(true);
  }, 120_000);

  it('lists a shipped file that fails its checksum as damaged, naming it, and still opens', async () => {
    const c = fixture.dir(path.join('c', 'resources'));
    await cp(b, c, { recursive: true });
    const weights = path.join(c, 'models', 'fashion-mnist-cnn4', 'weights.bin');
    const bytes = await readFile(weights);
    bytes[1000] = (bytes[1000] ?? 0) ^ 0xff;
    await writeFile(weights, bytes);
    useResources(c);
    const root = fixture.dir('damaged-demo');
    const ws = await demoWorkspace(root);
    expect(ws.artefacts.map((x) => x.status)).toEqual(['complete', 'complete', 'complete', 'complete']);
    expect(ws.artefact(DEMO_IDS.model)?.provenance?.['damaged']).toEqual([
      'models/fashion-mnist-cnn4/weights.bin',
    ]);
    expect(ws.artefact(DEMO_IDS.study)?.provenance?.['damaged']).toBeUndefined();
    const check = await checkWorkspace(root);
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual([
      {
        artefact: DEMO_IDS.model,
        file: 'models/fashion-mnist-cnn4/weights.bin',
        problem: 'its checksum differs from the manifest (the content has changed)',
      },
    ]);
  }, 120_000);
});
