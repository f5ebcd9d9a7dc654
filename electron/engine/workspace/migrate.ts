import type { Artefact, WorkspaceManifest } from '../../../shared/workspace.ts';
import { WORKSPACE_FORMAT, WORKSPACE_VERSION } from '../../../shared/workspace.ts';
import { describeFiles } from './files.ts';
import type { ManifestV0 } from './schema.ts';

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
