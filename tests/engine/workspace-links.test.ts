/**
 * Issue 16, finding 3: a crafted workspace must not make the engine delete, write or vouch for anything
 * outside it. Workspaces are shared between people, so each case builds one on disk as an attacker would
 * (real folders, real symbolic links, a hand-written manifest) next to an `outside` folder that must come out
 * of every operation exactly as it went in.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudyConfig } from '../../shared/study.ts';
import type { Artefact, WorkspaceManifest } from '../../shared/workspace.ts';
import { StudyFolder } from '../../electron/engine/study/study-folder.ts';
import {
  checkWorkspace,
  initWorkspace,
  LOCK_FILE,
  MANIFEST_FILE,
  openWorkspace,
  repairWorkspace,
  runStudyInWorkspace,
  WorkspaceError,
} from '../../electron/engine/workspace/index.ts';

let base: string;
let n = 0;

/** A fresh workspace `ws` and a folder `outside` beside it holding a file that must survive. */
async function setup(): Promise<{ ws: string; outside: string }> {
  const dir = path.join(base, `case${n++}`);
  const ws = path.join(dir, 'ws');
  const outside = path.join(dir, 'outside');
  await initWorkspace(ws, { name: 'shared' });
  await mkdir(path.join(outside, 'victim'), { recursive: true });
  await writeFile(path.join(outside, 'victim', 'precious.txt'), 'years of work\n');
  await writeFile(path.join(outside, 'keep.txt'), 'keep\n');
  return { ws, outside };
}

/** Every entry under `dir` with the content of each file (and the target of each link): a before/after. */
async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const full = path.join(entry.parentPath, entry.name);
    const rel = path.relative(dir, full);
    if (entry.isFile()) out.push(`${rel}: ${await readFile(full, 'utf8')}`);
    else out.push(`${rel}/`);
  }
  return out.sort();
}

const interrupted = (id: string, p: string): Artefact => ({
  id,
  kind: 'study',
  name: id,
  path: p,
  createdAt: '2026-01-01T00:00:00.000Z',
  status: 'interrupted',
  files: [],
});

/** Writes the manifest by hand, as a crafted workspace would hold it. */
async function craft(ws: string, artefacts: Artefact[]): Promise<string> {
  const file = path.join(ws, MANIFEST_FILE);
  const manifest = JSON.parse(await readFile(file, 'utf8')) as WorkspaceManifest;
  await writeFile(file, JSON.stringify({ ...manifest, artefacts }));
  return file;
}

// Vitest's asymmetric matchers are typed `any`; these say what they stand for inside toEqual.
const containing = (text: string): string => expect.stringContaining(text) as string;
const matching = (pattern: RegExp): string => expect.stringMatching(pattern) as string;

/** The error a call ends in, or undefined: settled first, so a test can show what it did before asking why. */
const outcome = (work: Promise<unknown>): Promise<unknown> =>
  work.then(
    () => undefined,
    (error: unknown) => error,
  );

/** What the bridge's workspace.discard and `deepcorrect workspace discard` do. */
async function discard(ws: string, id: string): Promise<void> {
  const w = await openWorkspace(ws, { write: true, tool: 'test' });
  try {
    await w.discard(id);
  } finally {
    await w.close();
  }
}

const CONFIG: StudyConfig = {
  model: '/models/cnn4',
  dataset: '/data/fashion',
  kind: 'blur',
  levelsName: '1,3',
  levels: [1, 3],
  seed: 1,
  epochs: 1,
  batchSize: 32,
  layers: ['conv1'],
  beta: 0.25,
  rankMethod: 'proxy',
  rankPerClass: 2,
  fineTuneLayers: 'first:1',
  unitOptimizer: 'adam lr 0.001',
  fineTuneOptimizer: 'adam lr 0.001',
  testSplit: 'test',
};

/**
 * A study into the workspace as study.run and `deepcorrect study --workspace` run it: runStudy's first
 * writes are StudyFolder's (study.json, stages/), then a stage record. The run stops there on purpose (the
 * rest of a study writes through the same folder), so the call always rejects; what matters is where it wrote.
 */
