/**
 * Workspaces over the bridge, below the UI: the real server, gate and engine host process over a WebSocket.
 * The demo workspace is created on first run (in a temporary folder here), a workspace is created in an
 * allowed folder, a small study runs into it and is listed complete, and check finds it sound.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from './connection.ts';
import type { ArtefactSummary, WorkspaceCheck, WorkspaceManifest } from '../../shared/workspace.ts';
import { EngineClient } from '../../electron/gateway/engine-client.ts';
import { BridgeGate } from '../../electron/gateway/gate.ts';
import { nodeHostSpawner } from '../../electron/gateway/node-spawner.ts';
import { PathPolicy } from '../../electron/gateway/paths.ts';
import { startServer, type RunningServer } from '../../electron/serve/server.ts';
import { demoDatasetDir, demoModelDir, demoStudyDir } from '../../electron/engine/resources.ts';
import { DEMO_WORKSPACE_ENV, demoWorkspaceDir } from '../../electron/engine/workspace/demo-dir.ts';

interface Opened {
  root: string;
  manifest: WorkspaceManifest;
  summary: ArtefactSummary[];
}

describe('workspaces over the bridge', () => {
  let dir: string;
  let server: RunningServer;
  let engine: EngineClient;
  let conn: Connection;
  const previousEnv = process.env[DEMO_WORKSPACE_ENV];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dc-ws-bridge-'));
    const rendererDir = path.join(dir, 'renderer');
    await mkdir(rendererDir);
    await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>DeepCorrect</title>');
    await mkdir(path.join(dir, 'allowed'));
    // The engine host inherits the environment: the demo workspace goes into the temporary folder.
    process.env[DEMO_WORKSPACE_ENV] = path.join(dir, 'demo-workspace');
    const paths = new PathPolicy();
    paths.allow(demoDatasetDir());
    paths.allow(demoModelDir());
    paths.allow(demoWorkspaceDir());
    paths.allow(path.join(dir, 'allowed'));
    const log = (): void => undefined;
    engine = new EngineClient(nodeHostSpawner({ log }), log);
    server = await startServer({
      gate: new BridgeGate({ engine, paths, mode: 'browser', log }),
      rendererDir,
      log,
    });
    conn = await Connection.open(
      `ws://127.0.0.1:${server.port}/bridge?token=${server.token}`,
      `http://127.0.0.1:${server.port}`,
    );
  });
  afterAll(async () => {
    conn?.ws.close();
    await server?.close();
    await engine?.close();
    if (previousEnv === undefined) delete process.env[DEMO_WORKSPACE_ENV];
    else process.env[DEMO_WORKSPACE_ENV] = previousEnv;
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the demo workspace on first run, with the demo dataset, model and study, and opens it again', async () => {
    const demo = await conn.ok<Opened>('workspace.demo', {});
    expect(demo.root).toBe(path.join(dir, 'demo-workspace'));
    expect(demo.manifest.name).toBe('Demo workspace');
    // The shipped study and its ranking, once resources/studies holds them (make-demo-study.sh).
    const shipped = existsSync(demoStudyDir())
      ? [
          ['study', 'complete'],
          ['ranking', 'complete'],
        ]
      : [];
    expect(demo.summary.map((a) => [a.kind, a.status])).toEqual([
      ['dataset', 'complete'],
      ['model', 'complete'],
      ...shipped,
    ]);
    // The dataset is recorded as bundled; the answer names this checkout's folder, which the session may open.
    const dataset = demo.manifest.artefacts.find((a) => a.kind === 'dataset')?.provenance?.['dataset'];
    expect(dataset).toBe(demoDatasetDir());
    await conn.ok('dataset.open', { path: String(dataset) });
    const model = demo.summary.find((a) => a.kind === 'model');
    expect(model?.files).toBe(3);
    // The demo model is open in the engine with the workspace: the Models view lists it at launch.
    const listed = await conn.ok<{ models: { path: string }[] }>('models.list', {});
    expect(listed.models.map((m) => m.path)).toEqual([path.join(demo.root, model?.path ?? '')]);
    expect(existsSync(path.join(demo.root, model?.path ?? '', 'model.json'))).toBe(true);
    const again = await conn.ok<Opened>('workspace.demo', {});
    expect(again.summary.map((a) => a.id)).toEqual(demo.summary.map((a) => a.id));
    // Browsing takes no lock.
    expect(existsSync(path.join(demo.root, '.lock'))).toBe(false);
    const opened = await conn.ok<{ metadata: { arch: string } }>('models.open', {
      path: path.join(demo.root, model?.path ?? ''),
    });
    expect(opened.metadata.arch).toBe('cnn4');
    expect((await conn.ok<WorkspaceCheck>('workspace.check', { path: demo.root })).ok).toBe(true);
  });

  it('creates a workspace, runs a small study into it, lists it complete, and checks it sound', async () => {
    const root = path.join(dir, 'allowed', 'work');
    const created = await conn.ok<Opened>('workspace.open', { path: root, create: true, name: 'My work' });
    expect(created.manifest.name).toBe('My work');
    expect(created.summary).toEqual([]);
    const twice = await conn.send('workspace.open', { path: root, create: true });
    expect(twice).toMatchObject({ ok: false, error: { code: 'workspace' } });
    expect(JSON.stringify(twice)).toMatch(/already holds a workspace/);

    const { datasetId } = await conn.ok<{ datasetId: string }>('dataset.open', {});
    const { modelId } = await conn.ok<{ modelId: string }>('models.open', {});
    const adam = { kind: 'adam', learningRate: 0.001 };
    const study = {
      datasetId,
      modelId,
      spec: { kind: 'blur' },
      levels: [2, 3],
      epochs: 1,
      batchSize: 32,
      seed: 1,
      trainPerClass: 6,
      validationFraction: 0.3,
      layers: ['conv1'],
      beta: 0.25,
      rankMethod: 'proxy',
      rankPerClass: 2,
      fineTuneLayers: 'first:1',
      unitOptimizer: adam,
      fineTuneOptimizer: adam,
      testPerClass: 5,
    };
    const both = await conn.send('study.run', { ...study, workspace: root, outDir: path.join(root, 'x') });
    expect(both).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    const neither = await conn.send('study.run', study);
    expect(neither).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    const { jobId } = await conn.ok<{ jobId: string }>('study.run', { ...study, workspace: root });
    await conn.until(
      (jobs) => jobs.some((j) => j.id === jobId && j.status !== 'running' && j.status !== 'queued'),
      180_000,
    );
    const done = conn.jobs.find((j) => j.id === jobId && j.status === 'done');
    expect(done, JSON.stringify(conn.jobs.filter((j) => j.id === jobId).at(-1))).toBeDefined();
    const report = done?.result as { outDir: string; models: { role: string }[] };
    expect(report.models.map((m) => m.role)).toEqual(['baseline', 'fine-tuned', 'deepcorrect']);
    expect(path.dirname(report.outDir)).toBe(path.join(root, 'studies'));
    expect(existsSync(path.join(root, '.lock'))).toBe(false);

    const listed = await conn.ok<Opened>('workspace.open', { path: root });
    expect(listed.summary).toHaveLength(1);
    expect(listed.summary[0]).toMatchObject({ kind: 'study', status: 'complete' });
    expect(listed.summary[0]?.files).toBeGreaterThan(10);
    expect(path.join(root, listed.summary[0]?.path ?? '')).toBe(report.outDir);
    const checked = await conn.ok<WorkspaceCheck>('workspace.check', { path: root });
    expect(checked.problems).toEqual([]);
    expect(checked.ok).toBe(true);
    const refused = await conn.send('workspace.discard', { path: root, artefactId: listed.summary[0]?.id });
    expect(JSON.stringify(refused)).toMatch(/only interrupted ones are discarded/);
    const opened = await conn.ok<{ report: { models: unknown[] }; html?: string }>('study.open', {
      path: report.outDir,
    });
    expect(opened.report.models).toHaveLength(3);
    expect(opened.html).toMatch(/^<!doctype html>/i);
    // The views ask for the report alone (the page's first rendering takes seconds).
    const reportOnly = await conn.ok<{ report: unknown; html?: string }>('study.open', {
      path: report.outDir,
      html: false,
    });
    expect(reportOnly.report).toEqual(opened.report);
    expect(reportOnly.html).toBeUndefined();
    // The study's ranking opens as a ranking.
    const studyRanking = await conn.ok<{ ranking: { layers: { layer: string }[] } }>('rank.open', {
      path: path.join(report.outDir, 'ranking.json'),
    });
    expect(studyRanking.ranking.layers.map((l) => l.layer)).toEqual(['conv1']);
  }, 240_000);

  it('opens a saved ranking file and refuses a malformed one, naming the file and the field', async () => {
    const folder = path.join(dir, 'allowed', 'rankings');
    await mkdir(folder, { recursive: true });
    const ranking = {
      model: 'demo-cnn4',
      dataset: 'demo',
      method: 'proxy',
      kind: 'blur',
      levels: [1, 2],
      seed: 1,
      split: 'train',
      perClass: 2,
      rankingImages: 20,
      layers: [
        {
          layer: 'conv1',
          activation: 'conv1_relu',
          filters: 3,
          order: [2, 0, 1],
          proxy: [0.1, 0.2, 0.9],
          proxyOrder: [2, 1, 0],
          seconds: 0.5,
        },
      ],
      backend: 'cpu',
      seconds: 1,
    };
    const good = path.join(folder, 'good.json');
    await writeFile(good, JSON.stringify(ranking));
    const opened = await conn.ok<{ path: string; ranking: typeof ranking }>('rank.open', { path: good });
    expect(opened.path).toBe(good);
    expect(opened.ranking).toEqual(ranking);

    const bad = path.join(folder, 'bad.json');
    const broken = { ...ranking, layers: [{ ...ranking.layers[0], order: 'first' }] };
    await writeFile(bad, JSON.stringify(broken));
    const refused = await conn.send('rank.open', { path: bad });
    expect(refused).toMatchObject({ ok: false, error: { code: 'ranking-file' } });
    const message = JSON.stringify(refused);
    expect(message).toContain('bad.json');
    expect(message).toContain('layers[0].order');

    // The oracle experiment saved with a ranking (rank --experiment --out) comes back beside it, checked too.
    const experiment = {
      split: 'test',
      perClass: 2,
      images: 20,
      seed: 1,
      kind: 'blur',
      levels: [1, 2],
      clean: 0.9,
      baseline: [0.8, 0.5],
      baselineMeanLevels: 0.65,
      layers: [
        {
          layer: 'conv1',
          fractions: [{ fraction: 0.5, corrected: 1, accuracy: [0.85, 0.6], meanLevels: 0.725 }],
        },
      ],
      seconds: 2,
    };
    const withExperiment = path.join(folder, 'with-experiment.json');
    await writeFile(withExperiment, JSON.stringify({ ...ranking, experiment }));
    const both = await conn.ok<{ ranking: typeof ranking; experiment?: typeof experiment }>('rank.open', {
      path: withExperiment,
    });
    expect(both.ranking).toEqual(ranking);
    expect(both.experiment).toEqual(experiment);
    const badExperiment = path.join(folder, 'bad-experiment.json');
    const brokenExperiment = { ...experiment, layers: [{ layer: 'conv1', fractions: 'all' }] };
    await writeFile(badExperiment, JSON.stringify({ ...ranking, experiment: brokenExperiment }));
    expect(JSON.stringify(await conn.send('rank.open', { path: badExperiment }))).toMatch(
      /bad-experiment\.json.*experiment\.layers\[0\]\.fractions/,
    );

    await writeFile(path.join(folder, 'text.json'), 'not json');
    expect(JSON.stringify(await conn.send('rank.open', { path: path.join(folder, 'text.json') }))).toMatch(
      /text\.json: not JSON/,
    );
    expect(await conn.send('rank.open', { path: '/etc/passwd' })).toMatchObject({
      ok: false,
      error: { code: 'not-allowed' },
    });
  });

  it('refuses workspaces outside the allowed folders', async () => {
    for (const [name, input] of [
      ['workspace.open', { path: '/etc' }],
      ['workspace.open', { path: path.join(dir, 'elsewhere'), create: true }],
      ['workspace.check', { path: '/etc' }],
      ['workspace.discard', { path: '/etc', artefactId: 'x' }],
    ] as const) {
      expect(await conn.send(name, input)).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
    }
    expect(existsSync(path.join(dir, 'elsewhere'))).toBe(false);
    const notAWorkspace = await conn.send('workspace.open', { path: path.join(dir, 'allowed') });
    expect(notAWorkspace).toMatchObject({ ok: false, error: { code: 'workspace' } });
  });
});
