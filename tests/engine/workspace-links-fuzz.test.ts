/**
 * Property-based fuzzing of finding 3 of issue 16: manifest entries with random paths (kind folders, real
 * folders, links out of the workspace and links within it, `..`, `.`, empty segments, absolute) in a real
 * tree. The OS is the oracle: an entry is accepted only when its path is clean and no existing component is a
 * link (lstat); whatever the entry, a discard removes nothing outside the workspace nor anything in it but the
 * entry's own path, and check is never ok for a workspace that opening refuses. On failure fast-check prints
 * its seed and path.
 */
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artefact } from '../../shared/workspace.ts';
import {
  checkWorkspace,
  MANIFEST_FILE,
  openWorkspace,
  WorkspaceError,
} from '../../electron/engine/workspace/index.ts';
import { artefactPathProblem } from '../../electron/engine/workspace/paths.ts';

let base: string;
let runs = 0;

/** Every entry under a folder, links not followed (a link is listed with its target). */
function listing(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const name = `${prefix}${e.name}`;
    const full = path.join(dir, e.name);
    if (e.isSymbolicLink()) return [`${name} -> link`];
    if (e.isDirectory()) return [`${name}/`, ...listing(full, `${name}/`)];
    return [name];
  });
}

/**
 * A workspace with a real study, a real model, links out (studies/out, studies/nested/deep) and a link within
 * (studies/in to models/m1), beside a folder `outside`; its manifest holds the one entry under test.
 */
function tree(entry: Artefact): { ws: string; outside: string } {
  const dir = path.join(base, `run${runs++}`);
  const ws = path.join(dir, 'ws');
  const outside = path.join(dir, 'outside');
  mkdirSync(path.join(outside, 'victim'), { recursive: true });
  writeFileSync(path.join(outside, 'victim', 'precious.txt'), 'years of work\n');
  mkdirSync(path.join(ws, 'studies', 'real-study'), { recursive: true });
  writeFileSync(path.join(ws, 'studies', 'real-study', 'study.json'), '{}');
  mkdirSync(path.join(ws, 'studies', 'nested'));
  mkdirSync(path.join(ws, 'models', 'm1'), { recursive: true });
  writeFileSync(path.join(ws, 'models', 'm1', 'weights.bin'), 'w');
  symlinkSync(outside, path.join(ws, 'studies', 'out'));
  symlinkSync(outside, path.join(ws, 'studies', 'nested', 'deep'));
  symlinkSync(path.join(ws, 'models', 'm1'), path.join(ws, 'studies', 'in'));
  const now = '2026-01-01T00:00:00.000Z';
  const manifest = {
    format: 'deepcorrect-workspace',
    version: 1,
    name: 'fuzz',
    createdAt: now,
    updatedAt: now,
    artefacts: [entry],
  };
  writeFileSync(path.join(ws, MANIFEST_FILE), JSON.stringify(manifest));
  return { ws, outside };
}

/** The oracle: the entry's path is a clean artefact path and no existing component of it is a link. */
function staysInside(ws: string, p: string): boolean {
  if (artefactPathProblem(p) !== undefined) return false;
  const parts = p.split('/');
  for (let i = 1; i <= parts.length; i++) {
    try {
      if (lstatSync(path.join(ws, ...parts.slice(0, i))).isSymbolicLink()) return false;
    } catch {
      return true;
    }
  }
  return true;
}

const SEGMENTS = ['studies', 'models', 'real-study', 'out', 'in', 'nested', 'deep', 'm1', 'victim', 'x'];
const segment = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...SEGMENTS) },
  { weight: 1, arbitrary: fc.constantFrom('..', '.', '') },
);
/** Mostly under a kind folder, where the links are; sometimes absolute, sometimes anywhere. */
const pathArb = fc
  .tuple(
    fc.oneof({ weight: 6, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constant('/') }),
    fc.constantFrom('studies/', 'studies/', 'models/', ''),
    fc.array(segment, { minLength: 1, maxLength: 3 }),
  )
  .map(([root, kind, parts]) => `${root}${kind}${parts.join('/')}`);

beforeAll(() => {
  base = mkdtempSync(path.join(tmpdir(), 'dc-workspace-links-fuzz-'));
});
afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

describe('random manifest entries in a workspace holding links', () => {
  it('never reach outside, and are accepted exactly when their path stays inside', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(pathArb, fc.constantFrom<Artefact['kind']>('study', 'model'), async (p, kind) => {
        const entry: Artefact = {
          id: 'entry',
          kind,
          name: 'entry',
          path: p,
          createdAt: '2026-01-01T00:00:00.000Z',
          status: 'interrupted',
          files: [],
        };
        const { ws, outside } = tree(entry);
        const outsideBefore = listing(outside);
        const expected = staysInside(ws, p);
        const check = await checkWorkspace(ws);
        const opened = await openWorkspace(ws, { write: true, tool: 'fuzz' }).then(
          (w) => w,
          (error: unknown) => error,
        );
        if (!expected) {
          expect(opened).toBeInstanceOf(WorkspaceError);
          expect(check.ok).toBe(false);
        } else {
          accepted++;
          expect(opened).not.toBeInstanceOf(Error);
        }
        if (opened instanceof Error) {
          expect(listing(outside)).toEqual(outsideBefore);
          return;
        }
        const w = opened as Awaited<ReturnType<typeof openWorkspace>>;
        const keep = (name: string): boolean =>
          name !== `${p}/` && !name.startsWith(`${p}/`) && name !== p && !name.startsWith('.');
        const inside = listing(ws).filter(keep);
        try {
          await w.discard('entry');
        } finally {
          await w.close();
        }
        expect(listing(outside)).toEqual(outsideBefore);
        expect(listing(ws).filter(keep)).toEqual(inside);
      }),
      { numRuns: 150 },
    );
    // The generator must reach both sides of the oracle, or the property proves little.
    expect(accepted).toBeGreaterThan(5);
  });
});
