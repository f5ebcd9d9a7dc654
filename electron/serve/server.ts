import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { decodeFrame, encodeFrame, FrameError, peekRequestId } from '../../shared/bridge/codec.ts';
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

/**
 * The cookie that lets the page load its own files. Named per port, since browsers send a host's cookies to
 * every port of it: with one name, a second server on 127.0.0.1 would overwrite the first one's cookie and
 * break its tab. Every server still receives every other one's cookie, so it holds a separate random key
 * good for this server's files only, never the token, which opens the bridge and stays in the page's URL.
 */
const cookieName = (port: number): string => `deepcorrect_files_${port}`;

/**
 * Largest WebSocket message the socket takes in. Requests are checked against MAX_CLIENT_MESSAGE_BYTES by the
 * gate, which answers 'too-large' under the request's id and keeps the connection; the socket's own limit, a
 * little above, only bounds what is buffered before that, and closes the connection (1009) past it.
 */
export const MAX_FRAME_BYTES = MAX_CLIENT_MESSAGE_BYTES + 32 * 1024;

function sameToken(given: string | undefined | null, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at !== -1 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** The names the page may be opened under; anything else is another site's page or DNS rebinding. */
const PAGE_NAMES = ['127.0.0.1', 'localhost'];

function pageHosts(port: number): string[] {
  return PAGE_NAMES.map((name) => `${name}:${port}`);
}

/**
 * Whether a request's Host names this server. A page of another site that got its name to resolve to
 * 127.0.0.1 (DNS rebinding) sends its own name here, which is refused before anything else is looked at.
 */
function hostOk(host: string | undefined, port: number): boolean {
  const h = host?.toLowerCase();
  // Port 80 is the default, so a browser leaves it out.
  return PAGE_NAMES.some((name) => h === `${name}:${port}` || (port === 80 && h === name));
}

/** Whether a WebSocket upgrade comes from this server's page (under either name) or from no page at all. */
function originOk(origin: string | undefined, port: number): boolean {
  // Browsers always send Origin with a WebSocket upgrade; only a program (a test, a script holding the
  // token) leaves it out, and it is no page another site could have opened.
  if (origin === undefined) return true;
  return pageHosts(port).some((host) => origin === `http://${host}`);
}

/** The desktop app's headers, with the bridge's WebSocket under both names added to what the page may reach. */
function browserModeHeaders(port: number): Record<string, string> {
  const headers = securityHeaders();
  const csp = headers['Content-Security-Policy'] ?? '';
  const bridges = pageHosts(port).map((host) => `ws://${host}`);
  return {
    ...headers,
    'Content-Security-Policy': csp.replace("connect-src 'self'", `connect-src 'self' ${bridges.join(' ')}`),
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
 * refuses connections without the token or from another origin, and every request naming another host.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const filesKey = randomBytes(24).toString('base64url');
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
    if (!hostOk(req.headers.host, port)) {
      options.log(`refused ${req.method} ${url.pathname}: host ${JSON.stringify(req.headers.host ?? null)}`);
      res
        .writeHead(421, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
        .end(`Misdirected request: open http://127.0.0.1:${port}/ or http://localhost:${port}/\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end();
      return;
    }
    const fromQuery = url.searchParams.get('token');
    if (!sameToken(fromQuery, token) && !sameToken(cookieValue(req, cookieName(port)), filesKey)) {
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
      'Set-Cookie': `${cookieName(port)}=${filesKey}; HttpOnly; SameSite=Strict; Path=/`,
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  http.on('upgrade', (req, socket, head) => {
    const url = requestUrl(req.url, port);
    if (url === undefined) {
      options.log('refused a bridge connection (bad request target)');
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    if (!hostOk(req.headers.host, port)) {
      options.log(`refused a bridge connection (host ${JSON.stringify(req.headers.host ?? null)})`);
      socket.end('HTTP/1.1 421 Misdirected Request\r\nConnection: close\r\n\r\n');
      return;
    }
    const origin = req.headers.origin;
    const fromPage = originOk(origin, port);
    if (url.pathname !== '/bridge' || !sameToken(url.searchParams.get('token'), token) || !fromPage) {
      options.log(
        `refused a bridge connection (${url.pathname !== '/bridge' ? 'wrong path' : fromPage ? 'missing or wrong token' : `origin ${JSON.stringify(origin)}`})`,
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
          id: (isBinary ? peekRequestId(bytes) : undefined) ?? -1,
          ok: false,
          error: {
            code: 'invalid-message',
            message: `malformed bridge frame${error instanceof FrameError ? `: ${error.message}` : ''}`,
          },
        });
        return;
      }
      // The gate answers under the request's id wherever the message carries a usable one.
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
