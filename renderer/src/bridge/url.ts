/** Where browser mode finds the engine: the page's own host, with the launch token the server printed. */

export interface PageLocation {
  protocol: string;
  host: string;
  search: string;
}

/** The launch token from the page URL (`?token=…`), or undefined when the page was opened without one. */
export function pageToken(search: string): string | undefined {
  const token = new URLSearchParams(search).get('token');
  return token === null || token === '' ? undefined : token;
}

/** The bridge WebSocket URL for a page served by `deepcorrect serve`. */
export function bridgeUrl(location: PageLocation, token: string): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/bridge?token=${encodeURIComponent(token)}`;
}
