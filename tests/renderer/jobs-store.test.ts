/**
 * The Jobs store over the real gate and engine host (issue 15): job records typed by their request, progress
 * kept apart from them so that what reads records is not recomputed on every progress tick, and a page that
 * loads later finds the jobs, their results and their last progress in jobs.list.
 */
import { createPinia } from 'pinia';
import { createApp, watch } from 'vue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BridgeClient, type BridgeTransport } from '../../shared/bridge/client.ts';
import type { ServerMessage } from '../../shared/bridge/protocol.ts';
import { EngineClient } from '../../electron/gateway/engine-client.ts';
import { BridgeGate } from '../../electron/gateway/gate.ts';
import { nodeHostSpawner } from '../../electron/gateway/node-spawner.ts';
import { PathPolicy } from '../../electron/gateway/paths.ts';
import { BRIDGE } from '../../renderer/src/bridge/inject.ts';
import { useJobs } from '../../renderer/src/stores/jobs.ts';

describe('the Jobs store over the real engine host', () => {
  let engine: EngineClient;
  let gate: BridgeGate;

  /** A page: its own bridge client (the desktop app's IPC path, without Electron) and store. */
  function page(): ReturnType<typeof useJobs> {
    const listeners = new Set<(m: ServerMessage) => void>();
    gate.onBroadcast((m) => listeners.forEach((l) => l(m)));
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
    return app.runWithContext(() => useJobs());
  }

  beforeAll(() => {
    const log = (): void => undefined;
    engine = new EngineClient(nodeHostSpawner({ log }), log);
    gate = new BridgeGate({ engine, paths: new PathPolicy(), mode: 'desktop', log });
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('recomputes the job list on status changes only, and keeps each tick as progress', async () => {
    const jobs = page();
    await jobs.start();
    let recomputed = 0;
    const stop = watch(
      () => jobs.all,
      () => recomputed++,
    );
    const ticks: number[] = [];
    const id = await jobs.startJob('demo.train', {
      trainPerClass: 30,
      testPerClass: 5,
      epochs: 3,
      seed: 1,
      spec: { kind: 'blur' },
      levels: [1],
    });
    expect(id).toBeDefined();
    const jobId = id as string;
    while (jobs.get(jobId)?.status !== 'done') {
      const fraction = jobs.progressOf(jobId)?.fraction;
      if (fraction !== undefined && fraction !== ticks.at(-1)) ticks.push(fraction);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    stop();
    // queued, running, done: at most one recomputation each (Vue may batch two into one).
    expect(recomputed).toBeGreaterThanOrEqual(1);
    expect(recomputed).toBeLessThanOrEqual(3);
    expect(ticks.length).toBeGreaterThan(3);
    expect(jobs.progressOf(jobId)?.fraction).toBe(1);

    // The typed selector: no cast between the store and the request's input and result.
    const done = jobs.latest('demo.train');
    expect(done?.id).toBe(jobId);
    expect(done?.input.epochs).toBe(3);
    expect(done?.result?.epochs).toHaveLength(3);
    expect(jobs.get(jobId, 'models.evaluate')).toBeUndefined();
    expect(jobs.history(jobId).length).toBeGreaterThan(0);
  });

  it('gives a page that loads later the jobs, their results and their last progress', async () => {
    const later = page();
    await later.start();
    const job = later.latest('demo.train');
    expect(job?.status).toBe('done');
    expect(job?.result?.rows.length).toBeGreaterThan(0);
    expect(later.progressOf(job?.id ?? '')?.fraction).toBe(1);
  });
});