async function study(ws: string, options: { resume?: boolean; studyId?: string } = {}): Promise<void> {
  await runStudyInWorkspace(
    ws,
    CONFIG,
    async (outDir, resume) => {
      const folder = await StudyFolder.open(outDir, CONFIG, resume);
      await folder.finishStage('baseline', { value: null, seconds: 1 });
      throw new Error('the test stops the study after its first writes');
    },
    { command: 'test', tool: 'test', ...options },
  );
}

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'dc-workspace-links-'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('a workspace whose studies/ is a link to a folder outside', () => {
  async function linked(): Promise<{ ws: string; outside: string; manifest: string }> {
    const { ws, outside } = await setup();
    await symlink(outside, path.join(ws, 'studies'));
    const manifest = await craft(ws, [interrupted('victim', 'studies/victim')]);
    return { ws, outside, manifest };
  }

  it('refuses to discard the interrupted artefact under it, and removes nothing outside', async () => {
    const { ws, outside } = await linked();
    const before = await snapshot(outside);
    const error = await outcome(discard(ws, 'victim'));
    expect(await snapshot(outside)).toEqual(before);
    expect(error).toBeInstanceOf(WorkspaceError);
    expect(String(error)).toContain(`${path.join(ws, 'studies')}: is a symbolic link (to ${outside})`);
    expect(existsSync(path.join(ws, LOCK_FILE))).toBe(false);
    // Read-only opening (the UI browsing it) is refused the same way.
    await expect(openWorkspace(ws)).rejects.toThrow(/studies: is a symbolic link/);
  });

  it('is reported as damage by check, naming the link and the entry under it', async () => {
    const { ws, outside } = await linked();
    const check = await checkWorkspace(ws);
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual([
      { file: 'studies', problem: containing(`is a symbolic link (to ${outside})`) },
      {
        artefact: 'victim',
        file: 'studies',
        problem: containing(`is a symbolic link (to ${outside})`),
      },
    ]);
  });

  it('receives no file of a study run into the workspace', async () => {
    const { ws, outside } = await setup();
    await symlink(outside, path.join(ws, 'studies'));
    const before = await snapshot(outside);
    const error = await outcome(study(ws));
    expect(await snapshot(outside)).toEqual(before);
    expect(error).toBeInstanceOf(WorkspaceError);
    expect(existsSync(path.join(ws, LOCK_FILE))).toBe(false);
  });

  it('is refused by repair, which registers nothing from outside', async () => {
    const { ws, outside } = await linked();
    await mkdir(path.join(outside, 'elsewhere'));
    await writeFile(path.join(outside, 'elsewhere', 'report.json'), '{}');
    const before = await snapshot(outside);
    await expect(repairWorkspace(ws, { tool: 'test' })).rejects.toThrow(
      /studies: is a symbolic link .*repair does not follow links/,
    );
    expect(await snapshot(outside)).toEqual(before);
    expect(await readFile(path.join(ws, MANIFEST_FILE), 'utf8')).not.toContain('elsewhere');
  });
});

describe('an artefact entry that is itself a link to a folder outside', () => {
  it('is refused when the manifest is read, reported by check, and never removed through', async () => {
    const { ws, outside } = await setup();
    await mkdir(path.join(ws, 'studies'));
    await symlink(path.join(outside, 'victim'), path.join(ws, 'studies', 'victim'));
    const manifest = await craft(ws, [interrupted('victim', 'studies/victim')]);
    const before = await snapshot(outside);
    const refused = discard(ws, 'victim');
    await expect(refused).rejects.toThrow(WorkspaceError);
    await expect(refused).rejects.toThrow(
      `${manifest}: artefact "victim" (studies/victim) does not stay in the workspace: studies/victim is a symbolic link`,
    );
    expect(await snapshot(outside)).toEqual(before);
    // Refused, not unlinked: the link stays for the user to see (check names it).
    expect(existsSync(path.join(ws, 'studies', 'victim'))).toBe(true);
    const check = await checkWorkspace(ws);
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual([
      { artefact: 'victim', file: 'studies/victim', problem: matching(/^is a symbolic link/) },
    ]);
  });
});

