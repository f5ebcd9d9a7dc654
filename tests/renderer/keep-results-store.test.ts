/**
 * Issue 18 item 6 through the renderer's stores, the real gate and engine host: an evaluation, a ranking and an
 * oracle experiment started while a workspace is open are saved into it and listed there; after a restart (a
 * new engine host, new stores) each opens again from the workspace with the figures the job answered; with no
 * workspace, or one this session may only read, the job still runs and says it was not saved.
 */
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BridgeClient, type BridgeTransport } from '../../shared/bridge/client.ts';
import type { JobName, RequestOutput } from '../../shared/bridge/contract.ts';
import type { ServerMessage } from '../../shared/bridge/protocol.ts';
import { EngineClient } from '../../electron/gateway/engine-client.ts';
import { BridgeGate } from '../../electron/gateway/gate.ts';
import { nodeHostSpawner } from '../../electron/gateway/node-spawner.ts';
import { PathPolicy } from '../../electron/gateway/paths.ts';
import { demoModelDir } from '../../electron/engine/resources.ts';
import { initWorkspace } from '../../electron/engine/workspace/workspace.ts';
import { BRIDGE } from '../../renderer/src/bridge/inject.ts';
import { saveNote } from '../../renderer/src/lib/saved-results.ts';
import { useEvaluations } from '../../renderer/src/stores/evaluations.ts';
import { useJobs } from '../../renderer/src/stores/jobs.ts';
import { useModels } from '../../renderer/src/stores/models.ts';
import { useRankings } from '../../renderer/src/stores/rankings.ts';
import { useToasts } from '../../renderer/src/stores/toasts.ts';
import { useWorkspace } from '../../renderer/src/stores/workspace.ts';

