/**
 * The gate in front of the real engine host (issue 16, findings 2, 6 and 7): the engine gets the real
 * location of every path field, checked for reading or writing, and every refusal carries the id of the
 * request it answers, over IPC's entry point and over a real WebSocket.
 */
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CONTRACT, type RequestName } from '../../shared/bridge/contract.ts';
import { decodeFrame, encodeFrame } from '../../shared/bridge/codec.ts';
import {
  MAX_CLIENT_MESSAGE_BYTES,
  MAX_INPUT_DEPTH,
  type ServerMessage,
} from '../../shared/bridge/protocol.ts';
import { PathSchema } from '../../shared/bridge/schemas.ts';
import { EngineClient } from '../../electron/gateway/engine-client.ts';
import { BridgeGate, pathFields } from '../../electron/gateway/gate.ts';
import { nodeHostSpawner } from '../../electron/gateway/node-spawner.ts';
import { PathPolicy } from '../../electron/gateway/paths.ts';
import { startServer, type RunningServer } from '../../electron/serve/server.ts';
import { demoDatasetDir } from '../../electron/engine/resources.ts';

type Reply = Extract<ServerMessage, { kind: 'reply' }>;

describe('the gate: canonical paths, read and write folders, refusal ids', () => {
  let base: string;
  let allowed: string;
  let readOnly: string;
  let outside: string;
  let engine: EngineClient;
  let gate: BridgeGate;
  const logs: string[] = [];

  const ask = (raw: unknown, size?: number): Promise<Reply> =>
    new Promise((resolve) => gate.handle(raw, (m) => m.kind === 'reply' && resolve(m), size));
  let nextId = 100;
  const request = (name: string, input: unknown): Promise<Reply> =>
    ask({ kind: 'request', id: nextId++, name, input });

  beforeAll(() => {
    base = realpathSync.native(mkdtempSync(path.join(tmpdir(), 'dc-gate-paths-')));
    allowed = path.join(base, 'allowed');
    readOnly = path.join(base, 'read-only');
    outside = path.join(base, 'outside');
    // A dataset outside, reachable from the allowed folder by a link and `..`; another inside.
    cpSync(demoDatasetDir(), outside, { recursive: true });
    mkdirSync(path.join(outside, 'inner'));
    cpSync(demoDatasetDir(), path.join(allowed, 'ds'), { recursive: true });
    mkdirSync(path.join(allowed, 'a', 'b', 'c'), { recursive: true });
    mkdirSync(readOnly);
    symlinkSync(path.join(outside, 'inner'), path.join(allowed, 'link-out'));
    symlinkSync('a/b/c', path.join(allowed, 'deep'));
    writeFileSync(path.join(readOnly, 'note.txt'), 'read me');
    const paths = new PathPolicy();
    paths.allow(allowed);
    paths.allowRead(readOnly);
    const log = (line: string): void => void logs.push(line);
    engine = new EngineClient(nodeHostSpawner({ log }), log);
    gate = new BridgeGate({ engine, paths, mode: 'browser', log });
  });
  afterAll(async () => {
    await engine?.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('refuses a link followed by .. that leads outside, before the engine opens it', async () => {
    // The OS takes <allowed>/link-out/.. to <outside>, which holds a dataset; lexically it is <allowed>.
    const reply = await request('dataset.open', { path: `${allowed}/link-out/..` });
    expect(reply).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
    if (!reply.ok) expect(reply.error.message).toContain(`it leads to ${outside}`);
  });

  it('hands the engine the real location it checked, not the string sent', async () => {
    // <allowed>/deep is a/b/c: three .. from it climb back to <allowed> for the OS (lexically, above base).
    const sent = `${allowed}/deep/../../../ds/`;
    const reply = await request('dataset.open', { path: sent });
    expect(reply).toMatchObject({ ok: true });
    const { summary } = (reply as Extract<Reply, { ok: true }>).output as { summary: { path: string } };
    expect(summary.path).toBe(path.join(allowed, 'ds'));
    const info = await request('dataset.open', { path: `${allowed}/./ds` });
    expect((info as { output: { summary: { path: string } } }).output.summary.path).toBe(
      path.join(allowed, 'ds'),
    );
  });

  it('checks output folders, workspaces written to and discards against the writable folders only', async () => {
    const write: [string, Record<string, unknown>][] = [
      ['workspace.open', { path: path.join(readOnly, 'ws'), create: true }],
      ['workspace.discard', { path: readOnly, artefactId: 'x' }],
      ['distort.write', { datasetId: 'ds-1', spec: { kind: 'noise', level: 1 }, seed: 1, outDir: readOnly }],
    ];
    for (const [name, input] of write) {
      const reply = await request(name, input);
      expect(reply, name).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
      if (!reply.ok) expect(reply.error.message).toContain('may only read');
    }
    // Reading the same folder reaches the engine (which finds no workspace there).
    const read = await request('workspace.open', { path: readOnly });
    expect(read).toMatchObject({ ok: false, error: { code: 'workspace' } });
    const check = await request('workspace.check', { path: readOnly });
    expect(check.ok ? 'ok' : check.error.code).not.toBe('not-allowed');
    // Inside the writable folder a workspace can be created.
    const created = await request('workspace.open', { path: path.join(allowed, 'ws'), create: true });
    expect(created).toMatchObject({ ok: true, output: { root: path.join(allowed, 'ws') } });
  });

  it('knows every path field of the contract, and which ones write', () => {
    const isPath = (s: z.ZodType): boolean =>
      s === PathSchema || (s instanceof z.ZodOptional && s.unwrap() === PathSchema);
    const inContract: string[] = [];
    const checked: string[] = [];
    for (const name of Object.keys(CONTRACT) as RequestName[]) {
      const shape = (CONTRACT[name].input as unknown as z.ZodObject).shape as Record<string, z.ZodType>;
      for (const [field, schema] of Object.entries(shape))
        if (isPath(schema)) inContract.push(`${name}.${field}`);
      for (const [field, access] of pathFields(name, { create: false }))
        checked.push(`${name}.${field}:${access}`);
    }
    expect(checked.map((f) => f.split(':')[0]).sort()).toEqual(inContract.sort());
    expect(checked.filter((f) => f.endsWith(':write')).sort()).toEqual(
      [
        'correct.train.outDir',
        'correct.train.workspace',
        'distort.write.outDir',
        'finetune.train.outDir',
        'finetune.train.workspace',
        'models.evaluate.workspace',
        'models.train.outDir',
        'models.train.workspace',
        'rank.experiment.workspace',
        'rank.filters.workspace',
        'study.run.outDir',
        'study.run.workspace',
        'workspace.discard.path',
      ].map((f) => `${f}:write`),
    );
    expect(pathFields('workspace.open', { create: true })).toEqual([['path', 'write']]);
  });

  it('answers every refusal with the id of the request that carried a usable one', async () => {
    const id = 41;
    const deep: Record<string, unknown> = {};
    let at = deep;
    for (let i = 0; i <= MAX_INPUT_DEPTH + 1; i++) at = at['x'] = {};
    const cases: [string, unknown, number | undefined, string][] = [
      [
        'a name that is no string',
        { kind: 'request', id, name: 42, input: {} },
        undefined,
        'invalid-message',
      ],
      ['no name', { kind: 'request', id, input: {} }, undefined, 'invalid-message'],
      [
        'an unknown name',
        { kind: 'request', id, name: 'model.delete', input: {} },
        undefined,
        'unknown-request',
      ],
      [
        'a bad input',
        { kind: 'request', id, name: 'engine.info', input: { x: 1 } },
        undefined,
        'invalid-input',
      ],
      ['too deep', { kind: 'request', id, name: 'engine.info', input: deep }, undefined, 'invalid-message'],
      ['a wrong kind', { kind: 'reply', id, name: 'engine.info', input: {} }, undefined, 'invalid-message'],
      [
        'too large',
        { kind: 'request', id, name: 'engine.info', input: {} },
        MAX_CLIENT_MESSAGE_BYTES + 1,
        'too-large',
      ],
      [
        'a path outside',
        { kind: 'request', id, name: 'rank.open', input: { path: '/etc/passwd' } },
        undefined,
        'not-allowed',
      ],
    ];
    for (const [what, raw, size, code] of cases) {
      expect(await ask(raw, size), what).toMatchObject({ id, ok: false, error: { code } });
    }
    // Ids that are no non-negative safe integer are no id to answer with.
    for (const bad of [-1, 1.5, '41', 2 ** 53, Number.NaN, null]) {
      expect(await ask({ kind: 'request', id: bad, name: 42 }), String(bad)).toMatchObject({
        id: -1,
        ok: false,
      });
    }
    expect(await ask([41])).toMatchObject({ id: -1, ok: false });
  });

  describe('over a real WebSocket', () => {
    let server: RunningServer;
    beforeAll(async () => {
      const renderer = path.join(base, 'renderer');
      mkdirSync(renderer);
      writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>DeepCorrect</title>');
      server = await startServer({ gate, rendererDir: renderer, log: () => undefined });
    });
    afterAll(async () => {
      await server?.close();
    });

    it('a client waiting on its id gets the refusal of a message with a bad name', async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/bridge?token=${server.token}`, {
        origin: `http://127.0.0.1:${server.port}`,
      });
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const reply = new Promise<ServerMessage>((resolve) =>
        ws.on('message', (data: Buffer) => resolve(decodeFrame(new Uint8Array(data)) as ServerMessage)),
      );
      ws.send(encodeFrame({ kind: 'request', id: 7, name: { not: 'a name' }, input: {} }));
      expect(await reply).toMatchObject({
        kind: 'reply',
        id: 7,
        ok: false,
        error: { code: 'invalid-message' },
      });
      ws.close();
    });
  });
});
