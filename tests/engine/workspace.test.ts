import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkspaceManifest } from '../../shared/workspace.ts';
import {
  checkWorkspace,
  initWorkspace,
  LOCK_FILE,
  MANIFEST_FILE,
  openWorkspace,
  repairWorkspace,
  WorkspaceError,
} from '../../electron/engine/workspace/index.ts';
import { newArtefactId } from '../../electron/engine/workspace/ids.ts';

let dir: string;
let n = 0;
const fresh = async (): Promise<string> => {
  const ws = path.join(dir, `ws${n++}`);
  await initWorkspace(ws, { name: 'test' });
  return ws;
};
const manifestOf = async (ws: string): Promise<WorkspaceManifest> =>
  JSON.parse(await readFile(path.join(ws, MANIFEST_FILE), 'utf8')) as WorkspaceManifest;

/** A workspace holding one complete fake study (two files) and one complete ranking. */
async function withStudy(): Promise<{ ws: string; id: string }> {
  const ws = await fresh();
  const w = await openWorkspace(ws, { write: true, tool: 'test' });
  const study = await w.begin('study', 'Blur study!');
  await writeFile(path.join(w.path(study), 'report.json'), '{"ok":true}\n');
  await mkdir(path.join(w.path(study), 'stages'));
  await writeFile(path.join(w.path(study), 'stages', 'baseline.json'), '{}\n');
  await w.complete(study.id, { note: 'fake' });
  await w.addRanking('proxy ranking', { layers: [] });
  await w.close();
  return { ws, id: study.id };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dc-workspace-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('workspace artefacts', () => {
  it('registers a job interrupted at its start and complete with its files at its end', async () => {
    const ws = await fresh();
    const w = await openWorkspace(ws, { write: true, tool: 'test' });
    const study = await w.begin('study', 'Blur study!');
    expect(study.id).toMatch(/^blur-study-\d{8}-\d{4}$/);
    expect(study.path).toBe(`studies/${study.id}`);
    // On disk at once, before the job writes anything: a crash now leaves the entry saying so.
    expect((await manifestOf(ws)).artefacts[0]).toMatchObject({
      id: study.id,
      status: 'interrupted',
      files: [],
    });
    await writeFile(path.join(w.path(study), 'report.json'), 'x');
    const done = await w.complete(study.id, { note: 'fake' });
    expect(done.status).toBe('complete');
    expect(done.files).toEqual([
      {
        path: `studies/${study.id}/report.json`,
        size: 1,
        sha256: '2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881',
      },
    ]);
    const dataset = await w.addDataset('/data/fashion', { classes: 10 });
    expect(JSON.parse(await readFile(w.path(dataset), 'utf8'))).toEqual({
      path: path.resolve('/data/fashion'),
      summary: { classes: 10 },
    });
    await w.close();
    const manifest = await manifestOf(ws);
    expect(manifest.artefacts.map((a) => [a.kind, a.status])).toEqual([
      ['study', 'complete'],
      ['dataset', 'complete'],
    ]);
    expect((await checkWorkspace(ws)).ok).toBe(true);
    await expect(stat(path.join(ws, LOCK_FILE))).rejects.toThrow();
  });

  it('discards an interrupted artefact and refuses to discard a complete one', async () => {
    const { ws, id } = await withStudy();
    const w = await openWorkspace(ws, { write: true, tool: 'test' });
    const model = await w.begin('model', 'cnn4');
    await writeFile(path.join(w.path(model), 'weights.bin'), 'partial');
    await expect(w.discard(id)).rejects.toThrow(/is complete; only interrupted ones are discarded/);
    await w.discard(model.id);
    await w.close();
    await expect(stat(path.join(ws, 'models', model.id))).rejects.toThrow();
    expect((await manifestOf(ws)).artefacts.map((a) => a.id)).not.toContain(model.id);
  });

  it('refuses changes to a workspace opened read-only', async () => {
    const ws = await fresh();
    const w = await openWorkspace(ws);
    await expect(w.begin('model', 'x')).rejects.toThrow(/read-only/);
  });

  it('gives readable, unique ids', () => {
    const at = new Date(2026, 10, 28, 21, 30);
    expect(newArtefactId('blur', new Set(), at)).toBe('blur-20261128-2130');
    expect(newArtefactId('blur', new Set(['blur-20261128-2130']), at)).toBe('blur-20261128-2130-2');
  });
});

describe('checkWorkspace', () => {
  it('finds a flipped byte, a missing file and a path escape', async () => {
    const { ws, id } = await withStudy();
    expect(await checkWorkspace(ws)).toMatchObject({ ok: true, problems: [] });
    const report = path.join(ws, 'studies', id, 'report.json');
    const bytes = await readFile(report);
    bytes[2] = (bytes[2] ?? 0) ^ 1;
    await writeFile(report, bytes);
    await rm(path.join(ws, 'studies', id, 'stages', 'baseline.json'));
    const damaged = await checkWorkspace(ws);
    expect(damaged.ok).toBe(false);
    expect(damaged.problems).toEqual([
      {
        artefact: id,
        file: `studies/${id}/report.json`,
        problem: 'its checksum differs from the manifest (the content has changed)',
      },
      { artefact: id, file: `studies/${id}/stages/baseline.json`, problem: 'is missing' },
    ]);

    const manifest = await manifestOf(ws);
    (manifest.artefacts[0] as { path: string }).path = '../outside';
    await writeFile(path.join(ws, MANIFEST_FILE), JSON.stringify(manifest));
    const escaped = await checkWorkspace(ws);
    expect(escaped.ok).toBe(false);
    expect(escaped.problems[0]?.problem).toMatch(
      /field "artefacts\[0\]\.path": path "\.\.\/outside" leaves the workspace/,
    );
    await expect(openWorkspace(ws)).rejects.toThrow(WorkspaceError);
  });

  it('finds a file whose size changed and a symlink leading out', async () => {
    const { ws, id } = await withStudy();
    await writeFile(path.join(ws, 'studies', id, 'report.json'), '{"ok":false}\n');
    const { symlink } = await import('node:fs/promises');
    await rm(path.join(ws, 'studies', id, 'stages', 'baseline.json'));
    await writeFile(path.join(dir, 'elsewhere.json'), '{}\n');
    await symlink(path.join(dir, 'elsewhere.json'), path.join(ws, 'studies', id, 'stages', 'baseline.json'));
    const { problems } = await checkWorkspace(ws);
    expect(problems.map((p) => p.problem)).toEqual([
      'has 13 bytes, the manifest records 12',
      expect.stringMatching(/^leads outside the workspace/),
    ]);
  });
});

describe('the lock', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill();
  });

  it('is refused while a live process holds it, and released on close', async () => {
    const ws = await fresh();
    child = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' });
    const pid = child.pid as number;
    const lock = { pid, host: os.hostname(), startedAt: new Date().toISOString(), tool: 'deepcorrect study' };
    await writeFile(path.join(ws, LOCK_FILE), JSON.stringify(lock));
    await expect(openWorkspace(ws, { write: true, tool: 'test' })).rejects.toThrow(
      `the workspace is open in deepcorrect study (pid ${pid}) on this machine`,
    );
    // Reading needs no lock.
    expect((await openWorkspace(ws)).manifest.name).toBe('test');
    child.kill();
    await new Promise((resolve) => child?.once('exit', resolve));
    const lines: string[] = [];
    const w = await openWorkspace(ws, { write: true, tool: 'test', log: (l) => lines.push(l) });
    expect(lines.join('\n')).toMatch(
      `taking over the lock of deepcorrect study (pid ${pid}) on this machine: that process has ended`,
    );
    const held = JSON.parse(await readFile(path.join(ws, LOCK_FILE), 'utf8')) as {
      pid: number;
      tool: string;
    };
    expect(held).toMatchObject({ pid: process.pid, tool: 'test' });
    await expect(openWorkspace(ws, { write: true, tool: 'second' })).rejects.toThrow(
      `the workspace is open in test (pid ${process.pid}) on this machine`,
    );
    await w.close();
    await expect(stat(path.join(ws, LOCK_FILE))).rejects.toThrow();
  });

  it('takes over a lock from another machine only once it is stale', async () => {
    const ws = await fresh();
    const write = (hoursAgo: number): Promise<void> =>
      writeFile(
        path.join(ws, LOCK_FILE),
        JSON.stringify({
          pid: 1,
          host: 'elsewhere',
          startedAt: new Date(Date.now() - hoursAgo * 3_600_000).toISOString(),
          tool: 'deepcorrect study',
        }),
      );
    await write(1);
    await expect(openWorkspace(ws, { write: true, staleHours: 24 })).rejects.toThrow(
      /open in deepcorrect study \(pid 1\) on elsewhere since/,
    );
    await write(30);
    const w = await openWorkspace(ws, { write: true, staleHours: 24 });
    await w.close();
  });
});

