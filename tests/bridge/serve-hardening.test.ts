/**
 * Browser mode's server against the smaller findings of issue 16 (finding 7): the page cookie of one server
 * among several on 127.0.0.1, the page opened at localhost, the Host header (DNS rebinding), and a request
 * frame over the size limit. A real server, a real gate (with a fake engine), real sockets and WebSockets.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decodeFrame, encodeFrame } from '../../shared/bridge/codec.ts';
import { MAX_CLIENT_MESSAGE_BYTES, type ServerMessage } from '../../shared/bridge/protocol.ts';
import { MAX_FRAME_BYTES, startServer, type RunningServer } from '../../electron/serve/server.ts';
import { bridgeUrl } from '../../renderer/src/bridge/url.ts';
import { recordingGate, type EngineCall } from './recording-gate.ts';

let dir: string;
const servers: RunningServer[] = [];
const engineCalls: EngineCall[] = [];

/** A server with a gate whose engine answers every request, recording each one. */
async function serve(): Promise<RunningServer> {
  const { gate } = recordingGate(dir, { calls: engineCalls });
  const server = await startServer({ gate, rendererDir: path.join(dir, 'renderer'), log: () => undefined });
  servers.push(server);
  return server;
}

/** Sends one raw HTTP request over TCP and returns all the server answered until it closed (or 5 s). */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let answer = '';
    socket.setTimeout(5000, () => socket.destroy());
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

const statusOf = (answer: string): number => Number(/^HTTP\/1\.[01] (\d{3}) /.exec(answer)?.[1] ?? 0);

const upgradeHeaders =
  'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';

/** A WebSocket to a bridge URL; rejects with `HTTP <status>` when the upgrade is refused. */
function openSocket(url: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  // family 4: `localhost` must reach the server's 127.0.0.1, whatever order the resolver gives ::1 in.
  const ws = new WebSocket(url, { family: 4, ...options });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => {
      reject(new Error(`HTTP ${res.statusCode}`));
      ws.terminate();
    });
  });
}

/** The next reply (not a job event) the socket receives; fails if the socket closes first. */
function nextReply(ws: WebSocket): Promise<ServerMessage & { kind: 'reply' }> {
  return new Promise((resolve, reject) => {
    if (ws.readyState !== WebSocket.OPEN) return reject(new Error('the connection is closed'));
    const on = (data: Buffer): void => {
      const m = decodeFrame(new Uint8Array(data)) as ServerMessage;
      if (m.kind !== 'reply') return;
      ws.off('message', on);
      ws.off('close', closed);
      resolve(m);
    };
    const closed = (code: number): void => reject(new Error(`the connection closed (${code}) instead`));
    ws.on('message', on);
    ws.once('close', closed);
  });
}

