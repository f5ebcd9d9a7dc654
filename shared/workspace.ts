/**
 * A workspace: one folder holding datasets (by reference), models, rankings, evaluations, oracle experiments and
 * studies, with a manifest (deepcorrect-workspace.json) that lists every artefact and every file of it with its
 * size and SHA-256, so that damage is found and an interrupted job is known after a crash. Shared by the engine
 * and the UI; pure.
 */

export const WORKSPACE_FORMAT = 'deepcorrect-workspace';
/** 2 added the kinds evaluation and experiment: a build that reads only 1 refuses them by version, not by field. */
export const WORKSPACE_VERSION = 2;

/** The kinds version 1 knew; a version-1 manifest holds only these. */
export const ARTEFACT_KINDS_V1 = ['dataset', 'model', 'ranking', 'study'] as const;
export const ARTEFACT_KINDS = [...ARTEFACT_KINDS_V1, 'evaluation', 'experiment'] as const;
export type ArtefactKind = (typeof ARTEFACT_KINDS)[number];

/** 'interrupted' from the moment the job starts until all its files are written and hashed. */
export type ArtefactStatus = 'complete' | 'interrupted';

export interface ArtefactFile {
  /** Relative to the workspace, POSIX separators. */
  path: string;
  size: number;
  sha256: string;
}

export interface Artefact {
  id: string;
  kind: ArtefactKind;
  name: string;
  /** Relative to the workspace, POSIX separators; never absolute, never leaving the workspace. */
  path: string;
  createdAt: string;
  status: ArtefactStatus;
  /** Every file of the artefact; empty while interrupted. */
  files: ArtefactFile[];
  provenance?: Record<string, unknown>;
}

export interface WorkspaceManifest {
  format: typeof WORKSPACE_FORMAT;
  version: typeof WORKSPACE_VERSION;
  name: string;
  createdAt: string;
  updatedAt: string;
  artefacts: Artefact[];
}

/** A dataset artefact's entry (datasets/<id>.json): the dataset stays where it is. */
export interface DatasetReference {
  path: string;
  summary: Record<string, unknown>;
}

export interface WorkspaceProblem {
  /** The artefact's id, or undefined for the manifest itself. */
  artefact?: string;
  /** The file concerned, relative to the workspace (or the manifest's name). */
  file: string;
  problem: string;
}

export interface ArtefactSummary {
  id: string;
  kind: ArtefactKind;
  name: string;
  path: string;
  status: ArtefactStatus;
  files: number;
  bytes: number;
  createdAt: string;
}

export interface WorkspaceCheck {
  ok: boolean;
  name: string;
  problems: WorkspaceProblem[];
  artefacts: ArtefactSummary[];
}

export function summarizeArtefact(a: Artefact): ArtefactSummary {
  return {
    id: a.id,
    kind: a.kind,
    name: a.name,
    path: a.path,
    status: a.status,
    files: a.files.length,
    bytes: a.files.reduce((sum, f) => sum + f.size, 0),
    createdAt: a.createdAt,
  };
}