describe('opening older and damaged manifests', () => {
  it('migrates version 0 to the current version, keeping the old manifest in backups/', async () => {
    const ws = path.join(dir, 'v0');
    await mkdir(path.join(ws, 'reports', 'r1'), { recursive: true });
    await writeFile(path.join(ws, 'reports', 'r1', 'report.json'), '{}');
    const v0 = {
      version: 0,
      name: 'old',
      createdAt: '2025-01-01T00:00:00.000Z',
      artefacts: [
        {
          id: 'r1',
          kind: 'report',
          name: 'blur report',
          path: 'reports/r1',
          createdAt: '2025-01-02T00:00:00.000Z',
        },
        {
          id: 'gone',
          kind: 'model',
          name: 'lost',
          path: 'models/gone',
          createdAt: '2025-01-03T00:00:00.000Z',
        },
      ],
    };
    await writeFile(path.join(ws, 'workspace.json'), JSON.stringify(v0));
    const lines: string[] = [];
    const w = await openWorkspace(ws, { write: true, log: (l) => lines.push(l) });
    await w.close();
    expect(lines.join('\n')).toMatch(
      /migrated the workspace from version 0 to 2; the old manifest is in .*backups/,
    );
    const manifest = await manifestOf(ws);
    expect(manifest).toMatchObject({ format: 'deepcorrect-workspace', version: 2, name: 'old' });
    expect(manifest.artefacts.map((a) => [a.id, a.kind, a.status, a.files.length])).toEqual([
      ['r1', 'study', 'complete', 1],
      ['gone', 'model', 'interrupted', 0],
    ]);
    const backups = await readdir(path.join(ws, 'backups'));
    expect(backups).toHaveLength(1);
    expect(JSON.parse(await readFile(path.join(ws, 'backups', backups[0] as string), 'utf8'))).toEqual(v0);
    expect((await checkWorkspace(ws)).ok).toBe(true);
  });

  it('reads a version-1 manifest as it is, and writes it as version 2 (old one in backups/) when opened for writing', async () => {
    const { ws } = await withStudy();
    const file = path.join(ws, MANIFEST_FILE);
    const v2 = await manifestOf(ws);
    const v1 = { ...v2, version: 1 };
    await writeFile(file, JSON.stringify(v1));
    const read = await openWorkspace(ws);
    expect(read.manifest).toEqual({ ...v1, version: 2 });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(v1);
    // A version-1 manifest cannot hold the kinds version 2 added: such an entry is a damaged manifest.
    await writeFile(file, JSON.stringify({ ...v1, artefacts: [{ ...v1.artefacts[0], kind: 'evaluation' }] }));
    await expect(openWorkspace(ws)).rejects.toThrow(/field "artefacts\[0\]\.kind"/);
    await writeFile(file, JSON.stringify(v1));
    const lines: string[] = [];
    const w = await openWorkspace(ws, { write: true, log: (l) => lines.push(l) });
    await w.close();
    expect(lines.join('\n')).toMatch(/migrated the workspace from version 1 to 2/);
    expect(await manifestOf(ws)).toEqual({ ...v1, version: 2 });
    expect(await readdir(path.join(ws, 'backups'))).toHaveLength(1);
    expect((await checkWorkspace(ws)).ok).toBe(true);
  });

  it('names the file and the field of a bad manifest, and repair rebuilds it from the folders', async () => {
    const { ws, id } = await withStudy();
    const w = await openWorkspace(ws, { write: true });
    const interrupted = await w.begin('study', 'noise');
    await writeFile(path.join(w.path(interrupted), 'study.json'), '{"config":{}}');
    await w.close();
    const file = path.join(ws, MANIFEST_FILE);
    const good = await manifestOf(ws);
    await writeFile(file, JSON.stringify({ ...good, artefacts: [{ ...good.artefacts[0], status: 'done' }] }));
    await expect(openWorkspace(ws)).rejects.toThrow(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a valid workspace manifest: field "artefacts\\[0\\]\\.status"`,
      ),
    );
    await writeFile(file, '{"format": "deepcorrect-workspace", "artefacts": [{"id": "');
    await expect(openWorkspace(ws)).rejects.toThrow(
      /deepcorrect-workspace\.json: is not valid JSON .*--repair/,
    );
    const broken = await readFile(file, 'utf8');

    const { manifest, backups } = await repairWorkspace(ws);
    expect(backups).toHaveLength(1);
    expect(await readFile(backups[0] as string, 'utf8')).toBe(broken);
    expect(manifest.artefacts.map((a) => [a.kind, a.id, a.status]).sort()).toEqual(
      [
        ['ranking', good.artefacts[1]?.id, 'complete'],
        ['study', id, 'complete'],
        ['study', interrupted.id, 'interrupted'],
      ].sort(),
    );
    expect((await checkWorkspace(ws)).ok).toBe(true);

    // A newer version's manifest is not broken: repair refuses to rewrite it as this version's.
    const repaired = await readFile(file, 'utf8');
    await writeFile(file, JSON.stringify({ ...good, version: 99 }));
    await expect(repairWorkspace(ws)).rejects.toThrow(/newer DeepCorrect Workbench \(workspace version 99/);
    expect(await readdir(path.join(ws, 'backups'))).toHaveLength(1);
    await writeFile(file, repaired);
  });

  it('opens a workspace of 100 studies', async () => {
    const ws = await fresh();
    const manifest = await manifestOf(ws);
    for (let i = 0; i < 100; i++) {
      manifest.artefacts.push({
        id: `study-${i}`,
        kind: 'study',
        name: `study ${i}`,
        path: `studies/study-${i}`,
        createdAt: new Date().toISOString(),
        status: 'complete',
        files: Array.from({ length: 20 }, (_, k) => ({
          path: `studies/study-${i}/file-${k}.json`,
          size: 1000,
          sha256: '0'.repeat(64),
        })),
      });
    }
    await writeFile(path.join(ws, MANIFEST_FILE), JSON.stringify(manifest));
    const w = await openWorkspace(ws);
    // Functional only; the time is measured by `npm run bench -- --only workspace`.
    expect(w.artefacts).toHaveLength(100);
  });
});
