import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Artefact, ArtefactKind, WorkspaceManifest } from '../../../shared/workspace.ts';
import { WORKSPACE_FORMAT, WORKSPACE_VERSION } from '../../../shared/workspace.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { confined } from './confine.ts';
import { WorkspaceError } from './errors.ts';
import { describeFiles } from './files.ts';
import { newArtefactId } from './ids.ts';
import { acquireLock, type LockOptions, type WorkspaceLock } from './lock.ts';
import { backupManifest, readManifest, writeManifest } from './manifest-file.ts';
import { KIND_DIRS, MANIFEST_FILE, resolveIn } from './paths.ts';
import { ArtefactId } from './schema.ts';

export interface OpenOptions extends Partial<LockOptions> {
  /** Take the lock, migrate an older manifest on disk, and allow changes. */
  write?: boolean;
}

export interface BeginOptions {
  /** A chosen id; by default a slug of the name and the time. */
  id?: string;
  provenance?: Record<string, unknown>;
}

/** Models and studies are folders; rankings and dataset references are one JSON file each. */
const FOLDER_KINDS: ReadonlySet<ArtefactKind> = new Set(['model', 'study']);

function artefactPath(kind: ArtefactKind, id: string): string {
  return `${KIND_DIRS[kind]}/${id}${FOLDER_KINDS.has(kind) ? '' : '.json'}`;
}

/**
 * Creates a workspace in `dir` (created if missing). A folder that already holds a workspace is refused: init
 * never replaces a manifest, whose artefacts would be forgotten.
 */
export async function initWorkspace(
  dir: string,
  options: { name?: string } = {},
): Promise<WorkspaceManifest> {
  const root = path.resolve(dir);
  await mkdir(root, { recursive: true });
  const names = await readdir(root);
  if (names.includes(MANIFEST_FILE) || names.includes('workspace.json'))
    throw new WorkspaceError(root, 'already holds a workspace');
  const now = new Date().toISOString();
  const manifest: WorkspaceManifest = {
    format: WORKSPACE_FORMAT,
    version: WORKSPACE_VERSION,
    name: options.name ?? path.basename(root),
    createdAt: now,
    updatedAt: now,
    artefacts: [],
  };
  await writeManifest(root, manifest);
  return manifest;
}

/**
 * An open workspace. Every change is written through: the artefact's files first, then the manifest,
 * atomically, so that the manifest on disk never lists a file that is not complete. Changes are serialised
 * within the process, and the write lock keeps other processes out.
 */
