import { describe, expect, it } from 'vitest';
import { BROWSE_KINDS, MAX_BROWSE_ENTRIES, type BrowseEntry } from '../../shared/folder-browse.ts';
import { VIEW_IDS } from '../../renderer/src/view-ids.ts';
import {
  canChoose,
  canEnter,
  chooseLabel,
  entryLabel,
  KIND_LABELS,
  leftOutText,
  movedIndex,
  OPENS_IN,
  startingPoints,
  typeAhead,
} from '../../renderer/src/lib/folder-browser.ts';

const entry = (over: Partial<BrowseEntry>): BrowseEntry => ({
  name: 'x',
  path: '/data/x',
  folder: true,
  link: false,
  kind: 'folder',
  detail: 'empty folder',
  ...over,
});

describe('the folder browser choices', () => {
  const dataset = entry({
    name: 'fmnist',
    kind: 'dataset',
    detail: 'IDX dataset (train, test): 10 classes: …',
  });
  const model = entry({ name: 'cnn', kind: 'model', detail: 'cnn4 model' });
  const ranking = entry({ name: 'r.json', kind: 'ranking', folder: false, detail: 'proxy ranking' });
  const plain = entry({ name: 'plain' });
  const outside = entry({ name: 'out', kind: 'outside', folder: false, link: true, detail: 'a link…' });
  delete outside.path;
  const unreadable = entry({
    name: 'locked',
    kind: 'unreadable',
    detail: 'cannot be read: permission denied',
  });
  const damaged = entry({ name: 'bad', kind: 'model', problem: 'deepcorrect.json is not JSON' });

  it('chooses only what the browser was opened for, never an entry without a path or with a problem', () => {
    expect(canChoose(dataset, 'dataset')).toBe(true);
    expect(canChoose(model, 'dataset')).toBe(false);
    expect(canChoose(ranking, 'ranking')).toBe(true);
    // 'open' takes every openable kind, a folder path field every folder it can list.
    expect([dataset, model, ranking, plain].map((e) => canChoose(e, 'open'))).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect([dataset, plain, ranking, unreadable].map((e) => canChoose(e, 'folder'))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(canChoose(outside, 'open')).toBe(false);
    expect(canChoose(damaged, 'model')).toBe(false);
  });

  it('goes into folders it can list, not into files, unreadable folders or links out', () => {
    expect([dataset, plain, ranking, unreadable, outside].map(canEnter)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('names the view each kind opens in, and every view exists', () => {
    expect(chooseLabel(dataset, 'open')).toBe('Open in Datasets');
    expect(chooseLabel(model, 'model')).toBe('Open in Models');
    expect(chooseLabel(plain, 'folder')).toBe('Use this folder');
    for (const { view } of Object.values(OPENS_IN)) expect(VIEW_IDS).toContain(view);
    expect(Object.keys(KIND_LABELS).sort()).toEqual([...BROWSE_KINDS].sort());
  });

  it('reads an entry in one line, its problem included', () => {
    expect(entryLabel(damaged)).toBe(
      'bad: Model; empty folder; cannot be opened: deepcorrect.json is not JSON',
    );
    expect(entryLabel(outside)).toBe('out: Outside, a link; a link…');
  });

  it('moves with the arrow, Home, End and page keys within the list', () => {
    expect(movedIndex('ArrowDown', -1, 5)).toBe(0);
    expect(movedIndex('ArrowDown', 4, 5)).toBe(4);
    expect(movedIndex('ArrowUp', 0, 5)).toBe(0);
    expect(movedIndex('ArrowUp', 3, 5)).toBe(2);
    expect(movedIndex('Home', 3, 5)).toBe(0);
    expect(movedIndex('End', 0, 5)).toBe(4);
    expect(movedIndex('PageDown', 2, 30)).toBe(12);
    expect(movedIndex('PageDown', 25, 30)).toBe(29);
    expect(movedIndex('PageUp', 5, 30)).toBe(0);
    expect(movedIndex('ArrowDown', 0, 0)).toBeUndefined();
    expect(movedIndex('x', 0, 5)).toBeUndefined();
  });

  it('jumps to the next name starting with the typed letters, wrapping round', () => {
    const list = ['alpha', 'beta', 'bravo', 'charlie'].map((name) => entry({ name }));
    expect(typeAhead(list, 'b', 0)).toBe(1);
    expect(typeAhead(list, 'b', 1)).toBe(2);
    expect(typeAhead(list, 'b', 2)).toBe(1);
    expect(typeAhead(list, 'br', 1)).toBe(2);
    expect(typeAhead(list, 'C', -1)).toBe(3);
    expect(typeAhead(list, 'z', 0)).toBeUndefined();
  });

  it('says what a listing left out', () => {
    expect(leftOutText(0, 0)).toBe('');
    expect(leftOutText(37, 1)).toBe(
      `37 more entries not listed (the first ${MAX_BROWSE_ENTRIES} are); 1 hidden entry (dot files and system files)`,
    );
  });

  it('starts in the typed folder or the nearest above it, never from a relative path', () => {
    expect(startingPoints('/home/me/out/new-study/')).toEqual([
      '/home/me/out/new-study',
      '/home/me/out',
      '/home/me',
      '/home',
    ]);
    expect(startingPoints('/data')).toEqual(['/data']);
    expect(startingPoints('C:\\Users\\me\\out')).toEqual([
      'C:\\Users\\me\\out',
      'C:\\Users\\me',
      'C:\\Users',
    ]);
    expect(startingPoints('out/here')).toEqual([]);
    expect(startingPoints('')).toEqual([]);
    expect(startingPoints(undefined)).toEqual([]);
    expect(startingPoints('/')).toEqual([]);
  });
});
