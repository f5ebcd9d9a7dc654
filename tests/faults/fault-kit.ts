// Shared pieces of the fault-injection suite: the tiny study, a spawnable CLI, and file checksums computed
// here rather than by the workspace code, so that a bug in checkWorkspace cannot hide a lost artefact.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Artefact } from '../../shared/workspace.ts';

/** The smallest study of tests/cli/workspace-cli.test.ts: the bundled demo, about two seconds on wasm. */
export const SMALL = [
  ...['--levels', '1,3', '--epochs', '1', '--layers', 'conv2', '--beta', '0.25', '--rank', 'proxy'],
  ...['--rank-per-class', '2', '--train-per-class', '6', '--test-per-class', '5', '--batch', '32'],
  ...['--optimizer', 'adam', '--unit-lr', '0.001', '--finetune-lr', '0.001', '--replicas', '1'],
];

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs `deepcorrect --backend wasm …` and, when `killAfterMs` is given, SIGKILLs it then: no handler runs,
 * no lock is released, no temporary file is removed, exactly as a crash or a power cut would leave it.
 */
export function deepcorrect(args: readonly string[], killAfterMs?: number): Promise<Run> {
  const started = performance.now();
  const child = spawn('node', ['bin/deepcorrect.mjs', '--backend', 'wasm', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
}

export const sha256 = async (file: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

/** path (workspace-relative) → SHA-256 of every file the manifest lists for the artefact. */
export type Saved = Map<string, string>;

export function savedOf(artefact: Artefact): Saved {
  return new Map(artefact.files.map((f) => [f.path, f.sha256]));
}

/**
 * The files of a saved artefact that are no longer there as they were saved: missing, or with other bytes.
 * Hashed here, independently of the workspace code.
 */
export async function lostFiles(root: string, saved: Saved): Promise<string[]> {
  const lost: string[] = [];
  for (const [rel, expected] of saved) {
    const actual = await sha256(path.join(root, ...rel.split('/'))).catch(() => 'missing');
    if (actual !== expected) lost.push(`${rel} (${actual === 'missing' ? 'missing' : 'changed'})`);
  }
  return lost;
}

/** Every name starting with '.' under `dir` (temporary files of atomic writes, staging, the lock). */
export async function dotFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.name.startsWith('.')) out.push(full);
    if (entry.isDirectory()) out.push(...(await dotFiles(full)));
  }
  return out;
}

/**
 * Whether this process may mount a tmpfs (root, or a container that allows it), tried for real: the reason
 * printed when the mount tests are skipped.
 */
export function tmpfsUnavailable(probeDir: string): string | undefined {
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probeDir], {
    encoding: 'utf8',
  });
  if (mounted.status !== 0)
    return `cannot mount a tmpfs here (${(mounted.stderr || mounted.error?.message || 'mount failed').trim()}): needs root or CAP_SYS_ADMIN`;
  spawnSync('umount', [probeDir]);
  return undefined;
}

export function mountTmpfs(dir: string, bytes: number): void {
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mount tmpfs on ${dir}: ${r.stderr}`);
}

export function remount(dir: string, mode: 'ro' | 'rw'): void {
  const r = spawnSync('mount', ['-o', `remount,${mode}`, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`remount ${mode} ${dir}: ${r.stderr}`);
}

export function unmount(dir: string): void {
  spawnSync('umount', [dir]);
}
