/**
 * The folders `deepcorrect serve` may use (issue 16, finding 6), as a user starts it: without --allow the
 * current folder is only read and writes go to the app's own data folder; --allow grants read and write,
 * --allow-read reading only; the start-up lines say which is which.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from './connection.ts';
import { demoDatasetDir, demoModelDir } from '../../electron/engine/resources.ts';

const BIN = fileURLToPath(new URL('../../bin/deepcorrect.mjs', import.meta.url));

interface Served {
  child: ChildProcess;
  url: URL;
  stdout: string;
}

/** `deepcorrect serve ARGS` run from `cwd`, with its data folder under `data`; resolves once it prints its URL. */
function serve(args: string[], cwd: string, data: string, renderer: string): Promise<Served> {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_DATA_HOME: data, DEEPCORRECT_RENDERER_DIR: renderer };
  delete env['DEEPCORRECT_DEMO_WORKSPACE'];
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(stdout);
      if (match?.[1] && stdout.includes('Ctrl-C')) resolve({ child, url: new URL(match[1]), stdout });
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${stderr}`)));
  });
}

function stop(served: Served | undefined): Promise<void> {
  if (served === undefined || served.child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    served.child.once('exit', () => resolve());
    served.child.kill('SIGTERM');
  });
}

async function connect(served: Served): Promise<Connection> {
  const token = served.url.searchParams.get('token') ?? '';
  return Connection.open(`ws://127.0.0.1:${served.url.port}/bridge?token=${token}`, served.url.origin);
}

/** The paths on a "folders it may use (…):" line. */
function folders(stdout: string, which: 'read and write' | 'read only'): string[] {
  const line = stdout.split('\n').find((l) => l.startsWith(`folders it may use (${which}): `)) ?? '';
  return line
    .slice(`folders it may use (${which}): `.length)
    .split(', ')
    .filter((f) => f !== '' && f !== 'none');
}

describe('deepcorrect serve: read and write folders', () => {
  let base: string;
  let cwd: string;
  let data: string;
  let renderer: string;
  let served: Served | undefined;
  let conn: Connection | undefined;

  beforeAll(() => {
    base = realpathSync.native(mkdtempSync(path.join(tmpdir(), 'dc-serve-folders-')));
    cwd = path.join(base, 'checkout');
    data = path.join(base, 'data');
    renderer = path.join(base, 'renderer');
    mkdirSync(path.join(cwd, '.git'), { recursive: true });
    // No node_modules here: the engine host must find tsx from the workbench, not from the current folder.
    mkdirSync(renderer);
    writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>DeepCorrect</title>');
  });
  afterAll(async () => {
    conn?.ws.close();
    await stop(served);
    rmSync(base, { recursive: true, force: true });
  });

  it('without --allow: reads the current folder, writes only its data folder, and says so', async () => {
    served = await serve([], cwd, data, renderer);
    const appData = path.join(data, 'deepcorrect');
    expect(folders(served.stdout, 'read and write')).toContain(appData);
    expect(folders(served.stdout, 'read only').sort()).toEqual(
      [cwd, realpathSync.native(demoDatasetDir()), realpathSync.native(demoModelDir())].sort(),
    );
    conn = await connect(served);
    // A checkout's .git/ is no place for a typed output path to land.
    for (const [name, input] of [
      ['workspace.open', { path: path.join(cwd, '.git', 'hooks'), create: true }],
      ['distort.write', { datasetId: 'ds-1', spec: { kind: 'noise', level: 1 }, seed: 1, outDir: cwd }],
    ] as const) {
      const reply = await conn.send(name, input);
      expect(reply, name).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
      expect(JSON.stringify(reply)).toContain('may only read');
    }
    expect(existsSync(path.join(cwd, '.git', 'hooks'))).toBe(false);
    // Reading it still reaches the engine (which finds no dataset there).
    const read = await conn.send('dataset.open', { path: cwd });
    expect(read).toMatchObject({ ok: false, error: { code: 'dataset' } });
    // The data folder takes a new workspace, and holds the demo one.
    const created = await conn.ok<{ root: string }>('workspace.open', {
      path: path.join(appData, 'mine'),
      create: true,
      name: 'Mine',
    });
    expect(created.root).toBe(path.join(appData, 'mine'));
    const demo = await conn.ok<{ root: string }>('workspace.demo', {});
    expect(demo.root).toBe(path.join(appData, 'demo-workspace'));
    conn.ws.close();
    conn = undefined;
    await stop(served);
    served = undefined;
  }, 60_000);

  it('--allow grants read and write, --allow-read reading only, and the current folder nothing', async () => {
    const writable = path.join(base, 'work');
    const readable = path.join(base, 'datasets');
    mkdirSync(writable);
    mkdirSync(readable);
    served = await serve(['--allow', writable, '--allow-read', readable], cwd, data, renderer);
    expect(folders(served.stdout, 'read and write')).toContain(writable);
    expect(folders(served.stdout, 'read only')).toContain(readable);
    expect(served.stdout).not.toContain(`${cwd},`);
    expect(served.stdout).not.toMatch(new RegExp(`${cwd}\\n`));
    conn = await connect(served);
    const write = await conn.send('workspace.open', { path: path.join(readable, 'ws'), create: true });
    expect(write).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
    const elsewhere = await conn.send('dataset.open', { path: cwd });
    expect(elsewhere).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
    expect(JSON.stringify(elsewhere)).toContain('outside the folders this session may use');
    const created = await conn.ok<{ root: string }>('workspace.open', {
      path: path.join(writable, 'ws'),
      create: true,
    });
    expect(created.root).toBe(path.join(writable, 'ws'));
  }, 60_000);
});
