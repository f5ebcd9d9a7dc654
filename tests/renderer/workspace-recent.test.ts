import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  addRecent,
  artefactLocation,
  formatBytes,
  MAX_RECENT,
  parseRecent,
  removeRecent,
} from '../../renderer/src/lib/workspace-recent.ts';
import { VIEW_IDS } from '../../renderer/src/view-ids.ts';

const entry = (p: string, name = p): { path: string; name: string; openedAt: string } => ({
  path: p,
  name,
  openedAt: '2026-01-02T03:04:05.000Z',
});

describe('recent workspaces', () => {
  it('parses what localStorage holds, dropping anything malformed', () => {
    expect(parseRecent(null)).toEqual([]);
    expect(parseRecent('not json')).toEqual([]);
    expect(parseRecent('{"path":"/a"}')).toEqual([]);
    expect(parseRecent(JSON.stringify([entry('/a'), { path: 3 }, { path: '' }, null]))).toEqual([
      entry('/a'),
    ]);
  });

  it('puts the latest first, once per folder, at most MAX_RECENT', () => {
    let list = [entry('/a'), entry('/b')];
    list = addRecent(list, entry('/b', 'B again'));
    expect(list.map((e) => e.name)).toEqual(['B again', '/a']);
    for (let i = 0; i < 20; i++) list = addRecent(list, entry(`/w${i}`));
    expect(list).toHaveLength(MAX_RECENT);
    expect(list[0]?.path).toBe('/w19');
    expect(removeRecent(list, '/w19')[0]?.path).toBe('/w18');
  });

  it('joins an artefact path to the root, and formats sizes', () => {
    expect(artefactLocation('/ws', 'models/m-1')).toBe('/ws/models/m-1');
    expect(artefactLocation('/ws/', 'studies/s')).toBe('/ws/studies/s');
    expect(artefactLocation('C:\\ws', 'models/m')).toBe('C:\\ws\\models\\m');
    expect(formatBytes(12)).toBe('12 B');
    expect(formatBytes(2048)).toBe('2.0 KB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB');
  });

  it('lists the view ids in views.ts order, the Workspace start page first', () => {
    const source = readFileSync('renderer/src/views.ts', 'utf8');
    const ids = [...source.matchAll(/^\s+id: '([a-z-]+)',$/gm)].map((m) => m[1]);
    expect(ids).toEqual([...VIEW_IDS]);
    expect(VIEW_IDS[0]).toBe('workspace');
  });
});
