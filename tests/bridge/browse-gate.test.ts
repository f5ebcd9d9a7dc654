/**
 * The folder browser behind the real gate and engine host: the gate hands the engine its own allowed folders
 * (a client cannot widen them by sending others) and refuses a folder outside them, through a link too,
 * before the engine lists anything.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../shared/bridge/protocol.ts';
import type { BrowseListing } from '../../shared/folder-browse.ts';
import { EngineClient } from '../../electron/gateway/engine-client.ts';
import { BridgeGate } from '../../electron/gateway/gate.ts';
import { nodeHostSpawner } from '../../electron/gateway/node-spawner.ts';
import { PathPolicy } from '../../electron/gateway/paths.ts';

type Reply = Extract<ServerMessage, { kind: 'reply' }>;

describe('fs.browse through the gate', () => {
  let base: string;
  let allowed: string;
  let readOnly: string;
  let outside: string;
  let engine: EngineClient;
  let gate: BridgeGate;
  let nextId = 1;

  const request = (input: unknown): Promise<Reply> =>
    new Promise((resolve) =>
      gate.handle({ kind: 'request', id: nextId++, name: 'fs.browse', input }, (m) => {
        if (m.kind === 'reply') resolve(m);
      }),
    );
  const listing = (reply: Reply): BrowseListing => {
    if (!reply.ok) throw new Error(`refused: ${reply.error.message}`);
    return reply.output as BrowseListing;
  };

  beforeAll(() => {
    base = realpathSync.native(mkdtempSync(path.join(tmpdir(), 'dc-browse-gate-')));
    allowed = path.join(base, 'allowed');
    readOnly = path.join(base, 'read-only');
    outside = path.join(base, 'outside');
    mkdirSync(path.join(allowed, 'sub'), { recursive: true });
    mkdirSync(readOnly);
    mkdirSync(path.join(outside, 'private'), { recursive: true });
    symlinkSync(outside, path.join(allowed, 'link-out'));
    const paths = new PathPolicy();
    paths.allow(allowed);
    paths.allowRead(readOnly);
    const log = (): void => undefined;
    engine = new EngineClient(nodeHostSpawner({ log }), log);
    gate = new BridgeGate({ engine, paths, mode: 'browser', log });
  });
  afterAll(async () => {
    await engine?.close();
    rmSync(base, { recursive: true, force: true });
  });

  it("lists the gate's allowed folders, whatever roots the client sends", async () => {
    const top = listing(await request({ roots: [{ path: '/', access: 'write' }] }));
    expect(top.path).toBeNull();
    expect(top.entries.map((e) => [e.path, e.access])).toEqual([
      [allowed, 'write'],
      [readOnly, 'read'],
    ]);
    // Sending roots cannot open a folder outside either.
    const refused = await request({ path: outside, roots: [{ path: base, access: 'read' }] });
    expect(refused).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
  });

  it('refuses a folder outside the allowed folders, named directly or through a link', async () => {
    for (const p of [outside, path.join(allowed, 'link-out'), path.join(allowed, '..')]) {
      const reply = await request({ path: p });
      expect(reply, p).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
      if (!reply.ok) expect(reply.error.message).toContain('outside the folders this session may use');
    }
  });

  it('lists a folder inside, its link out shown as outside and not followed', async () => {
    const inside = listing(await request({ path: allowed }));
    expect(inside.path).toBe(allowed);
    expect(inside.parent).toBeUndefined();
    expect(inside.entries.map((e) => [e.name, e.kind])).toEqual([
      ['link-out', 'outside'],
      ['sub', 'folder'],
    ]);
    expect(JSON.stringify(inside)).not.toContain(outside);
    expect(listing(await request({ path: path.join(allowed, 'sub') })).parent).toBe(allowed);
  });
});
