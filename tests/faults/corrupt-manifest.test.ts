// Corrupt manifests: each kind of damage must be named by `workspace check` (file and problem) and by
// openWorkspace (a WorkspaceError naming the file), and `check --repair` must rebuild a manifest that lists
// again every artefact that was complete, with the same files and checksums, the broken one kept in backups/.
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../shared/random.ts';
import type { WorkspaceManifest } from '../../shared/workspace.ts';
import { openWorkspace, WorkspaceError } from '../../electron/engine/workspace/index.ts';
import { deepcorrect, lostFiles, SMALL } from './fault-kit.ts';

const MANIFEST = 'deepcorrect-workspace.json';

/** Each corruption: what it does to the manifest's text, and what the error must say about it. */
const CORRUPTIONS: { name: string; corrupt: (text: string) => string | Buffer; says: RegExp }[] = [
  {
    name: 'truncated halfway',
    corrupt: (t) => t.slice(0, Math.floor(t.length / 2)),
    says: /is not valid JSON/,
  },
  { name: 'zero bytes', corrupt: () => '', says: /is not valid JSON/ },
  {
    name: 'random bytes',
    corrupt: () => {
      const random = mulberry32(7);
      return Buffer.from(Array.from({ length: 4096 }, () => Math.floor(random() * 256)));
    },
    says: /is not valid JSON/,
  },
  {
    name: 'a field of the wrong type',
    corrupt: (t) => {
      const m = JSON.parse(t) as { artefacts: Record<string, unknown>[] };
      if (m.artefacts[0] !== undefined) m.artefacts[0].files = 'all of them';
      return JSON.stringify(m);
    },
    says: /not a valid workspace manifest: field "artefacts\[0\]\.files"/,
  },
  {
    name: "an artefact path with '..'",
    corrupt: (t) => {
      const m = JSON.parse(t) as { artefacts: Record<string, unknown>[] };
      if (m.artefacts[0] !== undefined) m.artefacts[0].path = '../../etc';
      return JSON.stringify(m);
    },
    says: /field "artefacts\[0\]\.path": path "\.\.\/\.\.\/etc" leaves the workspace/,
  },
  {
    name: 'a duplicate id',
    corrupt: (t) => {
      const m = JSON.parse(t) as { artefacts: Record<string, unknown>[] };
      m.artefacts.push({ ...m.artefacts[0], path: 'rankings/elsewhere.json' });
      return JSON.stringify(m);
    },
    says: /field "artefacts\[\d+\]\.id": duplicate id/,
  },
];

describe('corrupt workspace manifests', () => {
  let dir: string;
  let seed: string;
  let complete: WorkspaceManifest['artefacts'];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dc-faults-manifest-'));
    seed = path.join(dir, 'seed');
    expect((await deepcorrect(['workspace', 'init', seed])).code).toBe(0);
    const study = await deepcorrect(['study', '--workspace', seed, ...SMALL]);
    expect(study.code, study.stderr).toBe(0);
    // A ranking and a dataset reference too, so that repair rebuilds every kind of file artefact.
    const ws = await openWorkspace(seed, { write: true, tool: 'fault test' });
    await ws.addRanking('a ranking', { method: 'proxy', layers: [] });
    await ws.addDataset(path.join(dir, 'somewhere'), { images: 0 }, 'a dataset');
    await ws.close();
    const manifest = JSON.parse(await readFile(path.join(seed, MANIFEST), 'utf8')) as WorkspaceManifest;
    complete = manifest.artefacts.filter((a) => a.status === 'complete');
    expect(complete.map((a) => a.kind).sort()).toEqual(['dataset', 'ranking', 'study']);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(CORRUPTIONS)(
    '$name: named by check and open, rebuilt by --repair',
    async ({ name, corrupt, says }) => {
      const ws = path.join(dir, name.replace(/\W+/g, '-'));
      await cp(seed, ws, { recursive: true });
      const file = path.join(ws, MANIFEST);
      const broken = corrupt(await readFile(file, 'utf8'));
      await writeFile(file, broken);

      const check = await deepcorrect(['workspace', 'check', ws]);
      expect(check.code).toBe(1);
      expect(check.stderr).toContain(`damaged: ${MANIFEST}: ${file}:`);
      expect(check.stderr).toMatch(says);

      const opened = await openWorkspace(ws).catch((e: unknown) => e);
      expect(opened).toBeInstanceOf(WorkspaceError);
      expect((opened as WorkspaceError).file).toBe(file);
      expect(String(opened)).toMatch(says);
      // Writers are refused the same way (and release the lock they took to read it).
      await expect(openWorkspace(ws, { write: true, tool: 'fault test' })).rejects.toThrow(says);

      const repair = await deepcorrect(['workspace', 'check', ws, '--repair']);
      expect(repair.code, repair.stderr).toBe(0);
      expect(repair.stderr).toMatch(/repaired: the manifest was rebuilt from the folders/);
      const rebuilt = JSON.parse(await readFile(file, 'utf8')) as WorkspaceManifest;
      for (const before of complete) {
        const after = rebuilt.artefacts.find((a) => a.id === before.id);
        expect(after, `${name}: ${before.id} is listed again`).toMatchObject({
          kind: before.kind,
          path: before.path,
          status: 'complete',
        });
        expect(after?.files).toEqual(before.files);
        expect(await lostFiles(ws, new Map(before.files.map((f) => [f.path, f.sha256])))).toEqual([]);
      }
      // The broken manifest is kept, byte for byte, for whoever wants to see what it said.
      const backups = await readdir(path.join(ws, 'backups'));
      expect(backups).toHaveLength(1);
      expect(await readFile(path.join(ws, 'backups', backups[0] ?? ''))).toEqual(Buffer.from(broken));
      expect((await readdir(ws)).filter((n) => n.startsWith('.'))).toEqual([]);
    },
  );
});