async function ask(ws: WebSocket, id: number, name: string, input: unknown): Promise<ServerMessage> {
  const reply = nextReply(ws);
  ws.send(encodeFrame({ kind: 'request', id, name, input }));
  return reply;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dc-serve-hardening-'));
  await mkdir(path.join(dir, 'renderer', 'assets'), { recursive: true });
  await writeFile(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>DeepCorrect</title>');
  await writeFile(path.join(dir, 'renderer', 'assets', 'app.js'), 'export {};\n');
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('browser mode: several servers on 127.0.0.1', () => {
  it("gives each server its own page cookie, not its token: a second server breaks no tab and learns no server's token", async () => {
    const a = await serve();
    const b = await serve();
    // A browser's cookie jar for 127.0.0.1: cookies ignore ports, so every server gets every cookie.
    const jar = new Map<string, string>();
    const setCookies: string[] = [];
    const visit = async (url: string): Promise<Response> => {
      const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      const response = await fetch(url, { headers: cookie ? { cookie } : {} });
      for (const line of response.headers.getSetCookie()) {
        setCookies.push(line);
        const [pair = ''] = line.split(';');
        const at = pair.indexOf('=');
        jar.set(pair.slice(0, at), pair.slice(at + 1));
      }
      return response;
    };
    expect((await visit(a.url)).status).toBe(200);
    expect((await visit(b.url)).status).toBe(200);
    // A's tab loads its next asset after B was opened: it must still be let in.
    expect((await visit(`http://127.0.0.1:${a.port}/assets/app.js`)).status).toBe(200);
    expect((await visit(`http://127.0.0.1:${b.port}/assets/app.js`)).status).toBe(200);
    expect(jar.size).toBe(2);
    // Neither token is in any cookie, so neither server ever receives the other's bridge token.
    for (const line of setCookies) {
      expect(line).not.toContain(a.token);
      expect(line).not.toContain(b.token);
      expect(line).toMatch(/HttpOnly; SameSite=Strict; Path=\//);
    }
    // And one server's cookie opens only that server's files.
    const aCookie = [...jar].find(([k]) => k.endsWith(`_${a.port}`));
    expect(aCookie).toBeDefined();
    const foreign = await fetch(`http://127.0.0.1:${b.port}/assets/app.js`, {
      headers: { cookie: `${aCookie?.[0]}=${aCookie?.[1]}` },
    });
    expect(foreign.status).toBe(403);
  });

  it("lets the page's CSP connect to its own bridge, under 127.0.0.1 and localhost, and to no other port", async () => {
    const a = await serve();
    const page = await fetch(a.url);
    const csp = page.headers.get('content-security-policy') ?? '';
    const connectSrc = /connect-src ([^;]*)/.exec(csp)?.[1]?.split(' ') ?? [];
    expect(connectSrc.sort()).toEqual(
      ["'self'", `ws://127.0.0.1:${a.port}`, `ws://localhost:${a.port}`].sort(),
    );
  });
});

describe('browser mode: the page opened at localhost', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await serve();
  });

  it('serves the page at localhost:PORT and accepts its bridge at the URL the renderer builds', async () => {
    const page = await raw(
      server.port,
      `GET /?token=${server.token} HTTP/1.1\r\nHost: localhost:${server.port}\r\nConnection: close\r\n\r\n`,
    );
    expect(statusOf(page)).toBe(200);
    const url = bridgeUrl(
      { protocol: 'http:', host: `localhost:${server.port}`, search: `?token=${server.token}` },
      server.token,
    );
    expect(url).toBe(`ws://localhost:${server.port}/bridge?token=${encodeURIComponent(server.token)}`);
    const ws = await openSocket(url, { origin: `http://localhost:${server.port}` });
    expect(await ask(ws, 1, 'engine.info', {})).toMatchObject({ id: 1, ok: true });
    ws.close();
  });

  it('still accepts the page opened at 127.0.0.1, and a client that sends no Origin', async () => {
    const wsUrl = `ws://127.0.0.1:${server.port}/bridge?token=${server.token}`;
    const fromPage = await openSocket(wsUrl, { origin: `http://127.0.0.1:${server.port}` });
    expect(await ask(fromPage, 1, 'engine.info', {})).toMatchObject({ ok: true });
    fromPage.close();
    const program = await openSocket(wsUrl);
    expect(await ask(program, 2, 'engine.info', {})).toMatchObject({ ok: true });
    program.close();
  });

  it('refuses the bridge to every other origin', async () => {
    const wsUrl = `ws://127.0.0.1:${server.port}/bridge?token=${server.token}`;
    const others = [
      `http://127.0.0.1:${server.port + 1}`,
      `http://localhost:${server.port + 1}`,
      `https://127.0.0.1:${server.port}`,
      `https://localhost:${server.port}`,
      `http://localhost.evil.example:${server.port}`,
      `http://127.0.0.1.nip.io:${server.port}`,
      `http://[::1]:${server.port}`,
      `http://127.0.0.1`,
      `http://evil.example`,
      'null',
      `http://127.0.0.1:${server.port}/`,
    ];
    for (const origin of others)
      await expect(openSocket(wsUrl, { origin }), origin).rejects.toThrow('HTTP 403');
  });
});

