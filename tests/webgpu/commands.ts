// Every engine command on the webgpu backend over SwiftShader, end to end from its command line to its files and
// output: tiny images and a tiny model, one epoch. The commands run in this process through the same commander
// registrations as bin/deepcorrect.mjs (shaders compile once for all of them, and each command's tensors are
// checked to be freed); one more run goes through the real launcher in a child process. Where a command's
// numbers can be checked, they are checked against wasm.
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { StudyReport } from '../../shared/study.ts';
import { selectBackend } from '../../electron/engine/backend/ladder.ts';
import { registerCorrect } from '../../electron/engine/cli/commands/correct.ts';
import { registerDemo } from '../../electron/engine/cli/commands/demo.ts';
import { registerDistort } from '../../electron/engine/cli/commands/distort.ts';
import { registerEvaluate } from '../../electron/engine/cli/commands/evaluate.ts';
import { registerFineTune } from '../../electron/engine/cli/commands/finetune.ts';
import { registerRank } from '../../electron/engine/cli/commands/rank.ts';
import { registerStudy } from '../../electron/engine/cli/commands/study.ts';
import { registerTrain } from '../../electron/engine/cli/commands/train.ts';
import { openDataset } from '../../electron/engine/data/open-dataset.ts';
import { evaluate, type EvaluationResult } from '../../electron/engine/eval/evaluate.ts';
import { loadModel } from '../../electron/engine/models/model-io.ts';
import { writeDistortedDataset } from '../../electron/engine/ops/write-distorted.ts';
import type { ExperimentResult, RankingResult } from '../../electron/engine/rank/types.ts';
import { cli } from '../cli/run-cli.ts';
import { held, type Fixture } from './fixtures.ts';
import { SWIFTSHADER_ENV } from './swiftshader.ts';

/** The engine commands as bin/deepcorrect.mjs registers them (electron/engine/cli/main.ts). */
function program(): Command {
  const p = new Command('deepcorrect').exitOverride().option('--backend <name>');
  for (const register of [
    registerDemo,
    registerDistort,
    registerEvaluate,
    registerRank,
    registerTrain,
    registerCorrect,
    registerFineTune,
    registerStudy,
  ])
    register(p);
  return p;
}

/**
 * `deepcorrect --backend webgpu <args>` in this process; resolves with what it printed. The command must
 * succeed and leave the engine holding the tensors and bytes it held before.
 */
async function onGpu(args: string[]): Promise<string> {
  const printed: string[] = [];
  const before = held();
  const capture = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  try {
    await program().parseAsync(['node', 'deepcorrect', '--backend', 'webgpu', ...args]);
  } finally {
    capture.mockRestore();
  }
  const stdout = printed.join('');
  expect(stdout).not.toMatch(/^backend: (?!webgpu)/m);
  expect(held(), `deepcorrect ${args[0]} leaves memory as it found it`).toEqual(before);
  return stdout;
}

/** The backend a saved model says it was trained on. */
async function trainedOn(dir: string): Promise<unknown> {
  const { model, metadata } = await loadModel(dir);
  model.dispose();
  return metadata.provenance?.backend;
}

