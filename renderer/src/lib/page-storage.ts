/**
 * The page's localStorage, or undefined where there is none: a page whose storage is disabled, or the stores
 * run under Node by the tests (there the recent list lasts the test only).
 */
export interface KeyValueStorage {
  getItem: (key: string) => string | null;
  setItem: (key: string, value: string) => void;
}

export function pageStorage(): KeyValueStorage | undefined {
  return (globalThis as { localStorage?: KeyValueStorage }).localStorage;
}
