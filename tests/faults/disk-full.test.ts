// A full disk, for real: a tmpfs a little larger than one study, holding a workspace with a complete study,
// then a second study that cannot fit. It must fail saying the disk is full and which file, leave the first
// study intact and the workspace sound, and leave temporary files only inside its own interrupted folder,
// which `workspace discard` removes. A second case fills the disk completely before the study starts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkspaceManifest } from '../../shared/workspace.ts';
import { checkWorkspace, openWorkspace } from '../../electron/engine/workspace/index.ts';
import {
  deepcorrect,
  dotFiles,
  lostFiles,
  mountTmpfs,
  SMALL,
  savedOf,
  tmpfsUnavailable,
  unmount,
  type Saved,
} from './fault-kit.ts';

const base = mkdtempSync(path.join(tmpdir(), 'dc-faults-disk-'));
const skipReason = tmpfsUnavailable(base);
if (skipReason !== undefined) process.stdout.write(`[fault-injection] disk-full skipped: ${skipReason}\n`);

const manifestOf = async (ws: string): Promise<WorkspaceManifest> =>
  JSON.parse(await readFile(path.join(ws, 'deepcorrect-workspace.json'), 'utf8')) as WorkspaceManifest;

describe.skipIf(skipReason !== undefined)('a full disk under a workspace study', () => {
  const mnt = path.join(base, 'mnt');
  const seed = path.join(base, 'seed');
  let footprint = 0;
  let firstId = '';
  let first: Saved = new Map<string, string>();

  beforeAll(async () => {
    // One complete study made on the ordinary disk and measured: the tmpfs is sized from it.
    expect((await deepcorrect(['workspace', 'init', seed])).code).toBe(0);
    const study = await deepcorrect(['study', '--workspace', seed, ...SMALL]);
    expect(study.code, study.stderr).toBe(0);
    footprint = Number(spawnSync('du', ['-sb', seed], { encoding: 'utf8' }).stdout.split('\t')[0]);
    expect(footprint).toBeGreaterThan(1_000_000);
    const [entry] = (await manifestOf(seed)).artefacts;
    firstId = entry?.id ?? '';
    first = entry === undefined ? new Map<string, string>() : savedOf(entry);
    await mkdir(mnt);
  });
  afterAll(async () => {
    unmount(mnt);
    await rm(base, { recursive: true, force: true });
  });

  it('fails mid-study on a full disk, naming the file and the problem in words; the saved study is intact, discard cleans up', async () => {
    // Room for the copied study and about half of a second one: the second fails in its middle.
    mountTmpfs(mnt, Math.ceil((footprint * 1.5) / 4096) * 4096);
    try {
      const ws = path.join(mnt, 'ws');
      await cp(seed, ws, { recursive: true });
      const run = await deepcorrect(['study', '--workspace', ws, ...SMALL]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/no space left on (the disk|device)/);
      expect(run.stderr).not.toMatch(/ENOSPC/);
      // The message names the file that could not be written, inside the new study's folder.
      const failed = (await manifestOf(ws)).artefacts.find((a) => a.id !== firstId);
      expect(failed?.status).toBe('interrupted');
      const failedDir = path.join(ws, failed?.path ?? 'missing');
      expect(run.stderr).toContain(failedDir);

      const opened = await openWorkspace(ws, { write: true, tool: 'fault test' });
      await opened.close();
      const check = await checkWorkspace(ws);
      expect(check.problems).toEqual([]);
      expect(await lostFiles(ws, first)).toEqual([]);
      // Temporary files may remain only inside the failed study (a write cut short); none elsewhere.
      expect((await dotFiles(ws)).filter((f) => !f.startsWith(`${failedDir}/`))).toEqual([]);

      const discard = await deepcorrect(['workspace', 'discard', ws, failed?.id ?? '']);
      expect(discard.code, discard.stderr).toBe(0);
      expect(await dotFiles(ws)).toEqual([]);
      expect((await manifestOf(ws)).artefacts.map((a) => a.id)).toEqual([firstId]);
      expect((await checkWorkspace(ws)).ok).toBe(true);
    } finally {
      unmount(mnt);
    }
  });

  it('a disk already full refuses the study at its lock, naming it, and leaves no lock behind', async () => {
    mountTmpfs(mnt, Math.ceil((footprint * 1.2) / 4096) * 4096);
    try {
      const ws = path.join(mnt, 'ws');
      await cp(seed, ws, { recursive: true });
      const before = await readFile(path.join(ws, 'deepcorrect-workspace.json'));
      // Fill every remaining byte: writing until ENOSPC.
      const fill = spawnSync('sh', ['-c', `cat /dev/zero > ${path.join(mnt, 'filler')}`]);
      expect(fill.status).not.toBe(0);
      const run = await deepcorrect(['study', '--workspace', ws, ...SMALL]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/\.lock: cannot write the lock: no space left on the disk/);
      // An empty .lock would read as one being written and block the workspace for ten seconds.
      expect(await dotFiles(ws)).toEqual([]);
      expect(await readFile(path.join(ws, 'deepcorrect-workspace.json'))).toEqual(before);
      await rm(path.join(mnt, 'filler'));
      const opened = await openWorkspace(ws, { write: true, tool: 'fault test' });
      await opened.close();
      expect((await checkWorkspace(ws)).problems).toEqual([]);
      expect(await lostFiles(ws, first)).toEqual([]);
      // Full again: the API refuses the same way, and again leaves no empty lock for the next opener.
      await writeFile(path.join(mnt, 'filler'), Buffer.alloc(0));
      const full = spawnSync('sh', ['-c', `cat /dev/zero >> ${path.join(mnt, 'filler')}`]);
      expect(full.status).not.toBe(0);
      const writer = await openWorkspace(ws, { write: true, tool: 'fault test' }).catch((e: unknown) => e);
      expect(String(writer)).toMatch(/\.lock: cannot write the lock: no space left on the disk/);
      expect(await dotFiles(ws)).toEqual([]);
    } finally {
      unmount(mnt);
    }
  });
});
