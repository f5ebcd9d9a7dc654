import { constants } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Artefact, WorkspaceManifest } from '../../../shared/workspace.ts';
import { WORKSPACE_VERSION } from '../../../shared/workspace.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { confined, escapeChecker, ownFolderLinks, refuseLinkedFile, type Escape } from './confine.ts';
import { WorkspaceError, reason } from './errors.ts';
import { migrateV0, migrateV1 } from './migrate.ts';
import { BACKUPS_DIR, KIND_DIRS, MANIFEST_FILE, MANIFEST_FILE_V0 } from './paths.ts';
import { ManifestSchema, ManifestV0Schema, ManifestV1Schema, validate } from './schema.ts';

export interface LoadedManifest {
  manifest: WorkspaceManifest;
  /** The file it was read from (the v0 name for a workspace still in version 0). */
  file: string;
  /** Set when the manifest on disk is an older version and `manifest` is its migration. */
  migratedFrom?: number;
}

/** Opening refuses a link where the system can say so (O_NOFOLLOW); elsewhere an lstat first looks. */
const NO_FOLLOW: number | undefined = constants.O_NOFOLLOW;

async function readText(file: string): Promise<string | undefined> {
  // A manifest that is a link would be read from elsewhere: another workspace's, or any JSON of the user's.
  if (NO_FOLLOW === undefined) await refuseLinkedFile(file);
  try {
    return await readFile(file, { encoding: 'utf8', flag: constants.O_RDONLY | (NO_FOLLOW ?? 0) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') await refuseLinkedFile(file);
    throw new WorkspaceError(file, `cannot be read: ${reason(error)}`, { cause: error });
  }
}

/**
 * Reads and validates the manifest, migrating an older version in memory (the caller writes it back, after a
 * backup, when it holds the lock), and refuses a workspace that does not stay inside itself: an own folder
 * (studies/, ..., backups/) that is a link, or an artefact whose path leads out (see escapeOf). Never hashes
 * files except to migrate v0, which recorded none.
 */
export async function readManifest(root: string): Promise<LoadedManifest> {
  // Independent looks at the disk, taken together: opening stays as quick as it was before these checks.
  const escapes = escapeChecker(root, Object.values(KIND_DIRS));
  const [loaded, [link]] = await Promise.all([loadManifest(root), ownFolderLinks(root)]);
  if (link !== undefined) throw new WorkspaceError(path.join(root, link.at), link.problem);
  const [escape] = await artefactEscapes(root, loaded.manifest.artefacts, escapes);
  if (escape !== undefined)
    throw new WorkspaceError(
      loaded.file,
      `artefact "${escape.artefact.id}" (${escape.artefact.path}) does not stay in the workspace: ${escape.at} ${escape.problem}`,
    );
  return loaded;
}

/** Each artefact whose path does not stay inside the workspace, in manifest order, with why. */
export async function artefactEscapes(
  root: string,
  artefacts: readonly Artefact[],
  checker = escapeChecker(root),
): Promise<(Escape & { artefact: Artefact })[]> {
  const escapes = await checker(artefacts.map((a) => a.path));
  return artefacts.flatMap((artefact, i) => {
    const escape = escapes[i];
    return escape === undefined ? [] : [{ ...escape, artefact }];
  });
}

/**
 * Reads and validates the manifest (paths checked as text only), migrating an older version in memory:
 * `check` reads it so, to report every escape rather than stop at the first.
 */
export async function loadManifest(root: string): Promise<LoadedManifest> {
  let file = path.join(root, MANIFEST_FILE);
  let text = await readText(file);
  if (text === undefined) {
    const v0 = path.join(root, MANIFEST_FILE_V0);
    text = await readText(v0);
    if (text === undefined)
      throw new WorkspaceError(
        root,
        `is not a workspace (no ${MANIFEST_FILE}): create one with 'deepcorrect workspace init'`,
      );
    file = v0;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new WorkspaceError(
      file,
      `is not valid JSON (${reason(error)}); 'deepcorrect workspace check --repair' rebuilds it from the folders`,
    );
  }
  const version =
    typeof value === 'object' && value !== null && 'version' in value ? value.version : undefined;
  if (typeof version === 'number' && version > WORKSPACE_VERSION)
    throw new WorkspaceError(
      file,
      `is workspace version ${version}; this DeepCorrect reads up to ${WORKSPACE_VERSION}: update it`,
    );
  if (path.basename(file) === MANIFEST_FILE_V0 || version === 0) {
    const old = validate(ManifestV0Schema, value, file);
    return { manifest: await migrateV0(root, old), file, migratedFrom: 0 };
  }
  if (version === 1)
    return { manifest: migrateV1(validate(ManifestV1Schema, value, file)), file, migratedFrom: 1 };
  return { manifest: validate(ManifestSchema, value, file), file };
}

export async function writeManifest(root: string, manifest: WorkspaceManifest): Promise<void> {
  await writeFileAtomic(path.join(root, MANIFEST_FILE), `${JSON.stringify(manifest, null, 1)}\n`);
}

/**
 * Copies a manifest into backups/ before it is replaced (a migration) or rebuilt (a repair), so that neither
 * ever loses what the old one said. Returns the backup's path.
 */
export async function backupManifest(root: string, file: string, why: string): Promise<string> {
  const bytes = await readFile(file);
  const dir = await confined(root, BACKUPS_DIR);
  await mkdir(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const target = path.join(dir, `${path.basename(file, '.json')}.${why}.${stamp}.json`);
  await writeFileAtomic(target, bytes);
  return target;
}