describe('browser mode: the Host header', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await serve();
  });

  it('answers 421 to a page request naming another host (DNS rebinding), even with the token', async () => {
    const p = server.port;
    const get = (host: string | undefined, version = '1.1'): Promise<string> =>
      raw(
        p,
        `GET /?token=${server.token} HTTP/${version}\r\n${host === undefined ? '' : `Host: ${host}\r\n`}` +
          'Connection: close\r\n\r\n',
      );
    for (const host of [
      `evil.example:${p}`,
      'evil.example',
      `127.0.0.1:${p + 1}`,
      `localhost:${p + 1}`,
      '127.0.0.1',
      `127.0.0.2:${p}`,
      `[::1]:${p}`,
      `localhost.:${p}`,
      `0.0.0.0:${p}`,
    ]) {
      const answer = await get(host);
      expect(statusOf(answer), host).toBe(421);
      expect(answer).toContain('Misdirected');
    }
    // HTTP/1.0 may leave Host out (Node answers 400 to HTTP/1.1 without one); it is refused all the same.
    expect(statusOf(await get(undefined, '1.0'))).toBe(421);
    expect(statusOf(await get(undefined))).toBe(400);
    expect(statusOf(await get(`127.0.0.1:${p}`))).toBe(200);
    expect(statusOf(await get(`localhost:${p}`))).toBe(200);
    expect(statusOf(await get(`LocalHost:${p}`))).toBe(200);
  });

  it('refuses a bridge upgrade naming another host, with the token and a good Origin', async () => {
    const p = server.port;
    const upgrade = (host: string): Promise<string> =>
      raw(
        p,
        `GET /bridge?token=${server.token} HTTP/1.1\r\nHost: ${host}\r\n` +
          `Origin: http://127.0.0.1:${p}\r\n${upgradeHeaders}\r\n`,
      );
    for (const host of [`evil.example:${p}`, `127.0.0.1:${p + 1}`, 'localhost']) {
      const answer = await upgrade(host);
      expect(statusOf(answer), host).toBe(421);
    }
    const good = await openSocket(`ws://127.0.0.1:${p}/bridge?token=${server.token}`, {
      headers: { Host: `evil.example:${p}` },
    }).catch((e: Error) => e.message);
    expect(good).toBe('HTTP 421');
  });
});

describe('browser mode: request frames over the size limit', () => {
  let server: RunningServer;
  let ws: WebSocket;
  beforeAll(async () => {
    server = await serve();
    ws = await openSocket(`ws://127.0.0.1:${server.port}/bridge?token=${server.token}`);
  });
  afterAll(() => ws.close());

  /** An engine.info request whose frame is `bytes` long. */
  const padded = (id: number, bytes: number): Uint8Array => {
    const base = encodeFrame({ kind: 'request', id, name: 'engine.info', input: { pad: '' } }).length;
    const f = encodeFrame({
      kind: 'request',
      id,
      name: 'engine.info',
      input: { pad: 'x'.repeat(bytes - base) },
    });
    expect(f.length).toBe(bytes);
    return f;
  };

  it("answers a request a little over the limit with 'too-large' under its id, and keeps the connection", async () => {
    const before = engineCalls.length;
    const reply = nextReply(ws);
    ws.send(padded(41, MAX_CLIENT_MESSAGE_BYTES + 1000));
    expect(await reply).toMatchObject({ kind: 'reply', id: 41, ok: false, error: { code: 'too-large' } });
    expect(engineCalls.length).toBe(before);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect(await ask(ws, 42, 'engine.info', {})).toMatchObject({ id: 42, ok: true });
    // The largest frame the socket takes is refused the same way.
    const atCap = nextReply(ws);
    ws.send(padded(43, MAX_FRAME_BYTES));
    expect(await atCap).toMatchObject({ id: 43, error: { code: 'too-large' } });
    expect(await ask(ws, 44, 'engine.info', {})).toMatchObject({ id: 44, ok: true });
  });

  it('closes only a connection that sends past the hard cap (1009); the server and others live on', async () => {
    expect(MAX_FRAME_BYTES).toBeGreaterThan(MAX_CLIENT_MESSAGE_BYTES);
    expect(MAX_FRAME_BYTES).toBeLessThanOrEqual(2 * MAX_CLIENT_MESSAGE_BYTES);
    const big = await openSocket(`ws://127.0.0.1:${server.port}/bridge?token=${server.token}`);
    const closed = new Promise<number>((r) => big.once('close', (code) => r(code)));
    big.send(padded(1, MAX_FRAME_BYTES + 1));
    expect(await closed).toBe(1009);
    expect(await ask(ws, 45, 'engine.info', {})).toMatchObject({ id: 45, ok: true });
  });

  it('refuses a malformed frame under the id its header starts with', async () => {
    const ws = await openSocket(`ws://127.0.0.1:${server.port}/bridge?token=${server.token}`);
    // A `$bytes` index that is no blob's: the frame cannot be decoded, but its id can be read.
    const header = new TextEncoder().encode(
      '{"v":{"kind":"request","id":46,"name":"engine.info","input":{"a":{"$bytes":"length"}}},"b":[1]}',
    );
    const frame = new Uint8Array(4 + header.length + 1);
    new DataView(frame.buffer).setUint32(0, header.length, true);
    frame.set(header, 4);
    const reply = nextReply(ws);
    ws.send(frame);
    expect(await reply).toMatchObject({ id: 46, ok: false, error: { code: 'invalid-message' } });
    const text = nextReply(ws);
    ws.send('not a frame');
    expect(await text).toMatchObject({ id: -1, error: { code: 'invalid-message' } });
    ws.close();
  });
});
