/**
 * Browser mode end to end below the UI: the real server, gate, engine host process and engine, driven over a
 * real WebSocket with the bridge's frames.
 */
import { connect } from 'node:net';
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from './connection.ts';
import type { JobInfo, RequestOutput } from '../../shared/bridge/contract.ts';
import { encodeFrame } from '../../shared/bridge/codec.ts';
import { EngineClient } from '../../electron/gateway/engine-client.ts';
import { BridgeGate } from '../../electron/gateway/gate.ts';
import { nodeHostSpawner } from '../../electron/gateway/node-spawner.ts';
import { PathPolicy } from '../../electron/gateway/paths.ts';
import { startServer, type RunningServer } from '../../electron/serve/server.ts';
import { demoDatasetDir } from '../../electron/engine/resources.ts';

describe('browser mode: server, gate and engine host', () => {
  let dir: string;
  let server: RunningServer;
  let engine: EngineClient;
  const logs: string[] = [];
  let conn: Connection;
  let wsUrl: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dc-serve-'));
    const rendererDir = path.join(dir, 'renderer');
    await mkdir(rendererDir);
    await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>DeepCorrect</title>');
    await mkdir(path.join(dir, 'allowed'));
    const paths = new PathPolicy();
    paths.allow(demoDatasetDir());
    paths.allow(path.join(dir, 'allowed'));
    const log = (l: string): void => void logs.push(l);
    engine = new EngineClient(nodeHostSpawner({ log }), log);
    server = await startServer({
      gate: new BridgeGate({ engine, paths, mode: 'browser', log }),
      rendererDir,
      log,
    });
    wsUrl = `ws://127.0.0.1:${server.port}/bridge?token=${server.token}`;
    conn = await Connection.open(wsUrl, `http://127.0.0.1:${server.port}`);
  });
  afterAll(async () => {
    conn.ws.close();
    await server.close();
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the page only with the token, with a strict CSP', async () => {
    const base = `http://127.0.0.1:${server.port}`;
    const without = await fetch(`${base}/`);
    expect(without.status).toBe(403);
    expect(await without.text()).toContain('wrong token');
    const wrong = await fetch(`${base}/?token=nope`);
    expect(wrong.status).toBe(403);
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const cookie = page.headers.get('set-cookie')?.split(';')[0] ?? '';
    const asset = await fetch(`${base}/index.html`, { headers: { cookie } });
    expect(asset.status).toBe(200);
    const traversal = await fetch(`${base}/..%2f..%2fpackage.json`, { headers: { cookie } });
    expect(traversal.status).toBe(404);
  });

  it('refuses bridge connections without the token or from another origin', async () => {
    await expect(Connection.open(`ws://127.0.0.1:${server.port}/bridge`)).rejects.toThrow('403');
    await expect(Connection.open(`ws://127.0.0.1:${server.port}/bridge?token=x`)).rejects.toThrow('403');
    await expect(Connection.open(wsUrl, 'http://evil.example')).rejects.toThrow('403');
  });

  it('answers a request target that is no URL with 400, as a page and as an upgrade, and stays up', async () => {
    const raw = (request: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const socket = connect(server.port, '127.0.0.1', () => socket.write(request));
        socket.setTimeout(10_000, () => socket.destroy());
        let answer = '';
        socket.on('data', (chunk) => (answer += chunk.toString()));
        socket.on('close', () => resolve(answer));
        socket.on('error', reject);
      });
    const page = await raw('GET /// HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    expect(page).toMatch(/^HTTP\/1\.1 400 /);
    const upgrade = await raw(
      'GET /// HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    expect(upgrade).toMatch(/^HTTP\/1\.1 400 /);
    expect((await fetch(server.url)).status).toBe(200);
  });

  it('answers a renderer file too large to read with 500, and stays up', async () => {
    // Sparse: 2.1 GiB past Node's readFile limit, without using the disk.
    const huge = path.join(dir, 'renderer', 'huge.bin');
    await writeFile(huge, '');
    await truncate(huge, Math.round(2.1 * 2 ** 30));
    const page = await fetch(server.url);
    const cookie = page.headers.get('set-cookie')?.split(';')[0] ?? '';
    const answer = await fetch(`http://127.0.0.1:${server.port}/huge.bin`, { headers: { cookie } });
    expect(answer.status).toBe(500);
    expect((await fetch(server.url)).status).toBe(200);
  });

  it('answers engine requests: info, the demo dataset, images as bytes, a seeded distorted sample', async () => {
    const info = await conn.ok<{ backend: { name: string }; mode: string }>('engine.info', {});
    expect(info.backend.name).toBe('wasm');
    expect(info.mode).toBe('browser');
    const { datasetId, summary } = await conn.ok<{ datasetId: string; summary: { classes: string[] } }>(
      'dataset.open',
      {},
    );
    expect(summary.classes[9]).toBe('Ankle boot');
    const images = await conn.ok<{ n: number; pixels: Uint8Array; labels: number[] }>('dataset.images', {
      datasetId,
      split: 'train',
      indices: [0, 5, 9999],
    });
    expect(images.n).toBe(3);
    expect(images.pixels).toBeInstanceOf(Uint8Array);
    expect(images.pixels.length).toBe(3 * 784);
    const sample = (level: number) =>
      conn.ok<{ clean: { pixels: Uint8Array }; distorted: { pixels: Uint8Array } }>('distort.sample', {
        datasetId,
        split: 'test',
        index: 7,
        spec: { kind: 'noise', level },
        seed: 3,
      });
    const a = await sample(20);
    const b = await sample(20);
    expect(a.distorted.pixels).toEqual(b.distorted.pixels);
    expect(a.distorted.pixels).not.toEqual(a.clean.pixels);
    expect((await sample(0)).distorted.pixels).toEqual(a.clean.pixels);
  });

  it('refuses bad requests with a code and a message, and stays up', async () => {
    const unknown = await conn.send('model.delete', {});
    expect(unknown).toMatchObject({ ok: false, error: { code: 'unknown-request' } });
    const invalid = await conn.send('dataset.images', { datasetId: 'ds-1', split: 'train', indices: [-1] });
    expect(invalid).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    const extra = await conn.send('engine.info', { sneaky: true });
    expect(extra).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    const outside = await conn.send('dataset.open', { path: '/etc' });
    expect(outside).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
    const missing = await conn.send('dataset.open', { path: path.join(dir, 'allowed') });
    expect(missing).toMatchObject({ ok: false, error: { code: 'dataset' } });
    conn.ws.send(Buffer.from([1, 2, 3]));
    conn.ws.send('not a frame');
    await new Promise((r) => setTimeout(r, 200));
    expect(
      conn.orphans.filter((m) => m.kind === 'reply' && !m.ok && m.error.code === 'invalid-message'),
    ).toHaveLength(2);
    // An oversized message closes that connection (1009); the server and others live on.
    const big = await Connection.open(wsUrl);
    const closed = new Promise<number>((r) => big.ws.once('close', (code) => r(code)));
    big.ws.send(
      encodeFrame({ kind: 'request', id: 1, name: 'engine.info', input: { pad: 'x'.repeat(300_000) } }),
    );
    expect(await closed).toBe(1009);
    expect((await conn.ok<{ backend: unknown }>('engine.info', {})).backend).toBeDefined();
    expect(logs.some((l) => l.includes('unknown-request'))).toBe(true);
  });

  it('opens the demo model, evaluates it and trains a new one into an allowed folder', async () => {
    const { datasetId } = await conn.ok<{ datasetId: string }>('dataset.open', {});
    const opened = await conn.ok<{
      modelId: string;
      metadata: { arch: string };
      summary: { convLayers: unknown[] };
    }>('models.open', {});
    expect(opened.metadata.arch).toBe('cnn4');
    expect(opened.summary.convLayers).toHaveLength(4);
    const evaluation = await conn.ok<{ jobId: string }>('models.evaluate', {
      modelId: opened.modelId,
      datasetId,
      split: 'test',
      perClass: 5,
      spec: { kind: 'blur' },
      levels: [3],
      seed: 1,
    });
    await conn.until((jobs) => jobs.some((j) => j.id === evaluation.jobId && j.status === 'done'));
    const result = conn.jobs.find((j) => j.id === evaluation.jobId && j.status === 'done')?.result as {
      images: number;
      conditions: { top1: number }[];
    };
    expect(result.images).toBe(50);
    expect(result.conditions[0]?.top1).toBeGreaterThan(result.conditions[1]?.top1 ?? 1);
    const ranking = await conn.ok<{ jobId: string }>('rank.filters', {
      modelId: opened.modelId,
      datasetId,
      layers: ['conv1'],
      spec: { kind: 'blur' },
      levels: [2, 3],
      seed: 1,
      perClass: 2,
      method: 'proxy',
    });
    await conn.until((jobs) => jobs.some((j) => j.id === ranking.jobId && j.status === 'done'));
    const ranked = conn.jobs.find((j) => j.id === ranking.jobId && j.status === 'done')?.result as {
      layers: { layer: string; order: number[] }[];
    };
    expect(ranked.layers[0]?.layer).toBe('conv1');
    expect([...(ranked.layers[0]?.order ?? [])].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 32 }, (_, i) => i),
    );
    const outDir = path.join(dir, 'allowed', 'tiny-model');
    const tiny = {
      datasetId,
      arch: 'cnn4',
      epochs: 1,
      batchSize: 32,
      seed: 1,
      optimizer: { kind: 'adam', learningRate: 0.001 },
      schedule: { kind: 'constant' },
      augment: { flip: false, shift: 0 },
      validationFraction: 0.2,
      trainPerClass: 4,
    };
    const training = await conn.ok<{ jobId: string }>('models.train', { ...tiny, outDir });
    await conn.until((jobs) => jobs.some((j) => j.id === training.jobId && j.status === 'done'));
    expect(
      (await conn.ok<{ metadata: { arch: string } }>('models.open', { path: outDir })).metadata.arch,
    ).toBe('cnn4');
    const outside = await conn.send('models.train', { ...tiny, outDir: '/tmp/not-allowed-model' });
    expect(outside).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
  });

  it('runs a DeepCorrect study, trains units and fine-tunes, and inspects activations', async () => {
    const { datasetId } = await conn.ok<{ datasetId: string }>('dataset.open', {});
    const { modelId } = await conn.ok<{ modelId: string }>('models.open', {});
    const small = {
      datasetId,
      modelId,
      spec: { kind: 'blur' },
      levels: [2, 3],
      epochs: 1,
      batchSize: 32,
      seed: 1,
      trainPerClass: 6,
      validationFraction: 0.3,
    };
    const adam = { kind: 'adam', learningRate: 0.001 };
    const outDir = path.join(dir, 'allowed', 'study');
    const study = {
      ...small,
      layers: ['conv1'],
      beta: 0.25,
      rankMethod: 'proxy',
      rankPerClass: 2,
      fineTuneLayers: 'first:1',
      unitOptimizer: adam,
      fineTuneOptimizer: adam,
      testPerClass: 5,
      outDir,
    };
    const refused = await conn.send('study.run', { ...study, outDir: '/tmp/not-allowed-study' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
    const { jobId } = await conn.ok<{ jobId: string }>('study.run', study);
    await conn.until((jobs) =>
      jobs.some((j) => j.id === jobId && j.status !== 'running' && j.status !== 'queued'),
    );
    const done = conn.jobs.find((j) => j.id === jobId && j.status === 'done');
    expect(done, JSON.stringify(conn.jobs.filter((j) => j.id === jobId).at(-1))).toBeDefined();
    const report = done?.result as {
      models: { role: string; top1: number[]; trainableParameters: number }[];
    };
    expect(report.models.map((m) => m.role)).toEqual(['baseline', 'fine-tuned', 'deepcorrect']);
    expect(report.models[1]?.trainableParameters).toBe(320); // conv1 of cnn4 alone: 3x3x1x32 + 32

    const corrected = await conn.ok<{ modelId: string }>('models.open', {
      path: path.join(outDir, 'deepcorrect'),
    });
    const maps = await conn.ok<{
      filters: number[];
      height: number;
      width: number;
      clean: Uint8Array;
      corrected: Uint8Array;
      correctedSource: string;
      stats: unknown[];
      distortedImage: { pixels: Uint8Array };
    }>('inspect.activations', {
      modelId,
      correctedModelId: corrected.modelId,
      datasetId,
      split: 'test',
      index: 3,
      layer: 'conv1',
      spec: { kind: 'blur', level: 2 },
      seed: 1,
    });
    expect(maps.filters).toHaveLength(32);
    expect(maps.correctedSource).toBe('unit');
    expect(maps.clean.byteLength).toBe(32 * 28 * 28 * 4);
    expect(maps.corrected.byteLength).toBe(32 * 28 * 28 * 4);
    expect(maps.distortedImage.pixels.byteLength).toBe(28 * 28);
    const notConv = await conn.send('inspect.activations', {
      modelId,
      datasetId,
      split: 'test',
      index: 3,
      layer: 'fc1',
      spec: { kind: 'blur', level: 2 },
      seed: 1,
    });
    expect(notConv).toMatchObject({ ok: false });
    expect(JSON.stringify(notConv)).toMatch(/not a conv layer/);

    const units = await conn.ok<{ jobId: string }>('correct.train', {
      ...small,
      layers: ['conv2'],
      beta: 0.5,
      orders: { conv2: Array.from({ length: 32 }, (_, i) => 31 - i) },
      optimizer: adam,
      outDir: path.join(dir, 'allowed', 'units'),
    });
    const tuned = await conn.ok<{ jobId: string }>('finetune.train', {
      ...small,
      layers: 'all',
      optimizer: adam,
      outDir: path.join(dir, 'allowed', 'tuned'),
    });
    await conn.until((jobs) =>
      [units.jobId, tuned.jobId].every((id) => jobs.some((j) => j.id === id && j.status === 'done')),
    );
    const resultOf = (id: string): RequestOutput<'correct.train'> | undefined => {
      const job = conn.jobs.find((j) => j.id === id && j.status === 'done');
      return job?.name === 'correct.train' || job?.name === 'finetune.train' ? job.result : undefined;
    };
    const provenance = resultOf(units.jobId)?.metadata.provenance as {
      correction: { plan: { filters: number[] }[] };
    };
    expect(provenance.correction.plan[0]?.filters).toEqual(Array.from({ length: 16 }, (_, i) => 31 - i));
    expect(resultOf(tuned.jobId)?.trainableParameters).toBe(467_818);
  });

  it('runs a job with progress and cancels it within a second', async () => {
    const { jobId } = await conn.ok<{ jobId: string }>('demo.train', {
      trainPerClass: 200,
      testPerClass: 20,
      epochs: 5,
      seed: 1,
      spec: { kind: 'blur' },
      levels: [1, 2],
    });
    await conn.until(() => (conn.progress.get(jobId)?.fraction ?? 0) > 0.02);
    const asked = Date.now();
    expect(await conn.ok<{ cancelled: boolean }>('jobs.cancel', { jobId })).toEqual({ cancelled: true });
    await conn.until((jobs) => jobs.some((j) => j.id === jobId && j.status === 'cancelled'), 5000);
    expect(Date.now() - asked).toBeLessThan(1000);
    const { jobs } = await conn.ok<{ jobs: JobInfo[] }>('jobs.list', {});
    expect(jobs.find((j) => j.id === jobId)?.status).toBe('cancelled');
  });

  it('a killed engine host fails its job with a message, restarts, and answers again', async () => {
    const { jobId } = await conn.ok<{ jobId: string }>('demo.train', {
      trainPerClass: 200,
      testPerClass: 20,
      epochs: 5,
      seed: 1,
      spec: { kind: 'blur' },
      levels: [1],
    });
    await conn.until((jobs) => jobs.some((j) => j.id === jobId && j.status === 'running'));
    process.kill(engine.hostPid as number, 'SIGKILL');
    await conn.until((jobs) => jobs.some((j) => j.id === jobId && j.status === 'failed'), 10_000);
    const failed = conn.jobs.filter((j) => j.id === jobId).at(-1);
    expect(failed?.errorCode).toBe('host-crashed');
    expect(failed?.input).toMatchObject({ trainPerClass: 200, levels: [1] });
    expect(failed?.error).toMatch(/engine stopped \(killed by SIGKILL\).*run the job again/);
    const info = await conn.ok<{ backend: { name: string } }>('engine.info', {});
    expect(info.backend.name).toBe('wasm');
  });
});
