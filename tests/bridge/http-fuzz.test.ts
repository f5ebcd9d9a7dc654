/**
 * Property-based fuzzing of browser mode's HTTP server (issue 16): random request lines and headers sent over
 * raw TCP, so targets no HTTP client would send (`///`, bare `%`, absolute forms, raw bytes) reach the server.
 * For every request: the process survives (no uncaught error), the answer's status is one of those expected,
 * a page (200) or a bridge (101) only for a request with the token (or the page cookie), a Host naming this
 * server and a method that reads; a 421 only for another Host; never a 500, since every file here is readable.
 * Afterwards a normal request still works. A failure prints fast-check's seed and path; pass them to
 * fc.assert (`{ seed, path, endOnFailure: true }`) to replay it.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineClient } from '../../electron/gateway/engine-client.ts';
import { BridgeGate } from '../../electron/gateway/gate.ts';
import { PathPolicy } from '../../electron/gateway/paths.ts';
import { startServer, type RunningServer } from '../../electron/serve/server.ts';

let dir: string;
let server: RunningServer;
let cookie: string;
const logs: string[] = [];
const uncaught: unknown[] = [];
const onUncaught = (error: unknown): void => void uncaught.push(error);

/** The status of the first answer on a raw connection, or 0 when none came within 3 s. */
function send(request: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(server.port, '127.0.0.1', () => socket.write(request));
    let answer = '';
    const done = (): void => {
      socket.destroy();
      resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? 0));
    };
    socket.setTimeout(3000, done);
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n')) done();
    });
    socket.on('close', done);
    socket.on('error', done);
  });
}

const EXPECTED = [101, 200, 400, 403, 404, 405, 421, 431];

