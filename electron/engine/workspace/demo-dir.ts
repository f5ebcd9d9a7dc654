/**
 * Where the demo workspace lives: a per-user folder (it is written to, so never inside the app's resources).
 * Light on imports: the desktop main process and `deepcorrect serve` read it to allow the folder.
 */
import { homedir } from 'node:os';
import path from 'node:path';

/** Overrides the demo workspace's folder (tests; the desktop app sets it for its engine host). */
export const DEMO_WORKSPACE_ENV = 'DEEPCORRECT_DEMO_WORKSPACE';

/**
 * DEEPCORRECT_DEMO_WORKSPACE when set; else `<userData>/demo-workspace` when the desktop app passes its
 * userData folder; else $XDG_DATA_HOME/deepcorrect/demo-workspace (~/.local/share/… by default).
 */
export function demoWorkspaceDir(userData?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env[DEMO_WORKSPACE_ENV];
  if (chosen !== undefined && chosen !== '') return path.resolve(chosen);
  if (userData !== undefined) return path.join(userData, 'demo-workspace');
  const data = env.XDG_DATA_HOME;
  const base = data !== undefined && data !== '' ? data : path.join(homedir(), '.local', 'share');
  return path.join(base, 'deepcorrect', 'demo-workspace');
}
