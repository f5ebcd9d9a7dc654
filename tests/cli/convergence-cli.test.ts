import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelMetadata } from '../../electron/engine/models/metadata.ts';
import { cli as runCli } from './run-cli.ts';

const DEMO = 'resources/datasets/fashion-mnist-demo';
const MODEL = 'resources/models/fashion-mnist-cnn4';

/** Every run here on the wasm backend. */
const cli = (args: string[]) => runCli(['--backend', 'wasm', ...args]);

describe('training budgets, early stopping and the validation images on the command line', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dc-convergence-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fine-tuning stops early, says why and on which images it validated, and records both', async () => {
    const out = path.join(dir, 'tuned');
    // A rate so small that no epoch improves on the first: patience 1 stops after epoch 2 of the 4 allowed.
    const run = await cli([
      'finetune',
      '--model',
      MODEL,
      '--dataset',
      DEMO,
      '--levels',
      '2,3',
      '--epochs',
      '4',
      '--patience',
      '1',
      '--schedule',
      'plateau:1:0.5',
      '--lr',
      '1e-12',
      '--train-per-class',
      '8',
      '--batch',
      '16',
      '--seed',
      '7',
      '--out',
      out,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /^validation: base held-out \(the \d+ images the base model was validated on/m,
    );
    // The plateau schedule would halve the rate after epoch 2, which did not improve: the run stops first.
    expect(run.stdout).toMatch(/^epoch 2\/4: .*lr 1\.00e-12/m);
    expect(run.stdout).not.toMatch(/^epoch 3\/4/m);
    expect(run.stdout).toMatch(/^stopped: early stop at epoch 2 of 4 \(patience 1, best epoch 1\)$/m);
    expect(run.stdout).toMatch(/^validation: base held-out$/m);
    const metadata = JSON.parse(await readFile(path.join(out, 'deepcorrect.json'), 'utf8')) as ModelMetadata;
    expect(metadata.provenance).toMatchObject({
      schedule: 'plateau:1:0.5',
      patience: 1,
      stop: { reason: 'early stop', epoch: 2, epochs: 4, patience: 1, bestEpoch: 1 },
      validation: 'base held-out',
      bestEpoch: 1,
    });
  });

  it('refuses a bad patience or schedule before any work, naming the option and the range', async () => {
    const out = path.join(dir, 'refused');
    const common = ['--model', MODEL, '--dataset', DEMO, '--out', out];
    const patience = await cli(['finetune', ...common, '--patience', '-1']);
    expect(patience.code).not.toBe(0);
    expect(patience.stderr).toMatch(/--patience <n>.*"-1" is not an integer from 0 to 500/);
    const schedule = await cli(['correct', ...common, '--rank', 'proxy', '--schedule', 'plateau:0:0.1']);
    expect(schedule.code).not.toBe(0);
    expect(schedule.stderr).toMatch(/--schedule <kind>.*plateau:<patience epochs>:<factor in \(0, 1\)>/);
    const train = await cli([
      'train',
      '--dataset',
      DEMO,
      '--arch',
      'cnn4',
      '--out',
      out,
      '--patience',
      '501',
    ]);
    expect(train.code).not.toBe(0);
    expect(train.stderr).toMatch(/--patience <n>.*"501" is not an integer from 0 to 500/);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });
});
