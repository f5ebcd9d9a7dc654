/**
 * The folder browser's choices (FolderBrowser.vue), pure: what each kind of entry is called, which view opens
 * it, which entries a browser opened for one purpose can choose, and how the keys move through a listing.
 */
import {
  isOpenableKind,
  MAX_BROWSE_ENTRIES,
  type BrowseEntry,
  type BrowseKind,
  type OpenableKind,
} from '../../../shared/folder-browse.ts';

/**
 * What the browser is for: opening whatever is chosen in its view ('open'), one kind of thing (a dataset to
 * open in Datasets...), or a folder for a path field (an output folder, a workspace's folder).
 */
export type BrowsePurpose = 'open' | OpenableKind | 'folder';

export const KIND_LABELS: Record<BrowseKind, string> = {
  folder: 'Folder',
  file: 'File',
  dataset: 'Dataset',
  model: 'Model',
  workspace: 'Workspace',
  study: 'Study',
  ranking: 'Ranking',
  unreadable: 'Unreadable',
  outside: 'Outside',
  broken: 'Broken link',
};

/** The view each openable kind opens in (a view id of view-ids.ts) and the button that says so. */
export const OPENS_IN: Record<OpenableKind, { view: string; label: string }> = {
  dataset: { view: 'datasets', label: 'Open in Datasets' },
  model: { view: 'models', label: 'Open in Models' },
  workspace: { view: 'workspace', label: 'Open in Workspace' },
  study: { view: 'results', label: 'Open in Results' },
  ranking: { view: 'ranking', label: 'Open in Ranking' },
};

/** The browser's title for a purpose. */
export const PURPOSE_TITLES: Record<BrowsePurpose, string> = {
  open: 'Open from the allowed folders',
  dataset: 'Open a dataset',
  model: 'Open a model folder',
  workspace: 'Open a workspace',
  study: 'Open a study folder',
  ranking: 'Open a ranking file',
  folder: 'Choose a folder',
};

/** Whether the browser can go into an entry (a folder it may list). */
export function canEnter(entry: BrowseEntry): boolean {
  return entry.folder && entry.path !== undefined && entry.kind !== 'unreadable';
}

/** Whether an entry is what the browser was opened for (and can be used: it has a path, nothing damaged). */
export function canChoose(entry: BrowseEntry, purpose: BrowsePurpose): boolean {
  if (entry.path === undefined || entry.problem !== undefined) return false;
  if (purpose === 'folder') return canEnter(entry);
  if (purpose === 'open') return isOpenableKind(entry.kind);
  return entry.kind === purpose;
}

/** The choose button's words for an entry. */
export function chooseLabel(entry: BrowseEntry, purpose: BrowsePurpose): string {
  if (purpose === 'folder') return 'Use this folder';
  return isOpenableKind(entry.kind) ? OPENS_IN[entry.kind].label : 'Open';
}

/** What an entry is, in one line for a screen reader: kind, name and detail. */
export function entryLabel(entry: BrowseEntry): string {
  const kind = KIND_LABELS[entry.kind];
  const link = entry.link ? ', a link' : '';
  const problem = entry.problem === undefined ? '' : `; cannot be opened: ${entry.problem}`;
  return `${entry.name}: ${kind}${link}; ${entry.detail}${problem}`;
}

/** The entry index a key moves to in a list of `count` (undefined: the key does not move). */
export function movedIndex(key: string, current: number, count: number, page = 10): number | undefined {
  if (count === 0) return undefined;
  const last = count - 1;
  const from = current < 0 ? -1 : Math.min(current, last);
  switch (key) {
    case 'ArrowDown':
      return Math.min(last, from + 1);
    case 'ArrowUp':
      return Math.max(0, from - 1);
    case 'Home':
      return 0;
    case 'End':
      return last;
    case 'PageDown':
      return Math.min(last, Math.max(0, from) + page);
    case 'PageUp':
      return Math.max(0, from - page);
    default:
      return undefined;
  }
}

/** The first entry whose name starts with the typed letters (type-ahead), searching after `current`. */
export function typeAhead(
  entries: readonly BrowseEntry[],
  typed: string,
  current: number,
): number | undefined {
  const prefix = typed.toLowerCase();
  if (prefix === '' || entries.length === 0) return undefined;
  const start = prefix.length === 1 ? current + 1 : Math.max(0, current);
  for (let k = 0; k < entries.length; k++) {
    const i = (start + k) % entries.length;
    if (entries[i]?.name.toLowerCase().startsWith(prefix)) return i;
  }
  return undefined;
}

/** The line under a listing: what it left out. */
export function leftOutText(omitted: number, hidden: number): string {
  const parts: string[] = [];
  if (omitted > 0)
    parts.push(
      `${omitted} more ${omitted === 1 ? 'entry' : 'entries'} not listed (the first ${MAX_BROWSE_ENTRIES} are)`,
    );
  if (hidden > 0)
    parts.push(`${hidden} hidden ${hidden === 1 ? 'entry' : 'entries'} (dot files and system files)`);
  return parts.join('; ');
}

/**
 * Where a browser opened from a path field tries to start: the path, then each folder above it (at most a
 * few: an output folder's parents may not exist yet either); none for an empty or relative path.
 */
export function startingPoints(start: string | undefined, most = 4): string[] {
  if (start === undefined) return [];
  const trimmed = start.trim();
  const windows = /^[A-Za-z]:[\\/]/.test(trimmed);
  if (!trimmed.startsWith('/') && !windows) return [];
  const out: string[] = [];
  let at = trimmed.replace(/[\\/]+$/, '');
  while (at !== '' && out.length < most) {
    out.push(at);
    const cut = Math.max(at.lastIndexOf('/'), at.lastIndexOf('\\'));
    if (cut <= 0 || (windows && cut <= 2)) break;
    at = at.slice(0, cut);
  }
  return out;
}
