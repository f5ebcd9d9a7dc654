import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelMetadata } from '../../electron/engine/models/metadata.ts';
import { cli as runCli } from './run-cli.ts';

const DEMO = 'resources/datasets/fashion-mnist-demo';
const MODEL = 'resources/models/fashion-mnist-cnn4';
// A few images, two strong levels, Adam: a run of seconds that still goes through every stage.
const SMALL = [
  '--levels',
  '2,3',
  '--epochs',
  '1',
  '--train-per-class',
  '8',
  '--batch',
  '16',
  '--optimizer',
  'adam',
];

/** Every run here on the wasm backend. */
const cli = (args: string[]) => runCli(['--backend', 'wasm', ...args]);

async function metadataOf(dir: string): Promise<ModelMetadata> {
  return JSON.parse(await readFile(path.join(dir, 'deepcorrect.json'), 'utf8')) as ModelMetadata;
}

describe('deepcorrect correct and finetune', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dc-correct-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('corrects the top half of conv1 and conv2 from a ranking file', async () => {
    const ranking = path.join(dir, 'ranking.json');
    const ranked = await cli([
      'rank',
      ...['--model', MODEL, '--dataset', DEMO, '--levels', '2,3', '--layers', 'conv1,conv2'],
      ...['--per-class', '2', '--method', 'proxy', '--out', ranking],
    ]);
    expect(ranked.code).toBe(0);
    const out = path.join(dir, 'corrected');
    const r = await cli([
      'correct',
      ...['--model', MODEL, '--dataset', DEMO, '--ranking', ranking, '--beta', '0.5', '--out', out],
      ...SMALL,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/correcting conv1 \(16 filters\), conv2 \(16 filters\), pre-activation/);
    expect(r.stdout).toMatch(/epoch 1\/1: .*val mean \(clean \+ 2 levels\) [\d.]+%/);
    expect(r.stdout).toMatch(/trainable parameters: 18,752/);
    expect(r.stdout).toMatch(/best epoch: 1 /);
    const metadata = await metadataOf(out);
    expect(metadata.arch).toBe('cnn4+deepcorrect');
    expect(metadata.provenance?.correction).toMatchObject({ layers: ['conv1', 'conv2'], beta: 0.5 });
  });

  it('fine-tunes the first conv layer', async () => {
    const out = path.join(dir, 'finetuned');
    const r = await cli([
      'finetune',
      ...['--model', MODEL, '--dataset', DEMO, '--layers', 'first:1', '--out', out],
      ...SMALL,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/trainable parameters: 320\n/);
    expect((await metadataOf(out)).provenance?.fineTune).toMatchObject({ layers: 'first:1' });

    // The finished run's checkpoint stays: the same command again is refused, --resume retrains nothing.
    const args = ['finetune', ...['--model', MODEL, '--dataset', DEMO, '--layers', 'first:1', '--out', out]];
    const again = await cli([...args, ...SMALL]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/holds the checkpoint of an earlier run: resume it \(--resume\)/);
    const resumed = await cli([...args, ...SMALL, '--resume']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/resumed after epoch 1\n/);
    expect(resumed.stdout).not.toMatch(/epoch 1\/1:/);
  });

  it('refuses a missing ranking and a bad layer choice', async () => {
    const none = await cli([
      'correct',
      '--model',
      MODEL,
      '--dataset',
      DEMO,
      '--out',
      path.join(dir, 'x'),
      ...SMALL,
    ]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/either --ranking <file> or --rank proxy\|oracle/);
    const bad = await cli([
      'finetune',
      '--model',
      MODEL,
      '--dataset',
      DEMO,
      '--layers',
      'some',
      '--out',
      path.join(dir, 'y'),
      ...SMALL,
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/first:<k>/);
  });
});
