/**
 * The Models store against the real gate and engine host: the engine closes the least recently used model
 * past a few (issue 16), so the store must ask the engine whenever a folder is opened, never answer from its
 * own list with an id the engine may have closed.
 */
import { cpSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BridgeClient, type BridgeTransport } from '../../shared/bridge/client.ts';
import type { ServerMessage } from '../../shared/bridge/protocol.ts';
import { EngineClient } from '../../electron/gateway/engine-client.ts';
import { BridgeGate } from '../../electron/gateway/gate.ts';
import { nodeHostSpawner } from '../../electron/gateway/node-spawner.ts';
import { PathPolicy } from '../../electron/gateway/paths.ts';
import { MAX_OPEN_MODELS } from '../../electron/engine/session/models.ts';
import { demoModelDir } from '../../electron/engine/resources.ts';
import { BRIDGE } from '../../renderer/src/bridge/inject.ts';
import { useModels } from '../../renderer/src/stores/models.ts';
import { useToasts } from '../../renderer/src/stores/toasts.ts';

describe('the Models store over the real engine host', () => {
  let base: string;
  let engine: EngineClient;
  let store: ReturnType<typeof useModels>;
  let toasts: ReturnType<typeof useToasts>;

  beforeAll(() => {
    base = realpathSync.native(mkdtempSync(path.join(tmpdir(), 'dc-models-store-')));
    for (let i = 0; i <= MAX_OPEN_MODELS; i++)
      cpSync(demoModelDir(), path.join(base, `m${i}`), { recursive: true });
    const paths = new PathPolicy();
    paths.allowRead(base);
    const log = (): void => undefined;
    engine = new EngineClient(nodeHostSpawner({ log }), log);
    const gate = new BridgeGate({ engine, paths, mode: 'desktop', log });
    // What the preload and main do for the desktop app, without Electron in between.
    const listeners = new Set<(m: ServerMessage) => void>();
    const transport: BridgeTransport = {
      capabilities: { mode: 'desktop', dialogs: false },
      send: (message) => gate.handle(message, (m) => listeners.forEach((l) => l(m))),
      onMessage: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    const app = createApp({});
    app.provide(BRIDGE, new BridgeClient(transport));
    app.use(createPinia());
    store = app.runWithContext(() => useModels());
    // Where the store reports a refusal.
    toasts = app.runWithContext(() => useToasts());
  });
  afterAll(async () => {
    await engine?.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('opens a model again after the engine closed it to make room, under the id the engine gives', async () => {
    const first = await store.open(path.join(base, 'm0'));
    expect(first).toBeDefined();
    // Enough others that the engine closes m0, the least recently used.
    for (let i = 1; i <= MAX_OPEN_MODELS; i++)
      expect(await store.open(path.join(base, `m${i}`))).toBeDefined();
    const again = await store.open(path.join(base, 'm0'));
    expect(again?.modelId).toBe(first?.modelId);
    expect(store.selectedId).toBe(first?.modelId);
    // The engine has it open under that id again (the old store answered from its list, with a closed id).
    const { models } = (await engine.request('models.list', {})) as { models: { modelId: string }[] };
    expect(models.map((m) => m.modelId)).toContain(first?.modelId);
    expect(store.list.filter((m) => m.modelId === first?.modelId)).toHaveLength(1);
    expect(toasts.toasts).toEqual([]);
  });
});
