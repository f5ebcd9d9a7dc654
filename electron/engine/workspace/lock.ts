import { readFileSync, rmSync } from 'node:fs';
import { open, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { refuseLinkedFile } from './confine.ts';
import { WorkspaceError, reason } from './errors.ts';
import { LOCK_FILE } from './paths.ts';

/** What .lock holds while a process has the workspace open for writing. */
export interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  tool: string;
}

export interface LockOptions {
  /** Who takes the lock, shown to anyone refused (e.g. 'deepcorrect study'). */
  tool: string;
  /** A lock from another machine older than this is taken over: its pid cannot be checked from here. */
  staleHours?: number;
  /** Told when a stale lock is taken over. */
  log?: (line: string) => void;
}

export interface WorkspaceLock {
  readonly file: string;
  readonly info: LockInfo;
  /** The lock this one replaced, when it was stale. */
  readonly tookOver?: LockInfo;
  release(): Promise<void>;
}

const DEFAULT_STALE_HOURS = 24;
/** A lock file that is not JSON may be one being written this instant; only an older one is debris. */
const UNREADABLE_GRACE_MS = 10_000;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else; only ESRCH says it is gone.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function parseLock(text: string): LockInfo | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.tool === 'string')
      return { pid: v.pid, host: v.host, tool: v.tool, startedAt: String(v.startedAt ?? '') };
  } catch {
    // handled by the caller as an unreadable lock
  }
  return undefined;
}

// Locks this process holds, released synchronously on exit however the process ends.
const held = new Map<string, string>();
let exitHooked = false;

function releaseSync(file: string): void {
  const content = held.get(file);
  held.delete(file);
  try {
    if (content !== undefined && readFileSync(file, 'utf8') === content) rmSync(file, { force: true });
  } catch {
    // already gone
  }
}

function onSignal(signal: NodeJS.Signals): void {
  // Another listener (a job's cancel handler) means the signal is handled and the process ends normally,
  // releasing on exit; alone, the lock goes now and the signal is raised again for its default effect.
  if (process.listenerCount(signal) > 1) return;
  for (const file of [...held.keys()]) releaseSync(file);
  unhookSignals();
  process.kill(process.pid, signal);
}

function unhookSignals(): void {
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
}

function hookExit(): void {
  if (!exitHooked) {
    exitHooked = true;
    process.on('exit', () => {
      for (const file of [...held.keys()]) releaseSync(file);
    });
  }
  // Only while a lock is held: otherwise the process keeps its default signal behaviour untouched.
  if (!process.listeners('SIGINT').includes(onSignal)) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
}

function describeHolder(info: LockInfo): string {
  return `${info.tool} (pid ${info.pid})`;
}

async function tryCreate(file: string, content: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // The folder itself is missing: say so, not that a lock file could not be made in it.
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      const dir = path.dirname(file);
      const what = code === 'ENOENT' ? 'no such folder' : 'not a folder';
      throw new WorkspaceError(
        dir,
        `${what}, so not a workspace: create one with 'deepcorrect workspace init ${dir}'`,
        { cause: error },
      );
    }
    throw new WorkspaceError(file, `cannot create the lock: ${reason(error)}`, { cause: error });
  }
  try {
    await handle.writeFile(content);
    await handle.sync();
  } catch (error) {
    // A lock left empty (a full disk) would read as one being written and block the workspace for the grace
    // period; it is ours, just created, so it goes, and the error says why.
    await handle.close().catch(() => undefined);
    handle = undefined;
    await rm(file, { force: true }).catch(() => undefined);
    throw new WorkspaceError(file, `cannot write the lock: ${reason(error)}`, { cause: error });
  } finally {
    await handle?.close();
  }
  return true;
}

/**
 * Why the existing lock stands (a message), or the stale lock to take over. A lock on this machine stands
 * while its process lives; one from another machine stands until it is `staleHours` old.
 */
async function judge(file: string, staleHours: number): Promise<{ refuse: string } | { stale: LockInfo }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { stale: { pid: 0, host: '', tool: '', startedAt: '' } };
    throw error;
  }
  const info = parseLock(text);
  if (info === undefined) {
    const age = Date.now() - (await stat(file)).mtimeMs;
    if (age < UNREADABLE_GRACE_MS) return { refuse: 'the workspace is being opened by another process' };
    return { stale: { pid: 0, host: '?', tool: 'an unreadable lock', startedAt: '' } };
  }
  if (info.host === os.hostname()) {
    if (pidAlive(info.pid))
      return { refuse: `the workspace is open in ${describeHolder(info)} on this machine` };
    return { stale: info };
  }
  const ageHours = (Date.now() - Date.parse(info.startedAt)) / 3_600_000;
  if (!(ageHours > staleHours))
    return {
      refuse: `the workspace is open in ${describeHolder(info)} on ${info.host} since ${info.startedAt}`,
    };
  return { stale: info };
}

/**
 * Takes the workspace's write lock: .lock created exclusively ('wx'), so two processes cannot both win.
 * A live holder is refused with a WorkspaceError naming its tool and pid; a dead one (or a foreign one older
 * than staleHours) is taken over, and `log` is told. Released by `release()`, and on exit or SIGINT/SIGTERM.
 */
export async function acquireLock(root: string, options: LockOptions): Promise<WorkspaceLock> {
  const file = path.join(root, LOCK_FILE);
  const info: LockInfo = {
    pid: process.pid,
    host: os.hostname(),
    startedAt: new Date().toISOString(),
    tool: options.tool,
  };
  const content = `${JSON.stringify(info)}\n`;
  let tookOver: LockInfo | undefined;
  // Twice at most: once as is, once after removing a stale lock (losing that race to another taker refuses).
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await tryCreate(file, content)) {
      held.set(file, content);
      hookExit();
      return {
        file,
        info,
        ...(tookOver === undefined ? {} : { tookOver }),
        release: async () => {
          if (!held.has(file)) return;
          held.delete(file);
          if (held.size === 0) unhookSignals();
          const now = await readFile(file, 'utf8').catch(() => undefined);
          if (now === content) await rm(file, { force: true });
        },
      };
    }
    if (attempt === 1) break;
    // A lock that is a link would be judged by a file elsewhere (and, taken over, removed as debris): the
    // workspace is refused until the link is gone.
    await refuseLinkedFile(file);
    const verdict = await judge(file, options.staleHours ?? DEFAULT_STALE_HOURS);
    if ('refuse' in verdict) throw new WorkspaceError(file, verdict.refuse);
    tookOver = verdict.stale;
    if (tookOver.pid !== 0)
      options.log?.(
        `taking over the lock of ${describeHolder(tookOver)} on ${tookOver.host === os.hostname() ? 'this machine' : tookOver.host}: ` +
          `${tookOver.host === os.hostname() ? 'that process has ended' : 'it is stale'}`,
      );
    else options.log?.(`taking over a stale lock (${file})`);
    await rm(file, { force: true });
  }
  throw new WorkspaceError(file, 'another process took the workspace lock at the same moment');
}
