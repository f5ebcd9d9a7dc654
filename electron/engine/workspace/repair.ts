import { lstat, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Artefact, ArtefactKind, WorkspaceManifest } from '../../../shared/workspace.ts';
import { ARTEFACT_KINDS, WORKSPACE_FORMAT, WORKSPACE_VERSION } from '../../../shared/workspace.ts';
import { MODEL_FILE } from '../models/manifest.ts';
import { STUDY_FILE } from '../study/study-folder.ts';
import { confined, ownFolderLinks, refuseLinkedFile } from './confine.ts';
import { describeFiles } from './files.ts';
import { WorkspaceError } from './errors.ts';
import { acquireLock, type LockOptions } from './lock.ts';
import { backupManifest } from './manifest-file.ts';
import { KIND_DIRS, MANIFEST_FILE, MANIFEST_FILE_V0 } from './paths.ts';
import { writeManifest } from './manifest-file.ts';
import { ArtefactId } from './schema.ts';

export interface RepairResult {
  manifest: WorkspaceManifest;
  /** Where the manifest that was replaced was saved (none when there was none). */
  backups: string[];
}

/** What an old manifest, however broken, still says about an artefact: kept names and dates are kinder. */
interface Remembered {
  name?: string;
  createdAt?: string;
  provenance?: Record<string, unknown>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

async function remembered(file: string): Promise<Map<string, Remembered>> {
  const out = new Map<string, Remembered>();
  try {
    const value: unknown = JSON.parse(await readFile(file, 'utf8'));
    const list = isRecord(value) && Array.isArray(value.artefacts) ? (value.artefacts as unknown[]) : [];
    for (const a of list) {
      if (!isRecord(a) || typeof a.id !== 'string') continue;
      out.set(a.id, {
        ...(typeof a.name === 'string' ? { name: a.name } : {}),
        ...(typeof a.createdAt === 'string' ? { createdAt: a.createdAt } : {}),
        ...(isRecord(a.provenance) ? { provenance: a.provenance } : {}),
      });
    }
  } catch {
    // unreadable: nothing remembered, the folders alone decide
  }
  return out;
}

const exists = (file: string): Promise<boolean> =>
  stat(file).then(
    () => true,
    () => false,
  );

/** The artefacts a kind's folder holds, and whether each is complete; anything unrecognised is left alone. */
async function found(
  root: string,
  kind: ArtefactKind,
): Promise<{ id: string; path: string; complete: boolean }[]> {
  const dir = KIND_DIRS[kind];
  const names = (await readdir(await confined(root, dir)).catch(() => []))
    .filter((n) => !n.startsWith('.'))
    .sort();
  const out: { id: string; path: string; complete: boolean }[] = [];
  for (const name of names) {
    const full = path.join(root, dir, name);
    // A link is left alone like anything unrecognised: registered, it would make the manifest point outside.
    if ((await lstat(full)).isSymbolicLink() || !ArtefactId.safeParse(name.replace(/\.json$/, '')).success)
      continue;
    if (kind === 'model') {
      if (await exists(path.join(full, MODEL_FILE)))
        out.push({ id: name, path: `${dir}/${name}`, complete: true });
    } else if (kind === 'study') {
      // report.json is a study's last file; study.json alone is a study that did not finish.
      const report = await exists(path.join(full, 'report.json'));
      if (report || (await exists(path.join(full, STUDY_FILE))))
        out.push({ id: name, path: `${dir}/${name}`, complete: report });
    } else if (name.endsWith('.json') && (await stat(full)).isFile()) {
      out.push({ id: name.slice(0, -'.json'.length), path: `${dir}/${name}`, complete: true });
    }
  }
  return out;
}

/**
 * Rebuilds the manifest from the folders present: models/* with model.json, studies/* with report.json
 * (complete) or study.json (interrupted), rankings/*.json, datasets/*.json, evaluations/*.json,
 * experiments/*.json. Files are hashed as they are.
 * The old manifest (and a version-0 one) is saved in backups/ first; no artefact's files are touched.
 * Holds the lock while it works.
 */
/**
 * A manifest written by a newer version is not broken, only newer: rebuilding it as this version's would
 * silently drop what the newer format records, so repair refuses it.
 */
function newerRefused(file: string, value: unknown): void {
  if (isRecord(value) && typeof value.version === 'number' && value.version > WORKSPACE_VERSION)
    throw new WorkspaceError(
      file,
      `was written by a newer DeepCorrect Workbench (workspace version ${value.version}, this one reads up to ${WORKSPACE_VERSION}): update it; repairing would downgrade the workspace`,
    );
}

export async function repairWorkspace(
  dir: string,
  options: Partial<LockOptions> = {},
): Promise<RepairResult> {
  const root = path.resolve(dir);
  const lock = await acquireLock(root, { ...options, tool: options.tool ?? 'deepcorrect workspace repair' });
  try {
    // Repair reads every kind folder and writes backups/: through a link it would register (and hash) files
    // elsewhere, or write there. The user replaces the link; repair does not guess what it meant.
    const [link] = await ownFolderLinks(root);
    if (link !== undefined)
      throw new WorkspaceError(
        path.join(root, link.at),
        `${link.problem}; repair does not follow links, so it stops here`,
      );
    for (const file of [MANIFEST_FILE_V0, MANIFEST_FILE]) await refuseLinkedFile(path.join(root, file));
    const backups: string[] = [];
    const memory = new Map<string, Remembered>();
    let name = path.basename(root);
    let createdAt: string | undefined;
    for (const file of [MANIFEST_FILE_V0, MANIFEST_FILE].map((f) => path.join(root, f))) {
      if (!(await exists(file))) continue;
      try {
        const value: unknown = JSON.parse(await readFile(file, 'utf8'));
        newerRefused(file, value);
        if (isRecord(value) && typeof value.name === 'string') name = value.name;
        if (isRecord(value) && typeof value.createdAt === 'string') createdAt = value.createdAt;
      } catch (error) {
        if (error instanceof WorkspaceError) throw error;
        // not JSON: the name stays the folder's
      }
      backups.push(await backupManifest(root, file, 'repair'));
      for (const [id, r] of await remembered(file)) memory.set(id, r);
    }
    const artefacts: Artefact[] = [];
    for (const kind of ARTEFACT_KINDS) {
      for (const f of await found(root, kind)) {
        const r = memory.get(f.id) ?? {};
        const born = (await stat(path.join(root, f.path))).birthtime.toISOString();
        artefacts.push({
          id: f.id,
          kind,
          name: r.name ?? f.id,
          path: f.path,
          createdAt: r.createdAt ?? born,
          status: f.complete ? 'complete' : 'interrupted',
          files: f.complete ? await describeFiles(root, f.path) : [],
          provenance: { ...r.provenance, repairedAt: new Date().toISOString() },
        });
      }
    }
    artefacts.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const now = new Date().toISOString();
    const manifest: WorkspaceManifest = {
      format: WORKSPACE_FORMAT,
      version: WORKSPACE_VERSION,
      name,
      createdAt: createdAt ?? now,
      updatedAt: now,
      artefacts,
    };
    await writeManifest(root, manifest);
    // The v0 manifest is in backups/; left in place it would describe a layout that no longer applies.
    await rm(path.join(root, MANIFEST_FILE_V0), { force: true });
    return { manifest, backups };
  } finally {
    await lock.release();
  }
}
