import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkspaceCheck, WorkspaceManifest } from '../../shared/workspace.ts';
import { cli as runCli } from './run-cli.ts';

const cli = (args: string[]) => runCli(['--backend', 'wasm', ...args]);
// The small study of study-cli.test.ts: the bundled demo, seconds.
const SMALL = [
  ...['--levels', '1,3', '--epochs', '1', '--layers', 'conv2', '--beta', '0.25', '--rank', 'proxy'],
  ...['--rank-per-class', '2', '--train-per-class', '6', '--test-per-class', '5', '--batch', '32'],
  ...['--optimizer', 'adam', '--unit-lr', '0.001', '--finetune-lr', '0.001', '--replicas', '1'],
];

describe('deepcorrect workspace', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dc-workspace-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('holds a study, checks it, and finds a damaged weight file', async () => {
    const ws = path.join(dir, 'ws');
    const init = await cli(['workspace', 'init', ws, '--name', 'demo']);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('workspace "demo" created');
    expect((await cli(['workspace', 'init', ws])).stderr).toMatch(/already holds a workspace/);

    const both = await cli(['study', '--workspace', ws, '--out', path.join(dir, 'x'), ...SMALL]);
    expect(both.code).not.toBe(0);
    expect(both.stderr).toMatch(/--out and --workspace are mutually exclusive/);

    const study = await cli(['study', '--workspace', ws, ...SMALL]);
    expect(study.code, study.stderr).toBe(0);
    expect(study.stderr).toMatch(/study blur-study-\d{8}-\d{4} in /);

    const list = await cli(['workspace', 'list', ws, '--json']);
    expect(list.code, list.stderr).toBe(0);
    const manifest = JSON.parse(list.stdout) as WorkspaceManifest;
    expect(manifest.artefacts).toHaveLength(1);
    const [entry] = manifest.artefacts;
    expect(entry).toMatchObject({ kind: 'study', status: 'complete' });
    const files = entry?.files.map((f) => f.path.slice((entry.path + '/').length)) ?? [];
    expect(files).toEqual(
      expect.arrayContaining([
        'report.json',
        'report.html',
        'ranking.json',
        'study.json',
        'stages/baseline.json',
        'deepcorrect/model.json',
        'deepcorrect/weights.bin',
        'fine-tuned/weights.bin',
      ]),
    );
    expect(entry?.provenance?.models).toEqual([`${entry?.path}/deepcorrect`, `${entry?.path}/fine-tuned`]);

    // A study the workspace knows as interrupted is resumed by its settings, and completed again.
    const file = path.join(ws, 'deepcorrect-workspace.json');
    await writeFile(file, JSON.stringify({ ...manifest, artefacts: [{ ...entry, status: 'interrupted' }] }));
    const resumed = await cli(['study', '--workspace', ws, '--resume', ...SMALL]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming study ${entry?.id}`);
    expect(resumed.stderr).toMatch(/fine-tuning: done earlier/);
    const other = await cli(['study', '--workspace', ws, '--resume', ...SMALL, '--seed', '2']);
    expect(other.stderr).toMatch(/holds no interrupted study with these settings/);

    const sound = await cli(['workspace', 'check', ws]);
    expect(sound.code, sound.stderr).toBe(0);
    expect(sound.stdout).toMatch(/sound: every file is present/);

    const weights = path.join(ws, entry?.path ?? '', 'deepcorrect', 'weights.bin');
    const bytes = await readFile(weights);
    bytes[100] = (bytes[100] ?? 0) ^ 0xff;
    await writeFile(weights, bytes);
    const damaged = await cli(['workspace', 'check', ws, '--json']);
    expect(damaged.code).not.toBe(0);
    expect(damaged.stderr).toMatch(/damaged: .*deepcorrect\/weights\.bin: its checksum differs/);
    const result = JSON.parse(damaged.stdout) as WorkspaceCheck;
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.file)).toEqual([`${entry?.path}/deepcorrect/weights.bin`]);
  });

  it('repairs a corrupt manifest and discards an interrupted artefact', async () => {
    const ws = path.join(dir, 'ws2');
    expect((await cli(['workspace', 'init', ws])).code).toBe(0);
    const file = path.join(ws, 'deepcorrect-workspace.json');
    await writeFile(file, '{ not json');
    const bad = await cli(['workspace', 'check', ws]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/deepcorrect-workspace\.json: is not valid JSON/);
    const repaired = await cli(['workspace', 'check', ws, '--repair']);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(repaired.stderr).toMatch(
      /repaired: the manifest was rebuilt from the folders \(0 artefacts\); the old one is in .*backups/,
    );

    const manifest = JSON.parse(await readFile(file, 'utf8')) as WorkspaceManifest;
    manifest.artefacts.push({
      id: 'half',
      kind: 'model',
      name: 'half',
      path: 'models/half',
      createdAt: new Date().toISOString(),
      status: 'interrupted',
      files: [],
    });
    await writeFile(file, JSON.stringify(manifest));
    const list = await cli(['workspace', 'list', ws]);
    expect(list.stdout).toMatch(/half +model +interrupted/);
    const discard = await cli(['workspace', 'discard', ws, 'half']);
    expect(discard.code, discard.stderr).toBe(0);
    expect((JSON.parse(await readFile(file, 'utf8')) as WorkspaceManifest).artefacts).toEqual([]);
    const missing = await cli(['workspace', 'discard', ws, 'half']);
    expect(missing.stderr).toMatch(/holds no artefact "half"/);
  });
});
