/**
 * The app:// scheme: the renderer is served from out/renderer only, with the security headers on every
 * response. A custom standard scheme rather than file:// gives the pages a real origin (so CSP 'self' means
 * the app's files and nothing else on disk) and one place that decides which files can be read.
 */
import { readFile } from 'node:fs/promises';
import { protocol, type Session } from 'electron';
import { contentTypeFor, resolveAppFile } from './app-files.ts';
import type { Log } from './log.ts';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, securityHeaders } from './security.ts';

/** Must run before the app is ready (Electron's rule for privileged schemes). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);
}

export function serveApp(session: Session, rendererRoot: string, log: Log): void {
  session.protocol.handle(APP_SCHEME, async (request) => {
    const headers = securityHeaders();
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return new Response(null, { status: 405, headers });
    const file = await resolveAppFile(rendererRoot, request.url);
    if (file === undefined) {
      log(`app protocol: refused or missing ${request.url}`);
      return new Response('Not found', {
        status: 404,
        headers: { ...headers, 'Content-Type': 'text/plain' },
      });
    }
    try {
      const body = request.method === 'HEAD' ? null : await readFile(file);
      return new Response(body, {
        status: 200,
        headers: { ...headers, 'Content-Type': contentTypeFor(file) },
      });
    } catch (error) {
      log(`app protocol: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
      return new Response('Cannot read file', { status: 500, headers });
    }
  });
}