describe('a link inside an artefact folder', () => {
  /** An interrupted study (study.json written) whose stages/ is a link to the folder outside. */
  async function withLinkedStages(): Promise<{ ws: string; outside: string }> {
    const { ws, outside } = await setup();
    const folder = path.join(ws, 'studies', 's1');
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'study.json'), JSON.stringify({ config: CONFIG }));
    await symlink(outside, path.join(folder, 'stages'));
    await craft(ws, [interrupted('s1', 'studies/s1')]);
    return { ws, outside };
  }

  it('stops a resumed study before it writes through the link', async () => {
    const { ws, outside } = await withLinkedStages();
    const before = await snapshot(outside);
    const error = await outcome(study(ws, { resume: true, studyId: 's1' }));
    expect(await snapshot(outside)).toEqual(before);
    expect(error).toBeInstanceOf(WorkspaceError);
    expect(String(error)).toContain(`${path.join(ws, 'studies', 's1', 'stages')}: is a symbolic link`);
  });

  it('is reported by check and refused by complete', async () => {
    const { ws, outside } = await withLinkedStages();
    const check = await checkWorkspace(ws);
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual([
      {
        artefact: 's1',
        file: 'studies/s1/stages',
        problem: containing(`is a symbolic link (to ${outside})`),
      },
    ]);
    const w = await openWorkspace(ws, { write: true, tool: 'test' });
    try {
      await expect(w.complete('s1')).rejects.toThrow(
        `${path.join(ws, 'studies', 's1', 'stages')}: is a symbolic link`,
      );
    } finally {
      await w.close();
    }
    expect((await checkWorkspace(ws)).problems.map((p) => p.file)).toEqual(['studies/s1/stages']);
  });

  it('is removed as a link, never followed, when its interrupted artefact is discarded', async () => {
    const { ws, outside } = await withLinkedStages();
    const before = await snapshot(outside);
    await discard(ws, 's1');
    expect(existsSync(path.join(ws, 'studies', 's1'))).toBe(false);
    expect(await snapshot(outside)).toEqual(before);
  });
});

describe('manifest entries that leave the workspace by their path', () => {
  const cases: { name: string; entry: Artefact; says: RegExp }[] = [
    {
      name: "'..'",
      entry: interrupted('victim', '../outside/victim'),
      says: /field "artefacts\[0\]\.path": path "\.\.\/outside\/victim" leaves the workspace \('\.\.'\) \(artefact "victim"\)/,
    },
    {
      name: "'..' inside the path",
      entry: interrupted('victim', 'studies/../../outside/victim'),
      says: /leaves the workspace \('\.\.'\) \(artefact "victim"\)/,
    },
    {
      name: 'an absolute path',
      entry: interrupted('victim', '/etc'),
      says: /field "artefacts\[0\]\.path": path "\/etc" is absolute \(artefact "victim"\)/,
    },
    {
      name: "a recorded file with '..'",
      entry: {
        ...interrupted('victim', 'studies/victim'),
        status: 'complete',
        files: [{ path: '../outside/keep.txt', size: 5, sha256: '0'.repeat(64) }],
      },
      says: /field "artefacts\[0\]\.files\[0\]\.path": .* leaves the workspace .*\(artefact "victim"\)/,
    },
    {
      name: 'a whole kind folder (its discard would remove every study)',
      entry: interrupted('victim', 'studies'),
      says: /path "studies" is a whole kind folder, not one artefact \(artefact "victim"\)/,
    },
    {
      name: "the workspace's own manifest",
      entry: interrupted('victim', MANIFEST_FILE),
      says: /is the workspace's own file, not an artefact \(artefact "victim"\)/,
    },
  ];

  for (const c of cases)
    it(`refuses ${c.name}, naming the manifest and the entry; check reports it; nothing is removed`, async () => {
      const { ws, outside } = await setup();
      await mkdir(path.join(ws, 'studies', 'other'), { recursive: true });
      await writeFile(path.join(ws, 'studies', 'other', 'study.json'), '{}');
      const manifest = await craft(ws, [c.entry]);
      const before = [await snapshot(outside), await snapshot(path.join(ws, 'studies'))];
      const refused = discard(ws, 'victim');
      await expect(refused).rejects.toThrow(WorkspaceError);
      await expect(refused).rejects.toThrow(`${manifest}: not a valid workspace manifest`);
      await expect(refused).rejects.toThrow(c.says);
      expect([await snapshot(outside), await snapshot(path.join(ws, 'studies'))]).toEqual(before);
      expect(existsSync(path.join(ws, MANIFEST_FILE))).toBe(true);
      const check = await checkWorkspace(ws);
      expect(check.ok).toBe(false);
      expect(check.problems).toEqual([{ file: MANIFEST_FILE, problem: matching(c.says) }]);
    });

  it("refuses a new artefact id with '..' before creating anything", async () => {
    const { ws } = await setup();
    const parent = path.dirname(ws);
    const w = await openWorkspace(ws, { write: true, tool: 'test' });
    try {
      await expect(w.begin('study', 'x', { id: '../../escape' })).rejects.toThrow(
        /"\.\.\/\.\.\/escape" is not an artefact id/,
      );
    } finally {
      await w.close();
    }
    expect(existsSync(path.join(parent, 'escape'))).toBe(false);
    expect(existsSync(path.resolve(parent, '..', 'escape'))).toBe(false);
  });
});

