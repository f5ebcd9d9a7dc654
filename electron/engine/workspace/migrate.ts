import type { Artefact, WorkspaceManifest } from '../../../shared/workspace.ts';
import { WORKSPACE_FORMAT, WORKSPACE_VERSION } from '../../../shared/workspace.ts';
import { describeFiles } from './files.ts';
import type { ManifestV0, ManifestV1 } from './schema.ts';

/**
 * Version 0 to version 1. v0 recorded no status and no files: its artefacts were written by finished jobs, so
 * they become 'complete' with their files hashed as they are now (a one-time cost; after this, `check` has
 * something to compare against). A 'report' was a study's report folder: it is a study. An artefact whose
 * path no longer exists is kept, as 'interrupted' with no files, so that nothing is silently dropped.
 */
export async function migrateV0(root: string, old: ManifestV0): Promise<WorkspaceManifest> {
  const artefacts: Artefact[] = [];
  for (const a of old.artefacts) {
    let files: Artefact['files'] | undefined;
    try {
      files = await describeFiles(root, a.path);
    } catch {
      files = undefined;
    }
    artefacts.push({
      id: a.id,
      kind: a.kind === 'report' ? 'study' : a.kind,
      name: a.name,
      path: a.path,
      createdAt: a.createdAt,
      status: files === undefined ? 'interrupted' : 'complete',
      files: files ?? [],
      provenance: { ...a.provenance, migratedFrom: 0, ...(a.kind === 'report' ? { v0Kind: 'report' } : {}) },
    });
  }
  return {
    format: WORKSPACE_FORMAT,
    version: WORKSPACE_VERSION,
    name: old.name,
    createdAt: old.createdAt,
    updatedAt: new Date().toISOString(),
    artefacts,
  };
}

/**
 * Version 1 to version 2: version 2 only added artefact kinds (evaluation, experiment), so every v1 entry is a
 * valid v2 entry as it is; the number changes so that a build reading only version 1 refuses the workspace by
 * its version instead of failing on an unknown kind (and offering a repair that would drop those entries).
 */
export function migrateV1(old: ManifestV1): WorkspaceManifest {
  return { ...old, version: WORKSPACE_VERSION, artefacts: old.artefacts.map((a) => ({ ...a })) };
}