export function commandTests(fx: Fixture): void {
  describe('every command', () => {
    let dir: string;
    let data: string;
    let model: string;
    // One image per class: 8 to train on (one batch), 2 to select the model with.
    const mix = [
      '--levels',
      '1,2',
      '--epochs',
      '1',
      '--batch',
      '8',
      '--val',
      '0.2',
      '--train-per-class',
      '1',
    ];

    beforeAll(async () => {
      ({ data, model } = fx);
      dir = path.join(fx.dir, 'cli');
      await mkdir(dir, { recursive: true });
    });

    const evaluateArgs = (): string[] => [
      'evaluate',
      '--model',
      model,
      '--dataset',
      data,
      '--levels',
      '1,2',
      '--json',
    ];
    let gpuEvaluation: EvaluationResult | undefined;

    it('evaluate: within one image per condition of wasm', async () => {
      const gpu = JSON.parse(await onGpu(evaluateArgs())) as EvaluationResult;
      gpuEvaluation = gpu;
      await selectBackend({ forced: 'wasm' });
      const dataset = await openDataset(data);
      const { model: loaded } = await loadModel(model);
      try {
        const wasm = await evaluate({
          model: loaded,
          dataset,
          split: 'test',
          spec: { kind: 'blur' },
          levels: [1, 2],
          seed: 0,
        });
        expect(gpu.images).toBe(20);
        gpu.conditions.forEach((c, i) =>
          expect(Math.abs(c.top1 - (wasm.conditions[i]?.top1 as number)) * 20).toBeLessThanOrEqual(1 + 1e-9),
        );
      } finally {
        loaded.dispose();
        await dataset.close();
      }
    });

    it('the launcher: node bin/deepcorrect.mjs --backend webgpu evaluate, in a child process', async () => {
      const result = await cli(['--backend', 'webgpu', ...evaluateArgs()], SWIFTSHADER_ENV);
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
      const child = JSON.parse(result.stdout) as EvaluationResult;
      expect(child.conditions).toEqual(gpuEvaluation?.conditions);
    });

    it('rank: oracle and proxy with the oracle experiment', async () => {
      const out = path.join(dir, 'ranking.json');
      const stdout = await onGpu([
        'rank',
        ...['--model', model, '--dataset', data, '--levels', '1,2', '--per-class', '2'],
        ...['--method', 'both', '--experiment', '--eval-per-class', '2', '--out', out],
      ]);
      expect(stdout).toContain('oracle experiment on 20 test images');
      const ranking = JSON.parse(await readFile(out, 'utf8')) as RankingResult & {
        experiment?: ExperimentResult;
      };
      expect(ranking.backend).toBe('webgpu');
      expect(ranking.layers.map((l) => [l.layer, l.order.length, l.tau?.length, l.proxy?.length])).toEqual([
        ['conv1', 4, 4, 4],
        ['conv2', 4, 4, 4],
      ]);
    });

    it('distort: the same PNG bytes as wasm', async () => {
      const out = path.join(dir, 'noisy');
      await onGpu(['distort', '--in', data, '--kind', 'noise', '--level', '20', '--seed', '4', '--out', out]);
      const reference = path.join(dir, 'noisy-wasm');
      const dataset = await openDataset(data);
      try {
        await writeDistortedDataset(dataset, {
          spec: { kind: 'noise', level: 20 },
          seed: 4,
          splits: [{ name: 'train' }, { name: 'test' }],
          outDir: reference,
        });
      } finally {
        await dataset.close();
      }
      const files = async (root: string): Promise<string[]> =>
        (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.png')).sort();
      expect(await files(out)).toEqual(await files(reference));
      expect((await files(out)).length).toBe(50);
      for (const f of await files(out))
        expect(await readFile(path.join(out, f)), f).toEqual(await readFile(path.join(reference, f)));
    });

    it('train: cnn4 on 8x8 images for one epoch', async () => {
      const out = path.join(dir, 'trained');
      const stdout = await onGpu([
        'train',
        ...['--dataset', data, '--arch', 'cnn4', '--epochs', '1', '--batch', '8', '--val', '0.2'],
        ...['--train-per-class', '1', '--out', out],
      ]);
      expect(stdout).toMatch(/epoch 1\/1: loss [\d.]+/);
      expect(await trainedOn(out)).toBe('webgpu');
    });

    it('correct: units on the oracle ranking', async () => {
      const out = path.join(dir, 'corrected');
      const stdout = await onGpu([
        'correct',
        ...['--model', model, '--dataset', data, ...mix],
        ...['--rank', 'oracle', '--rank-per-class', '1', '--layers', 'conv1', '--beta', '0.5', '--out', out],
      ]);
      expect(stdout).toContain('correcting conv1 (2 filters)');
      expect(await trainedOn(out)).toBe('webgpu');
    });

    it('finetune: the whole model', async () => {
      const out = path.join(dir, 'fine-tuned');
      await onGpu(['finetune', '--model', model, '--dataset', data, ...mix, '--out', out]);
      expect(await trainedOn(out)).toBe('webgpu');
    });

    it('study: baseline, proxy ranking, units and fine-tuning into a report', async () => {
      const out = path.join(dir, 'study');
      await onGpu([
        'study',
        ...['--model', model, '--dataset', data, ...mix],
        ...['--rank', 'proxy', '--rank-per-class', '1', '--layers', 'conv1,conv2', '--out', out],
      ]);
      const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as StudyReport;
      expect(report.backend).toBe('webgpu');
      expect(report.models.map((m) => [m.role, m.top1.length])).toEqual([
        ['baseline', 3],
        ['fine-tuned', 3],
        ['deepcorrect', 3],
      ]);
    });

    it('demo: cnn4 on the bundled Fashion-MNIST, ten images', async () => {
      const stdout = await onGpu([
        'demo',
        ...['--train-per-class', '1', '--test-per-class', '1', '--epochs', '1', '--levels', '1'],
      ]);
      expect(stdout).toContain('training cnn4 on 10 Fashion-MNIST images');
      expect(stdout).toMatch(/sigma 1\s+[\d.]+%/);
    });
  });
}
