import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { decodeFrame, encodeFrame } from '../../shared/bridge/codec.ts';
import { MAX_CLIENT_MESSAGE_BYTES, type ServerMessage } from '../../shared/bridge/protocol.ts';
import type { BridgeGate } from '../gateway/gate.ts';
import { securityHeaders } from '../main/security.ts';
import { readAppFile } from './static-files.ts';

export interface ServeOptions {
  gate: BridgeGate;
  rendererDir: string;
  port?: number;
  log: (line: string) => void;
  /** A fixed token (tests); by default 24 random bytes per launch. */
  token?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const COOKIE = 'deepcorrect_token';

function sameToken(given: string | undefined | null, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === COOKIE) return v;
  }
  return undefined;
}

/** The desktop app's headers, with the bridge's WebSocket added to what the page may connect to. */
function browserModeHeaders(port: number): Record<string, string> {
  const headers = securityHeaders();
  const csp = headers['Content-Security-Policy'] ?? '';
  return {
    ...headers,
    'Content-Security-Policy': csp.replace("connect-src 'self'", `connect-src 'self' ws://127.0.0.1:${port}`),
  };
}

/** The request's target as a URL on this server, or undefined when it is not one (for example `///`). */
function requestUrl(target: string | undefined, port: number): URL | undefined {
  try {
    return new URL(target ?? '/', `http://127.0.0.1:${port}`);
  } catch {
    return undefined;
  }
}

/**
 * Browser mode: the built renderer and the bridge over a WebSocket, on 127.0.0.1 only. The page is served to
 * whoever holds the launch token (in the URL once, then in a same-site cookie for its assets); the bridge
 * refuses connections without the token or from another origin.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const sockets = new Set<WebSocket>();
  let port = 0;

  // Every request ends in an answer: a throw or rejection from a handler must never reach the process,
  // which would end browser mode and every job in it (a request target like `///` is an invalid URL).
  const http = createServer((req, res) => {
    serveFile(req, res).catch((error: unknown) => {
      options.log(`request ${req.method} failed: ${error instanceof Error ? error.message : String(error)}`);
      if (res.headersSent) res.destroy();
      else res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Server error\n');
    });
  });
  async function serveFile(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req.url, port);
    const headers = browserModeHeaders(port);
    if (url === undefined) {
      res
        .writeHead(400, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
        .end('Bad request target\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end();
      return;
    }
    const fromQuery = url.searchParams.get('token');
    if (!sameToken(fromQuery, token) && !sameToken(cookieToken(req), token)) {
      options.log(`refused ${req.method} ${url.pathname}: missing or wrong token`);
      res.writeHead(403, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Missing or wrong token: open the URL that `deepcorrect serve` printed.\n');
      return;
    }
    const file = await readAppFile(options.rendererDir, url.pathname);
    if (file === undefined) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    res.writeHead(200, {
      ...headers,
      'Content-Type': file.type,
      'Cache-Control': 'no-store',
      'Set-Cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES });
  http.on('upgrade', (req, socket, head) => {
    const url = requestUrl(req.url, port);
    if (url === undefined) {
      options.log('refused a bridge connection (bad request target)');
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    const origin = req.headers.origin;
    const originOk = origin === undefined || origin === `http://127.0.0.1:${port}`;
    if (url.pathname !== '/bridge' || !sameToken(url.searchParams.get('token'), token) || !originOk) {
      options.log(
        `refused a bridge connection (${url.pathname !== '/bridge' ? 'wrong path' : originOk ? 'missing or wrong token' : `origin ${origin}`})`,
      );
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws));
  });

  const send = (ws: WebSocket, message: ServerMessage): void => {
    if (ws.readyState === ws.OPEN) ws.send(encodeFrame(message));
  };
  const stopBroadcast = options.gate.onBroadcast((message) => {
    for (const ws of sockets) send(ws, message);
  });
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', (error) => options.log(`bridge connection error: ${error.message}`));
    ws.on('message', (data: RawData, isBinary) => {
      const bytes = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data);
      let raw: unknown;
      try {
        if (!isBinary) throw new Error('text frame');
        raw = decodeFrame(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      } catch (error) {
        options.log(
          `bridge refused a malformed frame: ${error instanceof Error ? error.message : String(error)}`,
        );
        send(ws, {
          kind: 'reply',
          id: -1,
          ok: false,
          error: { code: 'invalid-message', message: 'malformed bridge frame' },
        });
        return;
      }
      options.gate.handle(raw, (message) => send(ws, message), bytes.byteLength);
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      stopBroadcast();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
