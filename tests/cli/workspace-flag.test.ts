import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkspaceManifest } from '../../shared/workspace.ts';
import { cli as runCli, type CliResult } from './run-cli.ts';

const DEMO = 'resources/datasets/fashion-mnist-demo';
const MODEL = 'resources/models/fashion-mnist-cnn4';
// The tiny settings of evaluate-cli, rank-cli and correct-cli.test.ts: each run takes seconds.
const RANK = ['--levels', '1,3', '--layers', 'conv4', '--per-class', '2', '--method', 'proxy'];
const MIXED = [
  ...['--levels', '2,3', '--epochs', '1', '--train-per-class', '8', '--batch', '16', '--optimizer', 'adam'],
];

const cli = (args: string[]) => runCli(['--backend', 'wasm', ...args]);

/** The artefact paths of the "kept in WS as NAME (PATH)" lines a run printed on stderr. */
function keptPaths(r: CliResult): string[] {
  return [...r.stderr.matchAll(/^kept in ws as "[^"]+" \(([^)]+)\)$/gm)].map((m) => m[1] ?? '');
}

async function manifestOf(ws: string): Promise<WorkspaceManifest> {
  const list = await cli(['workspace', 'list', ws, '--json']);
  expect(list.code, list.stderr).toBe(0);
  return JSON.parse(list.stdout) as WorkspaceManifest;
}

const exists = (file: string): Promise<boolean> =>
  access(file).then(
    () => true,
    () => false,
  );

describe('--workspace on evaluate, rank, train, correct and finetune', () => {
  let dir: string;
  let ws: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dc-workspace-flag-'));
    ws = path.join(dir, 'ws');
    const init = await cli(['workspace', 'init', ws]);
    expect(init.code, init.stderr).toBe(0);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps each result in the workspace, says where, and the workspace lists them complete', async () => {
    const kept: string[] = [];
    const evaluated = await cli([
      'evaluate',
      ...['--model', MODEL, '--dataset', DEMO, '--per-class', '2'],
      ...['--levels', '1,2', '--workspace', ws],
    ]);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(evaluated.stdout).toContain('20 images, blur');
    kept.push(...keptPaths(evaluated));

    const rankingFile = path.join(dir, 'ranking.json');
    const ranked = await cli([
      'rank',
      ...['--model', MODEL, '--dataset', DEMO],
      ...RANK,
      ...['--out', rankingFile, '--experiment', '--eval-per-class', '2', '--workspace', ws],
    ]);
    expect(ranked.code, ranked.stderr).toBe(0);
    expect(keptPaths(ranked)).toEqual([
      expect.stringMatching(/^rankings\/.+\.json$/),
      expect.stringMatching(/^experiments\/.+\.json$/),
    ]);
    kept.push(...keptPaths(ranked));
    // --out's file is what it is without a workspace: the ranking and its experiment, no note of the saving.
    const written = JSON.parse(await readFile(rankingFile, 'utf8')) as Record<string, unknown>;
    expect(written).toHaveProperty('experiment');
    expect(written).not.toHaveProperty('saved');

    const trained = await cli([
      'train',
      ...['--dataset', DEMO, '--arch', 'cnn4', '--epochs', '1'],
      ...['--train-per-class', '4', '--batch', '16', '--out', path.join(dir, 'baseline'), '--workspace', ws],
    ]);
    expect(trained.code, trained.stderr).toBe(0);
    kept.push(...keptPaths(trained));

    const corrected = await cli([
      'correct',
      ...['--model', MODEL, '--dataset', DEMO, '--ranking', rankingFile],
      ...['--beta', '0.25', ...MIXED, '--out', path.join(dir, 'corrected'), '--workspace', ws],
    ]);
    expect(corrected.code, corrected.stderr).toBe(0);
    kept.push(...keptPaths(corrected));

    const tuned = await cli([
      'finetune',
      ...['--model', MODEL, '--dataset', DEMO, '--layers', 'first:1'],
      ...MIXED,
      ...['--out', path.join(dir, 'tuned'), '--workspace', ws],
    ]);
    expect(tuned.code, tuned.stderr).toBe(0);
    kept.push(...keptPaths(tuned));

    const { artefacts } = await manifestOf(ws);
    expect(artefacts.map((a) => a.kind)).toEqual([
      'evaluation',
      'ranking',
      'experiment',
      'model',
      'model',
      'model',
    ]);
    expect(artefacts.map((a) => a.path)).toEqual(kept);
    expect(artefacts.every((a) => a.status === 'complete')).toBe(true);
    expect(artefacts.map((a) => a.provenance?.tool)).toEqual([
      'deepcorrect evaluate',
      'deepcorrect rank',
      'deepcorrect rank',
      'deepcorrect train',
      'deepcorrect correct',
      'deepcorrect finetune',
    ]);
    // The trained models are written to --out as always, and a copy is registered in the workspace.
    for (const [out, artefact] of [
      ['baseline', artefacts[3]],
      ['corrected', artefacts[4]],
      ['tuned', artefacts[5]],
    ] as const) {
      expect(await exists(path.join(dir, out, 'model.json'))).toBe(true);
      expect(await exists(path.join(ws, artefact?.path ?? '', 'model.json'))).toBe(true);
    }
    const check = await cli(['workspace', 'check', ws]);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain('sound');
  }, 90_000);

  it('refuses a folder that is no workspace before the engine loads, and --workspace with --shard', async () => {
    const before = (await manifestOf(ws)).artefacts.length;
    const missing = path.join(dir, 'no-such-workspace');
    const out = path.join(dir, 'refused');
    const refusals = await Promise.all([
      cli(['train', '--dataset', DEMO, '--arch', 'cnn4', '--out', out, '--workspace', missing]),
      cli(['evaluate', '--model', MODEL, '--dataset', DEMO, '--workspace', missing]),
      cli(['rank', '--model', MODEL, '--dataset', DEMO, '--workspace', missing]),
      cli(['finetune', '--model', MODEL, '--dataset', DEMO, '--out', out, '--workspace', missing]),
    ]);
    for (const r of refusals) {
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `--workspace ${missing}: no such file or folder; not a workspace: create one with 'deepcorrect workspace init ${missing}'`,
      );
      // train announces the backend on stdout once the engine is up: none here.
      expect(r.stdout).toBe('');
    }
    const notOne = await cli([
      'correct',
      ...['--model', MODEL, '--dataset', DEMO, '--rank', 'proxy'],
      ...['--out', out, '--workspace', dir],
    ]);
    expect(notOne.code).toBe(1);
    expect(notOne.stderr).toContain(`--workspace ${dir}: not a workspace (no deepcorrect-workspace.json)`);

    const part = path.join(dir, 'part.json');
    const rankShard = await cli([
      'rank',
      ...['--model', MODEL, '--dataset', DEMO],
      ...RANK,
      ...['--shard', '0/2', '--out', part, '--workspace', ws],
    ]);
    expect(rankShard.code).toBe(1);
    expect(rankShard.stderr).toContain("leave out --workspace and give it to 'deepcorrect rank merge'");
    const evalShard = await cli([
      'evaluate',
      ...['--model', MODEL, '--dataset', DEMO, '--per-class', '2'],
      ...['--shard', '0/2', '--out', part, '--workspace', ws],
    ]);
    expect(evalShard.code).toBe(1);
    expect(evalShard.stderr).toContain("give --workspace to 'deepcorrect evaluate merge'");

    expect(await exists(out)).toBe(false);
    expect(await exists(part)).toBe(false);
    expect((await manifestOf(ws)).artefacts).toHaveLength(before);
  }, 30_000);
});