/** One of the values, the first (the one that gets a request furthest in) as likely as all the others. */
function mostly<T>(first: T, ...others: T[]): fc.Arbitrary<T> {
  return fc.oneof(
    { weight: others.length, arbitrary: fc.constant(first) },
    ...others.map((o) => ({ weight: 1, arbitrary: fc.constant(o) })),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dc-http-fuzz-'));
  const renderer = path.join(dir, 'renderer');
  await mkdir(path.join(renderer, 'assets'), { recursive: true });
  await writeFile(path.join(renderer, 'index.html'), '<!doctype html><title>DeepCorrect</title>');
  await writeFile(path.join(renderer, 'assets', 'app.js'), 'export {};\n');
  await writeFile(path.join(renderer, 'assets', 'ü b.css'), 'body {}\n');
  // The gate uses only these members of the engine client; the cast stands in for a host process.
  const engine = {
    request: () => Promise.resolve({}),
    jobList: () => [],
    jobProgress: () => ({}),
    onJob: () => () => undefined,
    onProgress: () => () => undefined,
  } as unknown as EngineClient;
  const paths = new PathPolicy();
  paths.allow(dir);
  const log = (line: string): void => void logs.push(line);
  server = await startServer({
    gate: new BridgeGate({ engine, paths, mode: 'browser', log }),
    rendererDir: renderer,
    log,
  });
  const page = await fetch(server.url);
  cookie = page.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  expect(cookie).toMatch(/=/);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
});
afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('fuzz: the browser-mode HTTP server', () => {
  it('answers random request targets and headers with an expected status, and stays up', async () => {
    const port = (): number => server.port;
    const segment = fc.oneof(
      fc.constantFrom(
        '',
        '.',
        '..',
        '%2e%2e',
        '%2E.',
        '%2f',
        '%5c',
        '%00',
        '%',
        '%zz',
        '%c0%ae',
        '%ff',
        'index.html',
        'assets',
        'app.js',
        '%C3%BC%20b.css',
        'bridge',
        '\\',
        ';',
        '@',
        ':',
        '~',
        'ü',
        '\u00ff',
        '?',
        '#',
        ' ',
      ),
      fc.string({ maxLength: 6 }),
    );
    const query = fc.oneof(
      fc.constant(''),
      mostly('good', 'bad', 'empty', 'twice').map((k) => ({ k })),
      fc.string({ maxLength: 8 }).map((q) => `?${q}`),
    );
    const target = fc.oneof(
      { weight: 6, arbitrary: fc.tuple(fc.array(segment, { maxLength: 4 }), query) },
      { weight: 2, arbitrary: fc.tuple(fc.constant(['bridge']), query) },
      { weight: 1, arbitrary: fc.constantFrom('*', '', '///', '//evil.example/', 'http://evil.example/x') },
      { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
    );
    const host = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('127', 'local', 'LOCAL') },
      { weight: 3, arbitrary: fc.constantFrom('none', 'evil', 'evil-port', 'bare', 'other-port', 'empty') },
      { weight: 1, arbitrary: fc.constantFrom('good-then-evil', 'evil-then-good') },
      { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map((h) => `raw:${h}`) },
    );
    const headerName = fc
      .stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,12}$/)
      .filter((n) => n.toLowerCase() !== 'host');
    const request = fc.record({
      method: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom('GET', 'HEAD') },
        {
          weight: 1,
          arbitrary: fc.constantFrom('POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'get', 'FOO', ''),
        },
      ),
      version: mostly('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/1.1x', ''),
      target,
      host,
      cookie: mostly('good', 'none', 'wrong', 'other-port'),
      upgrade: fc.boolean(),
      origin: fc.constantFrom(undefined, 'self', 'localhost', 'evil', 'null'),
      headers: fc.array(fc.tuple(headerName, fc.string({ maxLength: 16 })), { maxLength: 3 }),
      huge: mostly(false, true, false, false, false, false, false, false, false, false),
    });
    type Req = typeof request extends fc.Arbitrary<infer T> ? T : never;

    const build = (r: Req): { text: string; carriesToken: boolean; hostOk: boolean | undefined } => {
      const p = port();
      let t: string;
      if (typeof r.target === 'string') t = r.target;
      else {
        const [segments, q] = r.target;
        const qs =
          typeof q === 'string'
            ? q
            : {
                good: `?token=${server.token}`,
                bad: '?token=nope',
                empty: '?token=',
                twice: `?token=x&token=${server.token}`,
              }[q.k];
        t = `/${segments.join('/')}${qs}`;
      }
      const hostLines: Record<string, string[]> = {
        '127': [`127.0.0.1:${p}`],
        local: [`localhost:${p}`],
        LOCAL: [`LOCALHOST:${p}`],
        none: [],
        evil: ['evil.example'],
        'evil-port': [`evil.example:${p}`],
        bare: ['127.0.0.1'],
        'other-port': [`127.0.0.1:${p + 1}`],
        empty: [''],
        'good-then-evil': [`127.0.0.1:${p}`, 'evil.example'],
        'evil-then-good': ['evil.example', `127.0.0.1:${p}`],
      };
      const hosts = r.host.startsWith('raw:') ? [r.host.slice(4)] : (hostLines[r.host] ?? []);
      // Whether the Host the server sees names it; undefined where a raw string makes that unclear.
      const hostOk = r.host.startsWith('raw:')
        ? undefined
        : ['127', 'local', 'LOCAL', 'good-then-evil'].includes(r.host);
      const lines = [`${r.method} ${t} ${r.version}`.trimEnd()];
      for (const h of hosts) lines.push(`Host: ${h}`);
      const cookies: Record<string, string | undefined> = {
        none: undefined,
        good: cookie,
        wrong: cookie.replace(/=.*/, '=wrong'),
        'other-port': cookie.replace(/_\d+=/, `_${p + 1}=`),
      };
      const c = cookies[r.cookie];
      if (c !== undefined) lines.push(`Cookie: ${c}`);
      if (r.upgrade)
        lines.push(
          'Connection: Upgrade',
          'Upgrade: websocket',
          'Sec-WebSocket-Version: 13',
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        );
      else lines.push('Connection: close');
      const origins: Record<string, string> = {
        self: `http://127.0.0.1:${p}`,
        localhost: `http://localhost:${p}`,
        evil: 'http://evil.example',
        null: 'null',
      };
      if (r.origin !== undefined) lines.push(`Origin: ${origins[r.origin]}`);
      for (const [name, value] of r.headers) lines.push(`${name}: ${value}`);
      if (r.huge) lines.push(`X-Pad: ${'x'.repeat(20_000)}`);
      const text = `${lines.join('\r\n')}\r\n\r\n`;
      const carriesToken = text.includes(server.token) || r.cookie === 'good';
      return { text, carriesToken, hostOk };
    };

    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const { text, carriesToken, hostOk } = build(r);
        const status = await send(Buffer.from(text, 'utf8'));
        seen.set(status, (seen.get(status) ?? 0) + 1);
        if (process.env['HTTP_FUZZ_DEBUG']) console.log(status, JSON.stringify(text.slice(0, 120)));
        const why = JSON.stringify(text.slice(0, 300));
        expect(EXPECTED, `status ${status} for ${why}`).toContain(status);
        if (status === 200 || status === 101) {
          expect(carriesToken, why).toBe(true);
          expect(hostOk, why).not.toBe(false);
        }
        if (status === 200) expect(['GET', 'HEAD'], why).toContain(r.method);
        if (status === 101) expect(r.upgrade, why).toBe(true);
        if (status === 421) expect(hostOk, why).not.toBe(true);
        expect(uncaught).toEqual([]);
      }),
      { numRuns: 800 },
    );
    // Not vacuous: requests got past every check to a page, and were refused at each.
    for (const status of [200, 400, 403, 404, 421])
      expect(seen.get(status) ?? 0, `${status}`).toBeGreaterThan(0);
    expect(logs.filter((l) => l.includes('failed'))).toEqual([]);

    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('DeepCorrect');
  });
});
