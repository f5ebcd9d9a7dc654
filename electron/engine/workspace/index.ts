// The workspace API in one import: folders that list every artefact and every file, and never lose work.
export { checkWorkspace } from './check.ts';
export { WorkspaceError } from './errors.ts';
export { acquireLock, type LockInfo, type LockOptions, type WorkspaceLock } from './lock.ts';
export { LOCK_FILE, MANIFEST_FILE, MANIFEST_FILE_V0 } from './paths.ts';
export { repairWorkspace, type RepairResult } from './repair.ts';
export { initWorkspace, openWorkspace, Workspace, type BeginOptions, type OpenOptions } from './workspace.ts';
export { DEMO_WORKSPACE_ENV, demoWorkspaceDir } from './demo-dir.ts';
export { DEMO_WORKSPACE_NAME, demoWorkspace } from './demo-workspace.ts';
export {
  beginWorkspaceStudy,
  runStudyInWorkspace,
  type WorkspaceStudy,
  type WorkspaceStudyOptions,
} from './run-study-in-workspace.ts';
