// A read-only file system under a workspace. As root, chmod-based checks would prove nothing (root ignores
// the permission bits: a 0444 manifest is still written), so the fault is a tmpfs remounted read-only,
// which refuses root too (EROFS), as a write-protected card or a failing disk remounted ro by the kernel would.
import { mkdtempSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkspaceManifest } from '../../shared/workspace.ts';
import { checkWorkspace, openWorkspace, WorkspaceError } from '../../electron/engine/workspace/index.ts';
import {
  deepcorrect,
  lostFiles,
  mountTmpfs,
  remount,
  SMALL,
  savedOf,
  tmpfsUnavailable,
  unmount,
} from './fault-kit.ts';

const base = mkdtempSync(path.join(tmpdir(), 'dc-faults-ro-'));
const skipReason = tmpfsUnavailable(base);
if (skipReason !== undefined) process.stdout.write(`[fault-injection] read-only skipped: ${skipReason}\n`);

describe.skipIf(skipReason !== undefined)('a workspace on a read-only file system', () => {
  const mnt = path.join(base, 'mnt');
  const ws = path.join(mnt, 'ws');

  beforeAll(async () => {
    await mkdir(mnt);
    mountTmpfs(mnt, 64 * 2 ** 20);
    // A complete study, so that "nothing changed" covers real artefacts and not only an empty manifest.
    const seed = path.join(base, 'seed');
    expect((await deepcorrect(['workspace', 'init', seed])).code).toBe(0);
    const study = await deepcorrect(['study', '--workspace', seed, ...SMALL]);
    expect(study.code, study.stderr).toBe(0);
    await cp(seed, ws, { recursive: true });
  });
  afterAll(async () => {
    unmount(mnt);
    await rm(base, { recursive: true, force: true });
  });

  it('refuses a study at the lock, naming the path and the read-only disk in words; nothing changes; rw again checks clean', async () => {
    const manifestFile = path.join(ws, 'deepcorrect-workspace.json');
    const before = await readFile(manifestFile, 'utf8');
    const [entry] = (JSON.parse(before) as WorkspaceManifest).artefacts;
    const saved = entry === undefined ? new Map<string, string>() : savedOf(entry);
    const namesBefore = await readdir(path.join(ws, 'studies'));
    remount(mnt, 'ro');
    try {
      const run = await deepcorrect(['study', '--workspace', ws, ...SMALL]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        `${path.join(ws, '.lock')}: cannot create the lock: the file system is read-only`,
      );
      // Refused at the lock: no stage ran.
      expect(run.stderr).not.toMatch(/baseline evaluation/);
      await expect(openWorkspace(ws, { write: true, tool: 'fault test' })).rejects.toThrow(WorkspaceError);
      await expect(openWorkspace(ws, { write: true, tool: 'fault test' })).rejects.toThrow(
        /the file system is read-only/,
      );
      // Reading needs no lock: list and check still work on a read-only disk.
      expect((await openWorkspace(ws)).artefacts).toHaveLength(1);
      expect((await checkWorkspace(ws)).ok).toBe(true);
      const check = await deepcorrect(['workspace', 'check', ws]);
      expect(check.code, check.stderr).toBe(0);
      const discard = await deepcorrect(['workspace', 'discard', ws, entry?.id ?? '']);
      expect(discard.code).toBe(1);
      expect(discard.stderr).toMatch(/\.lock: cannot create the lock: the file system is read-only/);
    } finally {
      remount(mnt, 'rw');
    }
    expect(await readFile(manifestFile, 'utf8')).toBe(before);
    expect(await readdir(path.join(ws, 'studies'))).toEqual(namesBefore);
    expect((await readdir(ws)).filter((n) => n.startsWith('.'))).toEqual([]);
    const writer = await openWorkspace(ws, { write: true, tool: 'fault test' });
    await writer.close();
    expect((await checkWorkspace(ws)).problems).toEqual([]);
    expect(await lostFiles(ws, saved)).toEqual([]);
  });
});
