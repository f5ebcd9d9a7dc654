/**
 * The start page's list of recent workspaces: pure helpers (parsing what localStorage holds, adding one to the
 * front, removing one), plus formatting for the artefact table.
 */

export interface RecentWorkspace {
  /** The workspace folder, absolute (as the engine answered it). */
  path: string;
  name: string;
  /** ISO time the workspace was last opened here. */
  openedAt: string;
}

/** The most recent workspaces kept. */
export const MAX_RECENT = 12;

/** What localStorage held, or an empty list when it is missing or not a list of entries. */
export function parseRecent(raw: string | null): RecentWorkspace[] {
  if (raw === null) return [];
  try {
    const value: unknown = JSON.parse(raw);
    if (!Array.isArray(value)) return [];
    return value
      .filter(
        (e): e is RecentWorkspace =>
          typeof e === 'object' &&
          e !== null &&
          typeof (e as RecentWorkspace).path === 'string' &&
          (e as RecentWorkspace).path !== '' &&
          typeof (e as RecentWorkspace).name === 'string' &&
          typeof (e as RecentWorkspace).openedAt === 'string',
      )
      .slice(0, MAX_RECENT);
  } catch {
    return [];
  }
}

/** The list with `entry` first (replacing an older entry for the same folder), at most MAX_RECENT long. */
export function addRecent(list: readonly RecentWorkspace[], entry: RecentWorkspace): RecentWorkspace[] {
  return [entry, ...list.filter((e) => e.path !== entry.path)].slice(0, MAX_RECENT);
}

export function removeRecent(list: readonly RecentWorkspace[], path: string): RecentWorkspace[] {
  return list.filter((e) => e.path !== path);
}

/** An artefact's absolute location: the workspace root joined with its POSIX relative path. */
export function artefactLocation(root: string, relative: string): string {
  const sep = root.includes('\\') && !root.includes('/') ? '\\' : '/';
  const base = root.endsWith(sep) ? root.slice(0, -1) : root;
  return `${base}${sep}${relative.split('/').join(sep)}`;
}

/** Bytes for a table cell: B, KB, MB, GB (powers of 1024, one decimal past KB). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** A manifest time for the table: local date and time to the minute. */
export function formatWhen(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
