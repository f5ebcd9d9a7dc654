import path from 'node:path';

export const MANIFEST_FILE = 'deepcorrect-workspace.json';
/** Version 0 (the pre-release layout) kept its manifest under this name. */
export const MANIFEST_FILE_V0 = 'workspace.json';
export const LOCK_FILE = '.lock';
export const BACKUPS_DIR = 'backups';
export const KIND_DIRS = {
  dataset: 'datasets',
  model: 'models',
  ranking: 'rankings',
  study: 'studies',
  evaluation: 'evaluations',
  experiment: 'experiments',
} as const;

/**
 * Why a manifest path is not a safe workspace-relative POSIX path, or undefined when it is. The manifest is
 * data from disk: a path that is absolute or climbs out would let a damaged or crafted manifest point check,
 * discard or the UI at files outside the workspace.
 */
export function relativePathProblem(p: string): string | undefined {
  if (p === '') return 'is empty';
  if (p.includes('\\')) return 'uses backslashes (manifest paths use POSIX separators)';
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) return 'is absolute';
  if (p.split('/').some((part) => part === '..')) return "leaves the workspace ('..')";
  if (p.split('/').some((part) => part === '' || part === '.')) return 'is not normalised';
  return undefined;
}

/**
 * Why a manifest entry's own path cannot be an artefact's, or undefined: besides relativePathProblem, it must
 * not be the workspace's own files (manifest, lock, backups/) nor a whole kind folder, which a discard would
 * remove with every artefact in it.
 */
export function artefactPathProblem(p: string): string | undefined {
  const problem = relativePathProblem(p);
  if (problem !== undefined) return problem;
  const first = p.split('/')[0];
  const own: readonly string[] = [MANIFEST_FILE, MANIFEST_FILE_V0, LOCK_FILE, BACKUPS_DIR];
  if (first !== undefined && own.includes(first)) return "is the workspace's own file, not an artefact";
  if ((Object.values(KIND_DIRS) as readonly string[]).includes(p))
    return 'is a whole kind folder, not one artefact';
  return undefined;
}

/** The absolute path of a checked workspace-relative path. */
export function resolveIn(root: string, relative: string): string {
  return path.join(root, ...relative.split('/'));
}

/** A path under the workspace as the manifest writes it. */
export function toRelative(root: string, absolute: string): string {
  return path.relative(root, absolute).split(path.sep).join('/');
}