/** One launch of the app: an engine host behind the gate, and the stores over it. */
function launch(paths: PathPolicy) {
  const log = (): void => undefined;
  const engine = new EngineClient(nodeHostSpawner({ log }), log);
  const gate = new BridgeGate({ engine, paths, mode: 'desktop', log });
  const listeners = new Set<(m: ServerMessage) => void>();
  // Job events reach every client, as the preload and the WebSocket pass them on.
  gate.onBroadcast((m) => listeners.forEach((l) => l(m)));
  const transport: BridgeTransport = {
    capabilities: { mode: 'desktop', dialogs: false },
    send: (message) => gate.handle(message, (m) => listeners.forEach((l) => l(m))),
    onMessage: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const client = new BridgeClient(transport);
  const app = createApp({});
  app.provide(BRIDGE, client);
  app.use(createPinia());
  const stores = app.runWithContext(() => ({
    jobs: useJobs(),
    workspace: useWorkspace(),
    models: useModels(),
    evaluations: useEvaluations(),
    rankings: useRankings(),
    toasts: useToasts(),
  }));
  /** Waits for a job the stores started, and returns its output. */
  const finish = async <N extends JobName>(id: string | undefined): Promise<RequestOutput<N>> => {
    if (id === undefined) throw new Error(`the job did not start: ${JSON.stringify(stores.toasts.toasts)}`);
    return client.waitForJob<N>(id);
  };
  return { engine, client, finish, ...stores };
}

const evaluationOf = (modelId: string, datasetId: string) => ({
  modelId,
  datasetId,
  split: 'test' as const,
  perClass: 2,
  spec: { kind: 'blur' as const },
  levels: [1, 2],
  seed: 0,
});

describe('results kept in the open workspace, through the stores', () => {
  let base: string;
  let ws: string;
  let readOnly: string;
  const paths = new PathPolicy();
  const engines: EngineClient[] = [];

  beforeAll(async () => {
    base = realpathSync.native(mkdtempSync(path.join(tmpdir(), 'dc-keep-store-')));
    ws = path.join(base, 'work', 'ws');
    mkdirSync(path.join(base, 'work'));
    cpSync(demoModelDir(), path.join(base, 'work', 'model'), { recursive: true });
    readOnly = path.join(base, 'shared-ws');
    await initWorkspace(readOnly, { name: 'read only here' });
    paths.allow(path.join(base, 'work'));
    paths.allowRead(readOnly);
  });
  afterAll(async () => {
    for (const e of engines) await e.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('saves, lists and reopens after a restart; says where results went', async () => {
    const first = launch(paths);
    engines.push(first.engine);
    await first.jobs.start();
    expect(await first.workspace.create(ws, 'kept')).toBe(true);
    const model = await first.models.open(path.join(base, 'work', 'model'));
    const { datasetId } = await first.client.request('dataset.open', {});
    const modelId = model?.modelId ?? '';
    const layer = model?.summary.convLayers[0]?.name ?? '';

    const evalId = await first.evaluations.evaluate(evaluationOf(modelId, datasetId));
    const evaluated = await first.finish<'models.evaluate'>(evalId);
    const rankId = await first.rankings.rank({
      modelId,
      datasetId,
      layers: [layer],
      spec: { kind: 'blur' },
      levels: [1, 2],
      seed: 0,
      perClass: 2,
      method: 'proxy',
      stability: false,
    });
    const ranked = await first.finish<'rank.filters'>(rankId);
    const experimentId = await first.rankings.experiment({
      modelId,
      datasetId,
      spec: { kind: 'blur' },
      levels: [2],
      seed: 0,
      orders: { [layer]: ranked.layers[0]?.order ?? [] },
      fractions: [0.5],
      evalPerClass: 2,
    });
    const experiment = await first.finish<'rank.experiment'>(experimentId);
    const job = first.jobs.get(evalId ?? '');
    expect(job === undefined ? undefined : saveNote(job)).toEqual({
      tone: 'saved',
      text: `Saved to kept as “model (cnn4) under gaussian blur” (${evaluated.saved?.path})`,
    });

    // Workspace -> Reload lists what was run.
    await first.workspace.refresh();
    const listed = first.workspace.current?.summary.filter((a) => a.kind !== 'dataset' && a.kind !== 'model');
    expect(listed?.map((a) => [a.kind, a.status, a.files])).toEqual([
      ['evaluation', 'complete', 1],
      ['ranking', 'complete', 1],
      ['experiment', 'complete', 1],
    ]);
    await first.engine.close();

    // A restart: another engine host, new stores; nothing is open until the workspace is.
    const second = launch(paths);
    engines.push(second.engine);
    await second.jobs.start();
    expect(second.evaluations.finished).toEqual([]);
    expect(await second.workspace.open(ws)).toBe(true);
    const at = (kind: string): string =>
      second.workspace.location(second.workspace.current?.summary.find((a) => a.kind === kind)?.path ?? '');
    const reopened = await second.evaluations.openSaved(at('evaluation'));
    const { saved: _saved, ...figures } = evaluated;
    expect(reopened?.result).toEqual(figures);
    expect(second.evaluations.finished).toHaveLength(1);
    // Its model folder lies outside the workspace (recorded by name only): shown under the name it was saved with.
    expect(reopened?.label).toBe('model (cnn4)');
    const opened = await second.rankings.openSavedExperiment(at('experiment'));
    const { saved: _s, ...experimentFigures } = experiment;
    expect(opened?.run.result).toEqual(experimentFigures);
    expect(second.rankings.latestExperimentFor(opened?.modelId ?? '')?.result).toEqual(experimentFigures);
    expect(second.toasts.toasts).toEqual([]);

    // Opened twice, an evaluation is listed once.
    await second.evaluations.openSaved(at('evaluation'));
    expect(second.evaluations.finished).toHaveLength(1);
  });

  it('runs unsaved, and says so, with no workspace open or one this session may only read', async () => {
    const app = launch(paths);
    engines.push(app.engine);
    await app.jobs.start();
    const model = await app.models.open(path.join(base, 'work', 'model'));
    const { datasetId } = await app.client.request('dataset.open', {});
    const id = await app.evaluations.evaluate(evaluationOf(model?.modelId ?? '', datasetId));
    expect((await app.finish<'models.evaluate'>(id)).saved).toBeUndefined();
    const job = app.jobs.get(id ?? '');
    expect(job === undefined ? undefined : saveNote(job)).toEqual({
      tone: 'unsaved',
      text: 'Not saved: no workspace was open (kept in this session only)',
    });

    expect(await app.workspace.open(readOnly)).toBe(true);
    const again = await app.evaluations.evaluate(evaluationOf(model?.modelId ?? '', datasetId));
    expect((await app.finish<'models.evaluate'>(again)).saved).toBeUndefined();
    expect(app.toasts.toasts.map((t) => t.text)).toEqual([
      expect.stringMatching(/^Not saved: this session may only read the workspace .*shared-ws/),
    ]);
    await app.workspace.refresh();
    expect(app.workspace.current?.summary).toEqual([]);
  });
});