describe("the workspace's own files as links", () => {
  it('refuses a manifest that is a link, and check reports it', async () => {
    const { ws, outside } = await setup();
    const file = path.join(ws, MANIFEST_FILE);
    await writeFile(path.join(outside, 'other.json'), await readFile(file, 'utf8'));
    await rm(file);
    await symlink(path.join(outside, 'other.json'), file);
    await expect(openWorkspace(ws)).rejects.toThrow(`${file}: is a symbolic link`);
    const check = await checkWorkspace(ws);
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual([
      { file: MANIFEST_FILE, problem: containing(`${file}: is a symbolic link`) },
    ]);
    await expect(repairWorkspace(ws, { tool: 'test' })).rejects.toThrow(`${file}: is a symbolic link`);
  });

  it('refuses a lock that is a link, leaving its target alone, and check reports it', async () => {
    const { ws, outside } = await setup();
    // A stale lock of another machine: taken over (removed) if the link were followed as a lock.
    const stale = { pid: 1, host: 'elsewhere', tool: 't', startedAt: '2000-01-01T00:00:00.000Z' };
    await writeFile(path.join(outside, 'lock.json'), JSON.stringify(stale));
    await symlink(path.join(outside, 'lock.json'), path.join(ws, LOCK_FILE));
    const before = await snapshot(outside);
    await expect(openWorkspace(ws, { write: true, tool: 'test', staleHours: 0 })).rejects.toThrow(
      `${path.join(ws, LOCK_FILE)}: is a symbolic link`,
    );
    expect(await snapshot(outside)).toEqual(before);
    const check = await checkWorkspace(ws);
    expect(check.problems).toEqual([{ file: LOCK_FILE, problem: matching(/^is a symbolic link/) }]);
  });

  it('writes no backup through a backups/ link when it migrates a version-0 manifest', async () => {
    const { ws, outside } = await setup();
    await rm(path.join(ws, MANIFEST_FILE));
    await writeFile(
      path.join(ws, 'workspace.json'),
      JSON.stringify({ version: 0, name: 'old', createdAt: '2025-01-01T00:00:00.000Z', artefacts: [] }),
    );
    await symlink(outside, path.join(ws, 'backups'));
    const before = await snapshot(outside);
    await expect(openWorkspace(ws, { write: true, tool: 'test' })).rejects.toThrow(
      `${path.join(ws, 'backups')}: is a symbolic link`,
    );
    expect(await snapshot(outside)).toEqual(before);
    expect(existsSync(path.join(ws, 'workspace.json'))).toBe(true);
  });
});