export class Workspace {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly root: string,
    private current: WorkspaceManifest,
    private readonly lock: WorkspaceLock | undefined,
  ) {}

  /** @internal use openWorkspace */
  static create(root: string, manifest: WorkspaceManifest, lock: WorkspaceLock | undefined): Workspace {
    return new Workspace(root, manifest, lock);
  }

  get manifest(): Readonly<WorkspaceManifest> {
    return this.current;
  }

  get writable(): boolean {
    return this.lock !== undefined;
  }

  get artefacts(): readonly Artefact[] {
    return this.current.artefacts;
  }

  artefact(id: string): Artefact | undefined {
    return this.current.artefacts.find((a) => a.id === id);
  }

  /** The absolute path of an artefact (or of a workspace-relative path), as text: for reading and showing. */
  path(of: Artefact | string): string {
    return resolveIn(this.root, typeof of === 'string' ? of : of.path);
  }

  /**
   * The absolute path of an artefact, checked to stay inside the workspace (no link on the way, real location
   * inside its real root): what to write into or remove. A WorkspaceError names the link or the escape.
   */
  checkedPath(of: Artefact | string): Promise<string> {
    return confined(this.root, typeof of === 'string' ? of : of.path);
  }

  /**
   * Registers a new artefact as 'interrupted' before its job writes anything, so that a crash leaves an entry
   * saying so; a folder artefact's folder is created empty. Returns the entry (its path is where to write).
   */
  begin(kind: ArtefactKind, name: string, options: BeginOptions = {}): Promise<Artefact> {
    return this.change(async () => {
      if (options.id !== undefined) {
        const checked = ArtefactId.safeParse(options.id);
        if (!checked.success)
          throw new WorkspaceError(
            this.root,
            `"${options.id}" is not an artefact id (letters, digits, . _ -)`,
          );
      }
      const onDisk = await readdir(await confined(this.root, KIND_DIRS[kind])).catch(() => []);
      const taken = new Set([
        ...this.current.artefacts.map((a) => a.id),
        ...onDisk.map((n) => n.replace(/\.json$/, '')),
      ]);
      const id = options.id ?? newArtefactId(name, taken);
      if (taken.has(id)) throw new WorkspaceError(this.path(artefactPath(kind, id)), 'already exists');
      const artefact: Artefact = {
        id,
        kind,
        name,
        path: artefactPath(kind, id),
        createdAt: new Date().toISOString(),
        status: 'interrupted',
        files: [],
        ...(options.provenance === undefined ? {} : { provenance: options.provenance }),
      };
      const target = await this.checkedPath(artefact);
      await mkdir(FOLDER_KINDS.has(kind) ? target : path.dirname(target), { recursive: true });
      this.current.artefacts.push(artefact);
      return artefact;
    });
  }

  /**
   * Marks an artefact complete once its job has written everything: every file is listed with its size and
   * SHA-256, then the manifest is rewritten. `provenance` is merged into the entry's.
   */
  complete(id: string, provenance?: Record<string, unknown>): Promise<Artefact> {
    return this.change(async () => {
      const artefact = this.require(id);
      const files = await describeFiles(this.root, artefact.path);
      artefact.files = files;
      artefact.status = 'complete';
      if (provenance !== undefined) artefact.provenance = { ...artefact.provenance, ...provenance };
      return artefact;
    });
  }

  /** Removes an interrupted artefact: its folder or file and its entry. A complete one is refused. */
  discard(id: string): Promise<Artefact> {
    return this.change(async () => {
      const artefact = this.require(id);
      if (artefact.status !== 'interrupted')
        throw new WorkspaceError(
          this.path(artefact),
          `artefact "${id}" is complete; only interrupted ones are discarded`,
        );
      // An artefact path that is a link (or lies under one) is refused, not removed: see confine.ts. rm does
      // not follow links inside the folder; it removes them.
      await rm(await this.checkedPath(artefact), { recursive: true, force: true });
      this.current.artefacts = this.current.artefacts.filter((a) => a !== artefact);
      return artefact;
    });
  }

  /** Records a dataset by reference: datasets/<id>.json holds its absolute path and its summary. */
  async addDataset(datasetPath: string, summary: Record<string, unknown>, name?: string): Promise<Artefact> {
    const shown = name ?? path.basename(datasetPath);
    const at = path.resolve(datasetPath);
    // The path also goes into the manifest, so a view listing the workspace can open the dataset directly.
    return this.addJson('dataset', shown, { path: at, summary }, { dataset: at });
  }

  /** Records a ranking (the JSON of `deepcorrect rank --out`) as rankings/<id>.json. */
  async addRanking(name: string, ranking: unknown, provenance?: Record<string, unknown>): Promise<Artefact> {
    return this.addJson('ranking', name, ranking, provenance);
  }

  private async addJson(
    kind: ArtefactKind,
    name: string,
    value: unknown,
    provenance?: Record<string, unknown>,
  ): Promise<Artefact> {
    const artefact = await this.begin(kind, name, provenance === undefined ? {} : { provenance });
    await writeFileAtomic(await this.checkedPath(artefact), `${JSON.stringify(value, null, 1)}\n`);
    return this.complete(artefact.id);
  }

  /** Releases the lock; the manifest on disk is already current. */
  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.lock?.release();
  }

  private require(id: string): Artefact {
    const artefact = this.artefact(id);
    if (artefact === undefined)
      throw new WorkspaceError(path.join(this.root, MANIFEST_FILE), `holds no artefact "${id}"`);
    return artefact;
  }

  /** Runs one change after the previous ones, then writes the manifest (only if the change succeeded). */
  private change<T>(work: () => Promise<T>): Promise<T> {
    if (this.lock === undefined)
      return Promise.reject(
        new WorkspaceError(this.root, 'is open read-only; open it for writing to change it'),
      );
    const run = this.queue.then(async () => {
      const value = await work();
      this.current.updatedAt = new Date().toISOString();
      await writeManifest(this.root, this.current);
      return value;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/**
 * Opens a workspace: reads and validates the manifest (no hashing; `checkWorkspace` does that). With
 * `write`, takes the lock and, for an older version, saves the old manifest in backups/ and writes the
 * migrated one; read-only, an older version is migrated in memory only.
 */
export async function openWorkspace(dir: string, options: OpenOptions = {}): Promise<Workspace> {
  const root = path.resolve(dir);
  const lock = options.write
    ? await acquireLock(root, {
        tool: options.tool ?? 'deepcorrect',
        ...(options.staleHours === undefined ? {} : { staleHours: options.staleHours }),
        ...(options.log === undefined ? {} : { log: options.log }),
      })
    : undefined;
  try {
    const loaded = await readManifest(root);
    if (lock !== undefined && loaded.migratedFrom !== undefined) {
      const backup = await backupManifest(root, loaded.file, `v${loaded.migratedFrom}`);
      await writeManifest(root, loaded.manifest);
      if (path.basename(loaded.file) !== MANIFEST_FILE) await rm(loaded.file, { force: true });
      options.log?.(
        `migrated the workspace from version ${loaded.migratedFrom} to ${WORKSPACE_VERSION}; the old manifest is in ${backup}`,
      );
    }
    return Workspace.create(root, loaded.manifest, lock);
  } catch (error) {
    await lock?.release();
    throw error;
  }
}
